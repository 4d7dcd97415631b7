"""A compressed JSONL file cut into pieces a worker can read on its own.

A compressed stream (gzip, bzip2, xz, zstd) cannot be entered in the middle, so a large ``.jsonl.gz`` was one piece
and ran on one core, holding its million records' results at once. Planning now reads it once, as a stream, and
writes each piece (``target_bytes`` of records, or ``max_docs`` of them, cut at a line end) as a file of its own
into the run's work folder, compressed fast (gzip level 1); each piece keeps the original's source and its first
line number, so ids and everything published are what reading the file whole would give. A file that fits in one
piece, that is UTF-16, or whose stream is damaged is left whole: reading it then reports the damage where it is.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from clean.atomic import atomic_path
from clean.readers.files import _GZIP_ERRORS, _open
from clean.readers.plan import _CHUNK, InputFile, Piece

#: gzip's fastest level: the parts are read once, by the run itself, and removed with its work folder.
PART_LEVEL = 1


def split_jsonl(f: InputFile, target_bytes: int, max_docs: int, folder: Path) -> list[tuple[Piece, int, int]] | None:
    """The pieces of a compressed JSONL file, each written to ``folder``; None to leave the file whole."""
    stem = hashlib.sha256(f.source.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    pieces: list[tuple[Piece, int, int]] = []
    written: list[Path] = []
    try:
        with _open(f) as fh:
            if fh.peek(4)[:4].startswith((b"\xff\xfe", b"\xfe\xff")):
                return None
            first = 1
            buffer: list[bytes] = []
            size = 0
            for line in _lines(fh):
                buffer.append(line)
                size += len(line)
                if size >= target_bytes or len(buffer) >= max_docs:
                    if not pieces and _at_end(fh):  # everything fits in one piece: keep the file as it is
                        return None
                    pieces.append(_write_part(f, folder, stem, len(pieces), first, buffer, size, written))
                    first += len(buffer)
                    buffer, size = [], 0
            if not pieces:
                return None
            if buffer:
                pieces.append(_write_part(f, folder, stem, len(pieces), first, buffer, size, written))
    except (OSError, *_GZIP_ERRORS):  # damaged: read whole, the reader says where
        for path in written:
            path.unlink(missing_ok=True)
        return None
    return pieces


def _lines(fh):
    """The stream's lines, the last one without its newline if the file does not end with one."""
    while line := fh.readline(_CHUNK):
        while not line.endswith(b"\n"):
            more = fh.readline(_CHUNK)
            if not more:
                break
            line += more
        yield line


def _at_end(fh) -> bool:
    return not fh.peek(1)


def _write_part(
    f: InputFile, folder: Path, stem: str, n: int, first: int, lines: list[bytes], size: int, written: list[Path]
) -> tuple[Piece, int, int]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{n:05d}.jsonl.gz"
    with atomic_path(path) as tmp, tmp.open("wb") as raw, gzip.GzipFile(
        fileobj=raw, mode="wb", compresslevel=PART_LEVEL, mtime=0
    ) as out:
        out.writelines(lines)
    written.append(path)
    part = InputFile(str(path), f.source, f.format, "gzip", path.stat().st_size)
    return Piece(part, first_line=first, part_of=f), size, len(lines)
