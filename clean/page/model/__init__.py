"""The page model: which lines of a page are its content, learnt from the labelled corpus.

``features`` measures each line, ``page`` holds the trained booster and its decoder, ``step`` is the cleaner the
pipeline runs; ``html_page``, ``blocks`` and ``peers`` make an HTML page's blocks into lines with their evidence.
The weights come from ``clean.train`` (``python -m clean.train``); ``docs/model.md`` is the model card.
"""

from __future__ import annotations

from clean.page.model.page import PageModel, default_model

__all__ = ["PageModel", "default_model"]
