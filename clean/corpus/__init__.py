"""Corpus steps: the only code that sees more than one document (``step`` declares what a step is)."""
