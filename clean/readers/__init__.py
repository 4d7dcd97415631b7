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
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import re
import shutil
import stat
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clean.document import RawRecord
from clean.errors import InputError, UsageError
from clean.readers.encoding import decode, decode_lenient, normalise_newlines, repair_mojibake

#: Extension (lower-cased) to format; matching is case-insensitive so ``PAGE.HTM`` reads too.
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".parquet": "parquet"}
#: Compression suffix to its name; a compressed file is always one piece (gzip cannot be entered midway).
COMPRESSIONS = {".gz": "gzip"}
#: Record fields read from JSONL objects and Parquet columns.
FIELDS = ("id", "text", "html", "url", "title", "author", "date")

MB = 1 << 20
DEFAULT_TARGET_BYTES = 32 * MB
DEFAULT_MAX_DOCS = 2000
DEFAULT_MAX_DOC_BYTES = 20 * MB

#: Planning guesses for compressed multi-record files, whose content is not read at plan time: gzip shrinks
#: news JSONL about 4x, and a news record (text plus metadata) is a few KB.
_GZIP_RATIO = 4
_AVG_RECORD_BYTES = 4096
#: Read size for newline counting and for copying streams.
_CHUNK = 4 * MB
#: Parquet rows decoded at a time: bounds memory when single cells are megabytes.
_PARQUET_BATCH = 256
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: where it is, the name records carry (``source``), and how to read it."""

    path: str
    source: str
    format: str
    compression: str | None
    size: int

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
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InputFile:
        path = data["path"] if "path" in data else os.fsdecode(bytes.fromhex(data["path_bytes"]))
        return cls(path, data["source"], data["format"], data["compression"], data["size"])


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

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file.to_json(), "start": self.start, "stop": self.stop, "first_line": self.first_line}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Piece:
        return cls(InputFile.from_json(data["file"]), data["start"], data["stop"], data["first_line"])


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


@dataclass(frozen=True, slots=True)
class Discovery:
    """What ``discover`` found: files to read, inputs that failed, and sources skipped for their extension.

    Unpacks as ``files, failures = discover(...)``; ``skipped`` is there for the manifest to list.
    """

    files: list[InputFile]
    failures: list[Failure]
    skipped: list[str]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.files, self.failures))


# --------------------------------------------------------------------------------------------- discover


def format_of(name: str) -> tuple[str, str | None] | None:
    """The ``(format, compression)`` a file name asks for, or None for an unknown extension."""
    lower = name.lower()
    compression = None
    for suffix, comp in COMPRESSIONS.items():
        if lower.endswith(suffix):
            lower, compression = lower[: -len(suffix)], comp
            break
    fmt = FORMATS.get(PurePath(lower).suffix)
    return (fmt, compression) if fmt else None


@dataclass(slots=True)
class _Found:
    """A discovered entry before its source is final: ``root`` parents can extend ``rel`` on a clash."""

    path: str
    root: tuple[str, ...]
    rel: tuple[str, ...]
    kind: str  # "file", "failure" or "skipped"
    format: str = ""
    compression: str | None = None
    size: int = 0
    reason: str = ""
    depth: int = 0

    def source(self) -> str:
        parts = self.root[len(self.root) - self.depth :] if self.depth else ()
        return "/".join(_printable(p) for p in (*parts, *self.rel))


def discover(inputs: Sequence[str | Path], *, exclude: str | Path | None = None) -> Discovery:
    """Find the input files under the INPUT paths.

    Folders are walked recursively in sorted order, skipping names that start with a dot; symlinks are
    followed, and a link back to an enclosing folder is a failure, not an endless walk. Files with an
    unknown extension inside a folder are skipped (and listed); a file given directly with an unknown
    extension is a failure. Unreadable files and folders, broken links and loops are failures; the walk
    goes on. The same file reached twice through the inputs is read once.

    Sources: for one INPUT folder, the path relative to it; for a file given directly, its name; with
    several INPUTs, a folder's files are prefixed with the folder's name, so ``clean crawl-a crawl-b OUT``
    gives ``crawl-a/...`` and ``crawl-b/...`` whatever the folders hold. Sources that still clash (two
    ``page.txt`` from different folders, two folders named ``data``) take parent folder names, nearest
    first, until they differ. Everything comes back sorted by source.

    Args:
        inputs: INPUT paths as the user gave them.
        exclude: a folder never to walk into (the OUT folder, when it sits inside an INPUT).

    Raises:
        UsageError: an INPUT path does not exist.
    """
    if not inputs:
        raise UsageError("no INPUT given")
    for given in inputs:
        if not Path(given).exists():
            raise UsageError(f"INPUT does not exist: {given}")
    excluded = _dir_key(exclude) if exclude is not None else None
    found: list[_Found] = []
    for given in inputs:
        # abspath, not resolve(): sources keep the names the user typed, even through symlinks.
        absolute = os.path.abspath(given)  # noqa: PTH100
        parts = tuple(p for p in absolute.split(os.sep) if p)  # noqa: PTH206 - a str split stays a str
        if Path(absolute).is_dir():
            prefix = parts[-1:] if len(inputs) > 1 else ()
            root = parts[:-1] if prefix else parts
            _walk(absolute, root=root, rel=prefix, ancestors=frozenset(), excluded=excluded, found=found)
        else:
            _add_file(absolute, parts[:-1], parts[-1:], found, given_directly=True)
    unique: dict[str, _Found] = {}
    for entry in found:
        unique.setdefault(os.path.normpath(entry.path), entry)
    entries = list(unique.values())
    _disambiguate(entries)
    entries.sort(key=lambda e: e.source().split("/"))
    files, failures, skipped = [], [], []
    for e in entries:
        if e.kind == "file":
            files.append(InputFile(e.path, e.source(), e.format, e.compression, e.size))
        elif e.kind == "failure":
            failures.append(Failure(e.source(), e.source(), e.format, e.reason))
        else:
            skipped.append(e.source())
    return Discovery(files, failures, skipped)


def _dir_key(path: str | Path) -> tuple[int, int] | None:
    """Device and inode of a folder, to recognise it through any path; None if it does not exist."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _walk(
    folder: str,
    *,
    root: tuple[str, ...],
    rel: tuple[str, ...],
    ancestors: frozenset[tuple[int, int]],
    excluded: tuple[int, int] | None,
    found: list[_Found],
) -> None:
    """Walk one folder in sorted order, appending what it holds to ``found``."""
    key = _dir_key(folder)
    if key is not None and key in ancestors:
        found.append(_Found(folder, root, rel, "failure", reason="symlink loop (links back to an enclosing folder)"))
        return
    if key is not None and key == excluded:
        return
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        found.append(_Found(folder, root, rel or (Path(folder).name,), "failure", reason=_os_reason(exc)))
        return
    inner = ancestors | {key} if key is not None else ancestors
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child_rel = (*rel, os.fsdecode(entry.name))
        try:
            st = entry.stat()  # follows symlinks, like the walk
        except OSError as exc:
            reason = _os_reason(exc, link=entry.is_symlink())
            found.append(_Found(entry.path, root, child_rel, "failure", reason=reason))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(entry.path, root=root, rel=child_rel, ancestors=inner, excluded=excluded, found=found)
        else:
            _add_file(entry.path, root, child_rel, found, given_directly=False, st=st)


