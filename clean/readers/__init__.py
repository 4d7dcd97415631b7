"""The input edge: find the input files, split them into shards of work, and read shards into records.

Three steps, each a plain function so the same code runs in a loop, a process pool or on Ray:

1. ``discover`` walks the INPUT paths once and names every file (``InputFile``) with a ``source`` that is
   unique and stable: it depends on the INPUT arguments and the path below them, never on file contents.
2. ``plan_shards`` cuts the files into ``Piece`` s (a whole file, a byte range of a large JSONL cut at line
   starts, or a range of Parquet row groups) and groups them into ``Shard`` s. The plan depends only on
   the sorted file list and the files themselves, never on the worker count, and survives a JSON round
   trip, so it can be stored in the manifest and a resumed run sees the same shards.
3. ``read_piece`` / ``read_shard`` stream ``RawRecord`` s, and a ``Failure`` for each file or record that
   cannot be read. Bad input never raises: a truncated gzip keeps the records read before the damage, a
   broken JSONL line fails only that record, an oversized document fails alone.

Sizes: a document's size is its bytes as stored (the file for ``.txt``/``.html``, decompressed; the line
for JSONL; the text or html cell for Parquet), checked before it is held in memory where possible.

Modules: ``discovery`` (step 1), ``plan`` (the data types and step 2), ``files`` (helpers the readers share:
opening, failure reasons, building a record), one reader per kind of file (``pages`` for ``.txt``/``.html``,
``jsonl``, ``parquet``) and ``encoding``. This package holds the dispatch of step 3 (``read_piece``,
``read_shard``) and names everything other code uses, so ``from clean import readers`` is all it needs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from pathlib import Path

from clean.document import RawRecord
from clean.readers.discovery import COMPRESSIONS, FORMATS, KNOWN, Discovery, discover, format_of
from clean.readers.files import DEFAULT_MAX_DOC_BYTES, FIELDS, _file_failure, _os_reason
from clean.readers.jsonl import _read_jsonl
from clean.readers.pages import _read_single
from clean.readers.parquet import _read_parquet
from clean.readers.plan import (
    DEFAULT_MAX_DOCS,
    DEFAULT_TARGET_BYTES,
    MB,
    Failure,
    InputFile,
    Piece,
    Shard,
)
from clean.readers.plan import plan_shards as _plan_shards
from clean.readers.split import split_jsonl

__all__ = [
    "COMPRESSIONS",
    "DEFAULT_MAX_DOCS",
    "DEFAULT_MAX_DOC_BYTES",
    "DEFAULT_TARGET_BYTES",
    "FIELDS",
    "FORMATS",
    "KNOWN",
    "MB",
    "Discovery",
    "Failure",
    "InputFile",
    "Piece",
    "Shard",
    "discover",
    "format_of",
    "plan_shards",
    "read_piece",
    "read_shard",
]


# ------------------------------------------------------------------------------------------------- read


def read_shard(shard: Shard, *, max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES) -> Iterator[RawRecord | Failure]:
    """Read every piece of a shard, in order."""
    for piece in shard.pieces:
        yield from read_piece(piece, max_doc_bytes=max_doc_bytes)


def read_piece(piece: Piece, *, max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES) -> Iterator[RawRecord | Failure]:
    """Stream the records of one piece; anything unreadable comes out as a ``Failure``, never an exception.

    Memory stays bounded by ``max_doc_bytes`` plus one Parquet batch: files and lines over the limit are
    measured while being skipped, never held. A file that changed size since it was planned fails rather
    than being read at stale offsets. File-level problems that follow from the content (no text column,
    not Parquet) are reported by the piece that starts the file, so a split file reports them once.

    Args:
        piece: what to read.
        max_doc_bytes: documents larger than this fail with a reason naming ``--max-doc-mb``.
    """
    f = piece.file
    try:
        now = Path(f.path).stat().st_size
    except OSError as exc:
        yield _file_failure(f, _os_reason(exc))
        return
    if now != f.size:
        yield _file_failure(f, f"file changed since the run was planned ({f.size} bytes then, {now} now)")
        return
    reader = {"txt": _read_single, "html": _read_single, "jsonl": _read_jsonl, "parquet": _read_parquet}[f.format]
    try:
        yield from reader(piece, max_doc_bytes)
    except OSError as exc:
        yield _file_failure(f, _os_reason(exc))


def plan_shards(
    files: Sequence[InputFile],
    *,
    target_bytes: int = DEFAULT_TARGET_BYTES,
    max_docs: int = DEFAULT_MAX_DOCS,
    split_dir: Path | None = None,
) -> list[Shard]:
    """``plan.plan_shards``; with ``split_dir``, a compressed JSONL larger than a piece is cut into pieces written
    there (the run's work folder), so that one large ``.jsonl.gz`` runs on every core."""
    split = functools.partial(split_jsonl, folder=split_dir) if split_dir is not None else None
    return _plan_shards(files, target_bytes=target_bytes, max_docs=max_docs, split=split)
