"""Helpers the readers share: opening (and decompressing) a file, one-line failure reasons, and building a record.

``_record`` turns the fields of a JSONL object or a Parquet row into a ``RawRecord``, so both formats apply the
same body choice, id policy and encoding repair.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import json
import lzma
import zlib
from pathlib import Path
from typing import Any

import pyarrow as pa

from clean.document import RawRecord
from clean.encoding import decode_lenient, normalise_newlines, repair_mojibake
from clean.readers.plan import MB, Failure, InputFile

#: Record fields read from JSONL objects and Parquet columns.
FIELDS = ("id", "text", "html", "url", "title", "author", "date")

DEFAULT_MAX_DOC_BYTES = 20 * MB


def _os_reason(exc: OSError, *, link: bool = False) -> str:
    """One line for an OS error, naming the usual suspects plainly."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "broken symlink (target does not exist)" if link else "file disappeared"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def _file_failure(f: InputFile, reason: str) -> Failure:
    return Failure(f.source, f.source, f.format, reason)


def _too_big(n_bytes: int, limit: int) -> str:
    """The one-line reason for a document over the size limit."""
    return f"document is {n_bytes / MB:.1f} MB, over the limit of {limit / MB:g} MB (--max-doc-mb)"


def _open(f: InputFile) -> Any:
    """Open a file for binary reading, decompressing if needed (gzip, bzip2 and xz by the standard library, zstd by
    pyarrow's codec, so no library is added for it); every stream can ``peek`` and ``readline``."""
    if f.compression == "gzip":
        return gzip.open(f.path, "rb")
    if f.compression == "bz2":
        return bz2.open(f.path, "rb")
    if f.compression == "xz":
        return lzma.open(f.path, "rb")
    if f.compression == "zstd":
        return io.BufferedReader(pa.CompressedInputStream(pa.OSFile(f.path), "zstd"), buffer_size=1 << 20)
    return Path(f.path).open("rb")


#: How each compression is named in messages, and its file suffix.
_NAMES = {"gzip": ("gzip", ".gz"), "bz2": ("bzip2", ".bz2"), "xz": ("xz", ".xz"), "zstd": ("zstd", ".zst")}


def _gzip_reason(exc: Exception, after: str, compression: str | None = "gzip") -> str:
    """One line for a damaged compressed stream."""
    name, suffix = _NAMES.get(compression or "gzip", ("gzip", ".gz"))
    if isinstance(exc, EOFError) or "truncated" in str(exc).lower():
        return f"truncated {name}{after} (the file is incomplete)"
    if isinstance(exc, gzip.BadGzipFile) and not after:
        return f"not a gzip file, despite the {suffix} extension"
    return f"corrupt {name}{after} ({_first_line(exc)})"


#: What a damaged stream raises: gzip, zlib, xz and zstd (pyarrow).
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError, pa.ArrowInvalid)


def _stream_errors(f: InputFile) -> tuple[type[BaseException], ...]:
    """What reading ``f`` raises when its compressed stream is damaged: bzip2 and pyarrow's zstd raise a plain
    ``OSError`` ("Invalid data stream", "Truncated compressed stream"), so for them an OSError is the stream's."""
    return (*_GZIP_ERRORS, OSError) if f.compression in ("bz2", "zstd") else _GZIP_ERRORS


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
    return RawRecord(
        id=record_id, source=f.source, format=f.format, repairs=repairs, where=where, **{body_name: body}, **meta
    )


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


def _first_line(exc: BaseException) -> str:
    """The first line of an exception message, for one-line reasons."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