def _add_file(
    path: str,
    root: tuple[str, ...],
    rel: tuple[str, ...],
    found: list[_Found],
    *,
    given_directly: bool,
    st: os.stat_result | None = None,
) -> None:
    """Classify one file: readable input, failure, or skipped for its extension."""
    kind = format_of(rel[-1])
    if kind is None:
        if given_directly:
            reason = "unknown format (expected .txt, .html, .htm, .jsonl or .parquet, optionally .gz)"
            found.append(_Found(path, root, rel, "failure", reason=reason))
        else:
            found.append(_Found(path, root, rel, "skipped"))
        return
    fmt, compression = kind
    try:
        st = st or Path(path).stat()
    except OSError as exc:
        found.append(_Found(path, root, rel, "failure", fmt, compression, reason=_os_reason(exc)))
        return
    if not stat.S_ISREG(st.st_mode):
        found.append(_Found(path, root, rel, "failure", fmt, compression, reason="not a regular file"))
    elif not os.access(path, os.R_OK):
        found.append(_Found(path, root, rel, "failure", fmt, compression, reason="permission denied"))
    else:
        found.append(_Found(path, root, rel, "file", fmt, compression, st.st_size))


def _disambiguate(entries: list[_Found]) -> None:
    """Give clashing sources parent folder names, nearest first, until every source is unique."""
    while True:
        groups: dict[str, list[_Found]] = defaultdict(list)
        for e in entries:
            groups[e.source()].append(e)
        grew = False
        for group in groups.values():
            if len(group) < 2:
                continue
            for e in group:
                if e.depth < len(e.root):
                    e.depth += 1
                    grew = True
        if not grew:
            break
    seen: dict[str, int] = defaultdict(int)
    for e in entries:  # only identical absolute paths can still clash (impossible after de-duplication)
        seen[e.source()] += 1
        if seen[e.source()] > 1:
            e.rel = (*e.rel[:-1], f"{e.rel[-1]}~{seen[e.source()]}")


