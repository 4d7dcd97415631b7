"""The plan: what a run reads and in which units, and ``plan_shards``, which cuts the files into them.

``InputFile`` (a file found by ``discover``), ``Piece`` (a file or part of one, read as a unit) and ``Shard``
(pieces read, cleaned and written together) survive a JSON round trip, so a plan can be stored in the manifest;
``Failure`` is what any step reports for something it could not read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

MB = 1 << 20
DEFAULT_TARGET_BYTES = 32 * MB
DEFAULT_MAX_DOCS = 2000

#: Planning guesses for compressed multi-record files, whose content is not read at plan time: gzip shrinks
#: news JSONL about 4x, and a news record (text plus metadata) is a few KB.
_GZIP_RATIO = 4
_AVG_RECORD_BYTES = 4096
#: Read size for newline counting and for copying streams.
_CHUNK = 4 * MB


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: where it is, the name records carry (``source``), and how to read it."""

    path: str
    source: str
    format: str
    compression: str | None
    size: int
    #: ``file_stamp`` of the file when the run planned it: a resumed run redoes nothing if any input changed.
    stamp: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; a path whose name is not valid UTF-8 is stored as hex bytes (``path_bytes``)."""
        try:
            self.path.encode("utf-8")
            where = {"path": self.path}
        except UnicodeEncodeError:  # a name with undecodable bytes, kept by Python as lone surrogates
            where = {"path_bytes": os.fsencode(self.path).hex()}
        return {
            **where,
            "source": self.source,
            "format": self.format,
            "compression": self.compression,
            "size": self.size,
            **({"stamp": self.stamp} if self.stamp else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InputFile:
        path = data["path"] if "path" in data else os.fsdecode(bytes.fromhex(data["path_bytes"]))
        return cls(path, data["source"], data["format"], data["compression"], data["size"], data.get("stamp", ""))


def file_stamp(st: os.stat_result) -> str:
    """What says a file is the one a run planned: its size, modification time in nanoseconds and inode.

    Hashing every input before a resume would read the whole corpus twice; an edit in place changes the
    modification time (even to the same size), and a save by rename changes the inode, as ``make`` and ``rsync``
    rely on. A tool that edits a file and then sets its time back defeats it: give ``--force`` after such an edit.
    """
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@dataclass(frozen=True, slots=True)
class Piece:
    """A file, or part of one, read as a unit.

    For uncompressed JSONL, ``start``/``stop`` are byte offsets cut at line starts and ``first_line`` is the
    1-based line number at ``start`` (counted by the planner, so ids stay exact). For Parquet they are
    row-group indices. ``stop=None`` means to the end; a whole file is ``Piece(file)``.
    """

    file: InputFile
    start: int = 0
    stop: int | None = None
    first_line: int = 1
    #: For a piece of a compressed JSONL file: the file it was split from (``file`` is then the split-out part,
    #: in the run's work folder, whose records carry the original's source and line numbers).
    part_of: InputFile | None = None

    @property
    def origin(self) -> InputFile:
        """The input file this piece belongs to, as the user gave it."""
        return self.part_of or self.file

    def to_json(self) -> dict[str, Any]:
        out = {"file": self.file.to_json(), "start": self.start, "stop": self.stop, "first_line": self.first_line}
        if self.part_of is not None:
            out["part_of"] = self.part_of.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Piece:
        part_of = InputFile.from_json(data["part_of"]) if data.get("part_of") else None
        return cls(InputFile.from_json(data["file"]), data["start"], data["stop"], data["first_line"], part_of)


@dataclass(frozen=True, slots=True)
class Shard:
    """A unit of work: pieces read, cleaned and written together as ``part-<index>``."""

    index: int
    pieces: tuple[Piece, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the manifest; every string in it is valid UTF-8."""
        return {"index": self.index, "pieces": [p.to_json() for p in self.pieces]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shard:
        return cls(data["index"], tuple(Piece.from_json(p) for p in data["pieces"]))


@dataclass(frozen=True, slots=True)
class Failure:
    """A file, folder or record that could not be read, with a one-line reason.

    ``id`` is where the problem is: the source for a file or folder, ``<source>:<line>`` for a JSONL record,
    ``<source>:<row>`` for a Parquet row, so the user can go and look. ``format`` is empty for a folder.
    """

    id: str
    source: str
    format: str
    reason: str

    def __str__(self) -> str:
        return f"{self.id}: {self.reason}"


# ------------------------------------------------------------------------------------------------- plan

#: Cuts a compressed JSONL file into pieces of their own (file, target bytes, max documents), or says to keep it
#: whole (None); ``readers.plan_shards`` gives ``split.split_jsonl`` one writing into the run's work folder.
Splitter = Callable[[InputFile, int, int], "list[tuple[Piece, int, int]] | None"]


def plan_shards(
    files: Sequence[InputFile],
    *,
    target_bytes: int = DEFAULT_TARGET_BYTES,
    max_docs: int = DEFAULT_MAX_DOCS,
    split: Splitter | None = None,
) -> list[Shard]:
    """Cut files into pieces and group them, in order, into shards of about ``target_bytes`` and ``max_docs``.

    A large uncompressed JSONL is cut at line starts whenever a piece reaches either bound (the newline
    count keeps line numbers exact); a Parquet file is cut between row groups (a single huge row group
    stays whole). A compressed JSONL cannot be entered in the middle, so ``split`` (``readers.split``) may
    read it once, as a stream, and write its pieces as files of their own; else it is one piece, as are other
    compressed files. Small files share a shard until adding the next would pass a
    bound. The result depends only on ``files`` (in the order given, which ``discover`` sorts) and their
    contents, never on how many workers will run it.
    """
    shards: list[Shard] = []
    current: list[Piece] = []
    size = docs = 0
    for f in files:
        for piece, p_size, p_docs in _pieces(f, target_bytes, max_docs, split):
            if current and (size + p_size > target_bytes or docs + p_docs > max_docs):
                shards.append(Shard(len(shards), tuple(current)))
                current, size, docs = [], 0, 0
            current.append(piece)
            size += p_size
            docs += p_docs
    if current:
        shards.append(Shard(len(shards), tuple(current)))
    return shards


def _pieces(
    f: InputFile, target_bytes: int, max_docs: int, split: Splitter | None = None
) -> list[tuple[Piece, int, int]]:
    """The pieces of one file with their estimated bytes and documents."""
    if f.format in ("txt", "html"):
        return [(Piece(f), f.size, 1)]
    if f.compression is not None and f.format == "jsonl" and split is not None:
        parts = split(f, target_bytes, max_docs)
        if parts is not None:
            return parts
    if f.compression is not None:
        est = f.size * _GZIP_RATIO
        return [(Piece(f), est, max(1, est // _AVG_RECORD_BYTES))]
    try:
        if f.format == "jsonl":
            return _jsonl_pieces(f, target_bytes, max_docs)
        return _parquet_pieces(f, target_bytes, max_docs)
    except (OSError, pa.ArrowException):  # unreadable now: one piece, and reading it reports why
        return [(Piece(f), f.size, 1)]


def _jsonl_pieces(f: InputFile, target_bytes: int, max_docs: int) -> list[tuple[Piece, int, int]]:
    """Cut a JSONL file after the line where a piece reaches ``target_bytes`` or ``max_docs`` lines."""
    cuts: list[tuple[int, int, int, int]] = []  # start, stop, first line, lines
    start, first, lines, offset = 0, 1, 0, 0
    with Path(f.path).open("rb") as fh:
        head = fh.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: newline bytes are not b"\n"; keep whole
            return [(Piece(f), f.size, max(1, f.size // _AVG_RECORD_BYTES))]
        fh.seek(0)
        while chunk := fh.read(_CHUNK):
            pos = 0
            while pos < len(chunk):
                # No newline before ``boundary`` can close the piece by bytes; count those at C speed.
                boundary = min(len(chunk), max(pos, start + target_bytes - 1 - offset))
                need = max_docs - lines
                if chunk.count(b"\n", pos, boundary) >= need:  # the piece fills up with documents first
                    for _ in range(need):
                        pos = chunk.find(b"\n", pos) + 1
                    lines = max_docs
                else:
                    lines += chunk.count(b"\n", pos, boundary)
                    nl = chunk.find(b"\n", boundary)
                    if nl < 0:
                        break
                    lines, pos = lines + 1, nl + 1
                    if lines < max_docs and offset + pos - start < target_bytes:
                        continue
                cuts.append((start, offset + pos, first, lines))
                start, first, lines = offset + pos, first + lines, 0
            offset += len(chunk)
    if offset > start or not cuts:
        tail_lines = lines + (1 if offset > start and not _ends_with_newline(f.path, offset) else 0)
        cuts.append((start, offset, first, tail_lines))
    if len(cuts) == 1:
        return [(Piece(f), f.size, max(1, cuts[0][3]))]
    pieces = [(Piece(f, s, e, fl), e - s, n) for s, e, fl, n in cuts]
    last, size, n = pieces[-1]
    pieces[-1] = (Piece(f, last.start, None, last.first_line), size, n)
    return pieces


def _ends_with_newline(path: str, size: int) -> bool:
    """Whether the last byte of a non-empty file is a newline."""
    with Path(path).open("rb") as fh:
        fh.seek(size - 1)
        return fh.read(1) == b"\n"


def _parquet_pieces(f: InputFile, target_bytes: int, max_docs: int) -> list[tuple[Piece, int, int]]:
    """Group a Parquet file's row groups into pieces of about ``target_bytes`` (on disk) and ``max_docs`` rows."""
    meta = pq.ParquetFile(f.path).metadata
    groups: list[tuple[int, int, int, int]] = []  # start, stop, bytes, rows
    start = size = rows = 0
    for i in range(meta.num_row_groups):
        rg = meta.row_group(i)
        size += sum(rg.column(j).total_compressed_size for j in range(rg.num_columns))
        rows += rg.num_rows
        if size >= target_bytes or rows >= max_docs:
            groups.append((start, i + 1, size, rows))
            start, size, rows = i + 1, 0, 0
    if start < meta.num_row_groups or not groups:
        groups.append((start, meta.num_row_groups, size, rows))
    if len(groups) == 1:
        return [(Piece(f), f.size, max(1, groups[0][3]))]
    pieces = [(Piece(f, s, e), b, max(1, n)) for s, e, b, n in groups]
    pieces[-1] = (Piece(f, pieces[-1][0].start, None), pieces[-1][1], pieces[-1][2])
    return pieces
