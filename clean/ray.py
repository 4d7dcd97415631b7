"""Ray, when one machine is not enough: the same shard function as Ray tasks, and a Ray Data adapter.

Imported only on the Ray path (``--engine ray``, ``clean.ray.CleanBatches``), so the core never needs Ray.
Usage statistics and progress bars are turned off before Ray starts. Shards read their input and write
their results as files, so OUT (and INPUT) must be on storage every node sees: a shared file system.

    clean IN OUT --engine ray --ray-address auto
    ds.map_batches(clean.ray.CleanBatches, batch_format="pyarrow")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from clean import readers
from clean.config import Config
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


def _shard_task(shard_json: dict[str, Any], config: Config, work: str) -> tuple[int, dict[str, Any]]:
    from clean.runner import run_shard

    shard = readers.Shard.from_json(shard_json)
    return shard.index, run_shard(shard, config, Path(work))


def run_shards_on_ray(shards: Sequence[readers.Shard], config: Config, work: Path) -> Iterator[tuple[int, dict]]:
    """Run each shard as a Ray task; yield (shard index, stats) as tasks finish."""
    ray = init(config.ray_address, num_cpus=config.workers or None)
    task = ray.remote(num_cpus=1)(_shard_task)
    pending = [task.remote(s.to_json(), config, str(work)) for s in shards]
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        for ref in done:
            yield ray.get(ref)


def run_tasks_on_ray(fn: Any, args: Sequence[tuple[Any, ...]], config: Config) -> list[Any]:
    """Run ``fn(*a)`` for each ``a`` as Ray tasks (corpus-step stages: dedup sketches and bands); results in order.

    Arguments shared by every task (the earlier corpus steps' state) go to the object store once.
    """
    ray = init(config.ray_address, num_cpus=config.workers or None)
    task = ray.remote(num_cpus=1)(fn)
    shared: dict[int, Any] = {}

    def ref(value: Any) -> Any:
        if isinstance(value, (str, int, float, dict)) or value is None:
            return value
        key = id(value)
        if key not in shared:
            shared[key] = ray.put(value)
        return shared[key]

    return ray.get([task.remote(*(ref(v) for v in a)) for a in args])


class CleanBatches:
    """A Ray Data callable class: ``ds.map_batches(CleanBatches, batch_format="pyarrow")``.

    Each batch needs a ``text`` or ``html`` column (``id``, ``url``, ``title``, ``author``, ``date``
    optional) and comes back in the documents schema with a ``removals`` list column.
    """

    def __init__(self, **options: Any) -> None:
        self.config = Config().replace(**options) if options else Config()

    def __call__(self, batch: pa.Table) -> pa.Table:
        from clean.arrow import clean_batch

        return pa.Table.from_batches([clean_batch(batch, self.config)])
