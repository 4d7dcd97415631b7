"""One-document files: a ``.txt`` or ``.html`` file (optionally gzipped) is one record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from clean.document import RawRecord
from clean.encoding import decode, repair_mojibake
from clean.errors import InputError
from clean.readers.files import _file_failure, _gzip_reason, _open, _stream_errors, _too_big
from clean.readers.plan import _CHUNK, Failure, Piece


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
    except _stream_errors(f) as exc:
        yield _file_failure(f, _gzip_reason(exc, "", f.compression))
        return
    try:
        text, _encoding = decode(data, source=f.source, html=f.format == "html")
    except InputError as exc:
        yield _file_failure(f, exc.reason)
        return
    text, repairs = repair_mojibake(text)
    body = {"html": text} if f.format == "html" else {"text": text}
    yield RawRecord(id=f.source, source=f.source, format=f.format, repairs=repairs, where=f.source, **body)


def _drain(fh: IO[bytes]) -> int:
    """Read a stream to its end without keeping it; return how many bytes that was."""
    total = 0
    while chunk := fh.read(_CHUNK):
        total += len(chunk)
    return total
