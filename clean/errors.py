"""Errors named for their policy, so each layer knows what to do with them.

- ``UsageError``: the call itself is wrong (missing input, OUT inside INPUT, bad option). Aborts before
  any work; the CLI prints it as one line and exits 2.
- ``InputError``: one input file or record is bad. That file or record fails, is recorded in the
  manifest with its one-line reason, and the run goes on (exit 3 at the end).
- Anything else is a bug; the runner wraps it with the name of the input it was working on.
"""

from __future__ import annotations


class CleanError(Exception):
    """Base class for errors this package raises on purpose."""


class UsageError(CleanError):
    """The command or call is wrong; nothing was done."""


class InputError(CleanError):
    """One input (a file or a record in it) cannot be read or cleaned; the rest of the run goes on."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
