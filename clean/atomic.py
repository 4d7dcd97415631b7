"""Atomic files: a reader never sees a half-written file under a final name.

Every file is written as ``.NAME.tmp-*`` beside its destination, flushed, fsynced and renamed. Plain bytes and
JSON only, so that any layer (the rules' compiled-automaton cache, the page model's weights) can write atomically
without importing pyarrow; ``writers`` adds Parquet on top.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Files get the permissions a plain ``open()`` would give them (mkstemp makes them private).
FILE_MODE = 0o666 & ~_umask()

@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success it is fsynced and renamed over ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.tmp-", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with tmp_path.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp_path.chmod(FILE_MODE)
        tmp_path.replace(dest)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        if exc.filename is None and (exc.errno == errno.ENOSPC or "No space left on device" in str(exc)):
            # A write to a file object (Python's, numpy's, Arrow's) does not say which file: say it, for the message
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dest)) from exc
        raise
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes_atomic(dest: Path, data: bytes) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


def write_json_atomic(dest: Path, obj: Any) -> None:
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n"
    write_bytes_atomic(dest, text.encode("utf-8"))