def _printable(name: str) -> str:
    """A file name as valid text: undecodable bytes in a name become U+FFFD, the path keeps them."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _os_reason(exc: OSError, *, link: bool = False) -> str:
    """One line for an OS error, naming the usual suspects plainly."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "broken symlink (target does not exist)" if link else "file disappeared"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


# ------------------------------------------------------------------------------------------------- plan


def plan_shards(
    files: Sequence[InputFile], *, target_bytes: int = DEFAULT_TARGET_BYTES, max_docs: int = DEFAULT_MAX_DOCS
) -> list[Shard]:
    """Cut files into pieces and group them, in order, into shards of about ``target_bytes`` and ``max_docs``.

    A large uncompressed JSONL is cut at line starts whenever a piece reaches either bound (the newline
    count keeps line numbers exact); a Parquet file is cut between row groups (a single huge row group
    stays whole); compressed files are one piece each. Small files share a shard until adding the next
    would pass a bound. The result depends only on ``files`` (in the order given, which ``discover`` sorts)
    and their contents, never on how many workers will run it.
    """
    shards: list[Shard] = []
    current: list[Piece] = []
    size = docs = 0
    for f in files:
        for piece, p_size, p_docs in _pieces(f, target_bytes, max_docs):
            if current and (size + p_size > target_bytes or docs + p_docs > max_docs):
                shards.append(Shard(len(shards), tuple(current)))
                current, size, docs = [], 0, 0
            current.append(piece)
            size += p_size
            docs += p_docs
    if current:
        shards.append(Shard(len(shards), tuple(current)))
    return shards


def _pieces(f: InputFile, target_bytes: int, max_docs: int) -> list[tuple[Piece, int, int]]:
    """The pieces of one file with their estimated bytes and documents."""
    if f.format in ("txt", "html"):
        return [(Piece(f), f.size, 1)]
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


def _file_failure(f: InputFile, reason: str) -> Failure:
    return Failure(f.source, f.source, f.format, reason)


def _too_big(n_bytes: int, limit: int) -> str:
    """The one-line reason for a document over the size limit."""
    return f"document is {n_bytes / MB:.1f} MB, over the limit of {limit / MB:g} MB (--max-doc-mb)"


def _open(f: InputFile) -> Any:
    """Open a file for binary reading, decompressing if needed."""
    if f.compression == "gzip":
        return gzip.open(f.path, "rb")
    return Path(f.path).open("rb")


def _gzip_reason(exc: Exception, after: str) -> str:
    """One line for a damaged gzip stream."""
    if isinstance(exc, EOFError):
        return f"truncated gzip{after} (the file is incomplete)"
    if isinstance(exc, gzip.BadGzipFile) and not after:
        return "not a gzip file, despite the .gz extension"
    return f"corrupt gzip{after} ({_first_line(exc)})"


_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def _read_single(piece: Piece, limit: int) -> Iterator[RawRecord | Failure]:
    """Read a one-document ``.txt`` or ``.html`` file."""
    f = piece.file
    if f.compression is None and f.size > limit:
        yield _file_failure(f, _too_big(f.size, limit))
        return
    try:
        with _open(f) as fh:
            data = fh.read(limit + 1)
            if len(data) > limit:
                total = len(data) + _drain(fh)
                yield _file_failure(f, _too_big(total, limit))
                return
    except _GZIP_ERRORS as exc:
        yield _file_failure(f, _gzip_reason(exc, ""))
        return
    try:
        text, _encoding = decode(data, source=f.source, html=f.format == "html")
    except InputError as exc:
        yield _file_failure(f, exc.reason)
        return
    text, repairs = repair_mojibake(text)
    body = {"html": text} if f.format == "html" else {"text": text}
    yield RawRecord(id=f.source, source=f.source, format=f.format, repairs=repairs, **body)


def _drain(fh: IO[bytes]) -> int:
    """Read a stream to its end without keeping it; return how many bytes that was."""
    total = 0
    while chunk := fh.read(_CHUNK):
        total += len(chunk)
    return total


def _read_line(fh: IO[bytes], limit: int) -> tuple[bytes | None, int]:
    """Read one line of at most ``limit`` bytes (plus newline); a longer line is skipped and returns None."""
    line = fh.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, len(line)
    total = len(line)
    while True:
        more = fh.readline(_CHUNK)
        total += len(more)
        if not more or more.endswith(b"\n"):
            return None, total


