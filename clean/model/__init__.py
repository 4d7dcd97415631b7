"""The page model: which lines of a page are its content, learnt from the labelled corpus.

``features`` measures each line, ``page`` holds the trained booster and its decoder, ``step`` is the cleaner the
pipeline runs, ``train`` the command that makes the weights (``python -m clean.model.train``), ``align`` and
``corpus`` what training reads. ``docs/model.md`` is the model card.
"""

from __future__ import annotations

from .page import PageModel, default_model

__all__ = ["PageModel", "default_model"]
