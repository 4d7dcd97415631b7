"""Parquet: the rows of a piece's row groups, decoded a batch at a time; a gzipped file is inflated to disk."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clean.document import RawRecord
from clean.readers.files import (
    FIELDS,
    _file_failure,
    _first_line,
    _gzip_reason,
    _open,
    _record,
    _stream_errors,
    _too_big,
)
from clean.readers.plan import _CHUNK, Failure, Piece

#: Parquet rows decoded at a time: bounds memory when single cells are megabytes.
_PARQUET_BATCH = 256


def _read_parquet(piece: Piece, limit: int) -> Iterator[RawRecord | Failure]:
    """Stream the rows of a piece's row groups, a batch at a time."""
    f = piece.file
    if f.compression is None:
        yield from _read_parquet_file(piece, f.path, limit)
        return
    with tempfile.TemporaryFile() as tmp:  # Parquet needs random access: inflate to disk, not memory
        try:
            with _open(f) as fh:
                shutil.copyfileobj(fh, tmp, _CHUNK)
        except _stream_errors(f) as exc:
            yield _file_failure(f, _gzip_reason(exc, "", f.compression))
            return
        tmp.seek(0)
        yield from _read_parquet_file(piece, tmp, limit)


def _read_parquet_file(piece: Piece, where: str | IO[bytes], limit: int) -> Iterator[RawRecord | Failure]:
    """Read row groups ``[start, stop)`` of an open or named Parquet file."""
    f = piece.file
    first = piece.start == 0
    try:
        pf = pq.ParquetFile(where)
    except (pa.ArrowException, ValueError) as exc:
        if first:
            yield _file_failure(f, f"not a readable Parquet file ({_first_line(exc)})")
        return
    names = pf.schema_arrow.names
    if "text" not in names and "html" not in names:
        if first:
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            yield _file_failure(f, f"no text or html column (columns: {shown or 'none'})")
        return
    for name in ("text", "html"):
        if name in names and not _is_text_type(pf.schema_arrow.field(name).type):
            if first:
                yield _file_failure(f, f"`{name}` column is {pf.schema_arrow.field(name).type}, not a string")
            return
    columns = [c for c in FIELDS if c in names]
    stop = pf.metadata.num_row_groups if piece.stop is None else piece.stop
    row = sum(pf.metadata.row_group(i).num_rows for i in range(piece.start))
    if piece.start >= stop:
        return
    try:
        batches = pf.iter_batches(
            batch_size=_PARQUET_BATCH, row_groups=list(range(piece.start, stop)), columns=columns, use_threads=False
        )
        for batch in batches:
            no_cells = [None] * batch.num_rows
            text_sizes, html_sizes = (
                pc.binary_length(_plain(batch.column(c))).to_pylist() if c in columns else no_cells
                for c in ("text", "html")
            )
            for i, values in enumerate(batch.to_pylist()):
                where_id = f"{f.source}:{row}"
                size = text_sizes[i] or html_sizes[i]  # the body ``_record`` picks: a non-empty text, else html
                if size and size > limit:
                    yield Failure(where_id, f.source, f.format, _too_big(size, limit))
                else:
                    yield _record(values, f, where_id)
                row += 1
    except (pa.ArrowException, OSError) as exc:
        yield _file_failure(f, f"corrupt Parquet data after row {row} ({_first_line(exc)})")


def _is_text_type(t: pa.DataType) -> bool:
    """Whether a Parquet column type can hold page text (strings, bytes, dictionary-encoded strings, nulls)."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    checks = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary, pa.types.is_large_binary)
    return pa.types.is_null(t) or any(check(t) for check in checks) or str(t) in ("string_view", "binary_view")


def _plain(column: pa.Array) -> pa.Array:
    """A column with dictionary encoding and view types undone, so byte lengths can be computed."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.string())
    if str(column.type) in ("string_view", "binary_view"):
        column = column.cast(pa.large_string() if column.type == pa.string_view() else pa.large_binary())
    return column