def _read_jsonl(piece: Piece, limit: int) -> Iterator[RawRecord | Failure]:
    """Stream the JSONL records of a piece, one line at a time."""
    f = piece.file
    line_no = piece.first_line
    with _open(f) as fh:
        try:
            pos = piece.start
            if pos == 0:
                head = fh.peek(4)[:4]
                if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                    yield from _read_jsonl_utf16(f, fh, limit)
                    return
                if head.startswith(b"\xef\xbb\xbf"):
                    pos += len(fh.read(3))
            else:
                fh.seek(pos)
            while piece.stop is None or pos < piece.stop:
                line, n = _read_line(fh, limit)
                if n == 0:
                    break
                pos += n
                if line is None:
                    yield Failure(f"{f.source}:{line_no}", f.source, f.format, _too_big(n, limit))
                elif not line.isspace():
                    yield _jsonl_record(decode_lenient(line), f, line_no, line)
                line_no += 1
        except _GZIP_ERRORS as exc:
            where = f" after line {line_no - 1}" if line_no > 1 else " before the first complete line"
            yield _file_failure(f, _gzip_reason(exc, where))


def _read_jsonl_utf16(f: InputFile, fh: IO[bytes], limit: int) -> Iterator[RawRecord | Failure]:
    """Read a UTF-16 JSONL file (what Windows PowerShell's ``>`` writes); it is never split."""
    text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline=None)
    for line_no, line in enumerate(text, start=1):
        if len(line) * 2 > limit:
            yield Failure(f"{f.source}:{line_no}", f.source, f.format, _too_big(len(line) * 2, limit))
        elif line.strip():
            yield _jsonl_record(line, f, line_no, b"")


def _jsonl_record(line: str, f: InputFile, line_no: int, raw: bytes) -> RawRecord | Failure:
    """Parse one JSONL line into a record, or say why it cannot be one."""
    where = f"{f.source}:{line_no}"
    try:
        obj = json.loads(line.rstrip("\n"))
    except json.JSONDecodeError as exc:
        message = exc.msg.removesuffix(" at")  # "Unterminated string starting at" names its column itself
        return Failure(where, f.source, f.format, f"invalid JSON ({message} at column {exc.colno})")
    except RecursionError:
        return Failure(where, f.source, f.format, "invalid JSON (nested too deeply)")
    if not isinstance(obj, dict):
        return Failure(where, f.source, f.format, f"expected a JSON object, got {_json_type(obj)}")
    if not raw or b"\\ud" in raw or b"\\uD" in raw:  # json.loads lets lone surrogates through
        obj = {k: _LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in obj.items()}
    return _record(obj, f, where)


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return "null" if value is None else names.get(type(value), "a number" if isinstance(value, float) else "a value")


def _record(fields: dict[str, Any], f: InputFile, where: str) -> RawRecord | Failure:
    """Build a record from JSONL or Parquet fields: pick the body, apply the id policy, repair encoding."""
    bodies: dict[str, str | None] = {}
    for name in ("text", "html"):
        value = fields.get(name)
        if isinstance(value, bytes):
            value = decode_lenient(value)
        elif value is not None and not isinstance(value, str):
            return Failure(where, f.source, f.format, f"`{name}` is {_json_type(value)}, not a string")
        bodies[name] = value
    text, html = bodies["text"], bodies["html"]
    # Prefer a non-empty text over html (text is usually the extraction the user wants kept); an empty
    # string is still a document, which comes out with status "empty".
    if text:
        body_name, body = "text", text
    elif html:
        body_name, body = "html", html
    elif text is not None or html is not None:
        body_name, body = ("text", text) if text is not None else ("html", html)
    else:
        return Failure(where, f.source, f.format, "no text or html")
    own_id = fields.get("id")
    record_id = where if own_id is None or own_id == "" else _as_str(own_id)
    body, repairs = repair_mojibake(normalise_newlines(body))
    meta = {k: _as_str(fields.get(k)) for k in ("url", "title", "author", "date")}
    return RawRecord(id=record_id, source=f.source, format=f.format, repairs=repairs, **{body_name: body}, **meta)


def _as_str(value: Any) -> str | None:
    """Stringify a field value: lists join with ", " (several authors), dates use ISO format."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return decode_lenient(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(s for v in value if (s := _as_str(v))) or None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


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
        except _GZIP_ERRORS as exc:
            yield _file_failure(f, _gzip_reason(exc, ""))
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


def _first_line(exc: BaseException) -> str:
    """The first line of an exception message, for one-line reasons."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
