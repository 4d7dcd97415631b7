"""clean: turn messy news pages into a clean, deduplicated, audited Parquet dataset."""

from __future__ import annotations

import logging

from clean.document import Document, Metadata, RawRecord, Removal
from clean.page.pipeline import Cleaned, CleanOptions, clean_text, clean_texts
from clean.page.records import clean_html, clean_record, clean_records
from clean.version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())


def run(*args, **kwargs):
    """Clean INPUT into the dataset OUT, as the command does; see ``clean.runner.run``."""
    from clean.runner import run as _run  # noqa: PLC0415 - `import clean` stays light: the corpus half loads here

    return _run(*args, **kwargs)


def clean_batch(batch, config=None):
    """Clean an Arrow batch (Ray ``map_batches``, Spark ``mapInArrow``); see ``clean.arrow.clean_batch``."""
    from clean.arrow import clean_batch as _clean_batch  # noqa: PLC0415 - as above

    return _clean_batch(batch, config)

__all__ = [
    "CleanOptions",
    "Cleaned",
    "Document",
    "Metadata",
    "RawRecord",
    "Removal",
    "__version__",
    "clean_batch",
    "clean_html",
    "clean_record",
    "clean_records",
    "clean_text",
    "clean_texts",
    "run",
]
