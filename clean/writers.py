"""Parquet writers own determinism: bounded row groups and part files, no timestamps, every file atomic.

A reader never sees a half-written file under a final name (``atomic``). Parquet is zstd-compressed with row groups
bounded in bytes (the largest model hub's dataset viewer rejects row groups over about 286 MiB) and
part files bounded too, so the same rows always produce the same bytes whatever the worker count.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clean.atomic import atomic_path, write_bytes_atomic, write_json_atomic

__all__ = ["PartWriter", "atomic_path", "file_sha256", "write_bytes_atomic", "write_json_atomic", "write_table_atomic"]


#: Row groups are cut when this many bytes of Arrow data are buffered.
ROW_GROUP_BYTES = 64 << 20
#: A part file is closed after this many bytes of Arrow data; the next rows go to the next part.
PART_BYTES = 512 << 20

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "write_page_index": False,
}


def file_sha256(path: Path) -> str:
    """The file's sha256, hex: recorded in the manifest for each published file, and what names a generation."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_table_atomic(dest: Path, table: pa.Table) -> None:
    """One Parquet file, row groups bounded in bytes, written atomically."""
    with atomic_path(dest) as tmp:
        rows = _rows_per_group(table)
        pq.write_table(table, tmp, row_group_size=rows, **PARQUET_OPTIONS)


def _rows_per_group(table: pa.Table) -> int:
    if table.num_rows == 0 or table.nbytes <= ROW_GROUP_BYTES:
        return max(1, table.num_rows)
    per_row = table.nbytes / table.num_rows
    return max(1, int(ROW_GROUP_BYTES / per_row))


class PartWriter:
    """Streams batches into ``dir/<prefix>NNNNN.parquet`` files, each bounded in bytes, each atomic.

    Batches are buffered up to a row group's worth, so the output depends only on the sequence of rows,
    never on how they were batched on the way in.
    """

    def __init__(
        self,
        directory: Path,
        schema: pa.Schema,
        *,
        part_bytes: int = PART_BYTES,
        row_group_bytes: int = ROW_GROUP_BYTES,
        prefix: str = "part-",
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.schema = schema
        self.part_bytes = part_bytes
        self.row_group_bytes = row_group_bytes
        self.written: list[Path] = []
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._part_size = 0
        self._writer: pq.ParquetWriter | None = None
        self._ctx: contextlib.AbstractContextManager[Path] | None = None
        self._dest: Path | None = None

    def write(self, table: pa.Table) -> None:
        for batch in table.to_batches():
            if batch.num_rows == 0:
                continue
            self._buffer.append(batch)
            self._buffered += batch.nbytes
            if self._buffered >= self.row_group_bytes:
                self._flush_group()

    def _flush_group(self) -> None:
        if not self._buffer:
            return
        table = pa.Table.from_batches(self._buffer, schema=self.schema).combine_chunks()
        self._buffer, self._buffered = [], 0
        if self._writer is None:
            self._open()
        self._writer.write_table(table, row_group_size=max(1, table.num_rows))
        self._part_size += table.nbytes
        if self._part_size >= self.part_bytes:
            self._close_part()

    def _open(self) -> None:
        self._dest = self.directory / f"{self.prefix}{len(self.written):05d}.parquet"
        self._ctx = atomic_path(self._dest)
        tmp = self._ctx.__enter__()
        self._writer = pq.ParquetWriter(tmp, self.schema, **PARQUET_OPTIONS)

    def _close_part(self) -> None:
        assert self._writer is not None and self._ctx is not None and self._dest is not None
        self._writer.close()
        self._ctx.__exit__(None, None, None)
        self.written.append(self._dest)
        self._writer = self._ctx = self._dest = None
        self._part_size = 0

    def close(self, empty_part: bool = True) -> list[Path]:
        """Flush what is buffered and finish the last part; an empty table still gets one (empty) part unless
        ``empty_part`` is false (a piece of a table that other writers write the rest of)."""
        self._flush_group()
        if self._writer is None and not self.written and empty_part:
            self._open()
        if self._writer is not None:
            self._close_part()
        return self.written

    def abort(self) -> None:
        if self._writer is not None and self._ctx is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            with contextlib.suppress(Exception):
                self._ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)
            self._writer = self._ctx = self._dest = None
