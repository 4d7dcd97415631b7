"""clean: turn messy news pages into a clean, deduplicated, audited Parquet dataset."""

from __future__ import annotations

import logging

from .document import Document, Metadata, RawRecord, Removal
from .pipeline import Cleaned, CleanOptions, clean_html, clean_record, clean_text

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CleanOptions",
    "Cleaned",
    "Document",
    "Metadata",
    "RawRecord",
    "Removal",
    "__version__",
    "clean_html",
    "clean_record",
    "clean_text",
]
