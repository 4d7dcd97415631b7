"""This machine's cores: one spawn-safe process pool, started on first need and shared by every stage of a run.

A spawned worker costs about a second before it does anything, so a single task, a single worker or a light
task (``heavy=False``) runs in the calling process instead, and the pool the shards started is reused by the
corpus steps' tasks.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any


class LocalEngine:
    """Tasks on this machine's processes (``workers``; 0 or None: one per core)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_worker_init)
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


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which decides what to keep."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
