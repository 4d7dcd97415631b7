"""This machine's cores: one spawn-safe process pool, started on first need and shared by every stage of a run.

A spawned worker costs about a second before it does anything, so a single task, a single worker or a light
task (``heavy=False``) runs in the calling process instead, and the pool the shards started is reused by the
corpus steps' tasks.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import resource_tracker
from typing import Any

from clean.logs import worker_logging


class LocalEngine:
    """Tasks on this machine's processes (``workers``; 0 or None: one per core)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            _quiet_resource_tracker()
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
            )
        return self._pool

    def map_unordered(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        if self.workers <= 1 or len(args) <= 1:
            for i, a in enumerate(args):
                yield i, fn(*a)
            return
        pool = self._executor()
        try:
            pending: dict[Future, int] = {pool.submit(fn, *a): i for i, a in enumerate(args)}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield pending.pop(future), future.result()
        except BaseException:
            # Ctrl-C or a crash: abandon the tasks under way (their files are temporary until renamed, so nothing
            # half-written looks finished) and stop the workers now, not after their tasks.
            self.close(abandon=True)
            raise

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], heavy: bool = False) -> list[Any]:
        if not heavy or self.workers < 2 or len(args) < 2:
            return [fn(*a) for a in args]
        out: list[Any] = [None] * len(args)
        for i, result in self.map_unordered(fn, args):
            out[i] = result
        return out

    def close(self, abandon: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if abandon:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown()


def _worker_init(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which decides what to keep, and end when the parent ends.

    A parent killed outright (``kill -9``, the OOM killer) cannot stop its pool; without this its workers went on
    cleaning for nobody. Linux ends them the moment the parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread
    checks once a second whether the parent is still there.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_logging()
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="clean-parent-watch").start()
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker told to keep its leak warning to itself, before the pool makes locks.

    A run stopped by Ctrl-C exits without the interpreter's pool teardown (``clean.cli``; CPython gh-83386), so the
    pool's semaphores are never unregistered and the tracker warned of "leaked semaphore objects" on the user's
    terminal after the run's own one-line message. The tracker still removes them; only its warning goes (the
    tracker is a new interpreter: it reads the filter from its environment).
    """
    if sys.platform == "win32" or resource_tracker._resource_tracker._fd is not None:
        return
    saved = os.environ.get("PYTHONWARNINGS")
    quiet = "ignore:resource_tracker:UserWarning"
    os.environ["PYTHONWARNINGS"] = f"{saved},{quiet}" if saved else quiet
    try:
        resource_tracker.ensure_running()
    finally:
        if saved is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = saved


def _die_with_parent() -> bool:
    """Ask the kernel to send SIGKILL when the parent process ends (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


_PR_SET_PDEATHSIG = 1
