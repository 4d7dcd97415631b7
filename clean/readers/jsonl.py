"""JSONL: one record per line, streamed a line at a time; a broken line fails alone."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import IO

from clean.document import RawRecord
from clean.encoding import decode_lenient
from clean.readers.files import (
    _file_failure,
    _gzip_reason,
    _json_type,
    _open,
    _record,
    _stream_errors,
    _too_big,
)
from clean.readers.plan import _CHUNK, Failure, InputFile, Piece

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
        except _stream_errors(f) as exc:
            where = f" after line {line_no - 1}" if line_no > 1 else " before the first complete line"
            yield _file_failure(f, _gzip_reason(exc, where, f.compression))


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
