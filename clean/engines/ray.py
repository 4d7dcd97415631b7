"""A Ray cluster, when one machine is not enough: the same task functions as Ray tasks.

Imported only on the Ray path (``--engine ray``), so the core never needs Ray. Usage statistics and progress
bars are turned off before Ray starts. Shards read their input and write their results as files, so OUT (and
INPUT) must be on storage every node sees: a shared file system, or one machine with several nodes.

    clean IN OUT --engine ray --ray-address auto        # a cluster started with `ray start --head`
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from clean.errors import UsageError


def _import_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray: pip install 'clean[ray]' (or pip install -e '.[ray]')") from None
    return ray


def init(address: str | None = None, *, num_cpus: int | None = None) -> Any:
    """Connect to a Ray cluster (``address``) or start a local one; quiet, no telemetry."""
    ray = _import_ray()
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            kwargs["address"] = address
        elif num_cpus:
            kwargs["num_cpus"] = num_cpus
        ray.init(**kwargs)
    with contextlib.suppress(AttributeError):  # older Ray has no such switch
        ray.data.DataContext.get_current().enable_progress_bars = False
    return ray


class RayEngine:
    """Tasks as Ray tasks of one CPU each, on the cluster at ``address`` (or a local one of ``workers`` CPUs)."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.ray = init(address, num_cpus=workers or None)

    def map_unordered(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        task = self.ray.remote(num_cpus=1)(_indexed)
        pending = [task.remote(i, fn, *a) for i, a in enumerate(args)]
        while pending:
            done, pending = self.ray.wait(pending, num_returns=1)
            for ref in done:
                yield self.ray.get(ref)

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], heavy: bool = False) -> list[Any]:
        """Every task on the cluster; arguments shared by several tasks (the earlier corpus steps' state) go to the
        object store once."""
        task = self.ray.remote(num_cpus=1)(fn)
        shared: dict[int, Any] = {}

        def ref(value: Any) -> Any:
            if isinstance(value, (str, int, float, dict)) or value is None:
                return value
            key = id(value)
            if key not in shared:
                shared[key] = self.ray.put(value)
            return shared[key]

        return self.ray.get([task.remote(*(ref(v) for v in a)) for a in args])

    def close(self, abandon: bool = False) -> None:
        """The cluster outlives the run (a local one ends with the process)."""


def _indexed(i: int, fn: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    return i, fn(*args)
