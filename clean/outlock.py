"""One run at a time in an output folder: an exclusive lock on ``OUT/.clean/lock`` that names its holder.

Two runs into one OUT crashed or mixed their shards. The lock is ``flock``: the kernel drops it when its process
dies, however it dies, so a lock left by a killed run is simply taken by the next one; the file holds the holder's
pid for the message the second run gives.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from clean.errors import UsageError
from clean.layout import lock_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; one run at a time is then the user's care
    fcntl = None  # type: ignore[assignment]


class OutLock:
    """Held while a run writes into ``out``; ``release`` removes the lock file (and so lets OUT's state folder go)."""

    def __init__(self, out: Path) -> None:
        self.path = lock_path(out)
        self.out = out
        self._fd: int | None = None

    def acquire(self) -> OutLock:
        """Take the lock now or raise ``UsageError`` naming the pid that holds it."""
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise UsageError(
                    f"OUT {self.out} is in use by pid {holder} (another clean run); wait for it to end or choose "
                    "another OUT"
                ) from None
            try:
                same = os.fstat(fd).st_ino == self.path.stat().st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a file the previous holder unlinked while we waited to lock it
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()  # while still held: a waiter that opened it sees a stale inode and retries
        os.close(fd)

    def __enter__(self) -> OutLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
