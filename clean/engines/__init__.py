"""Where tasks run: this machine's processes (``local``) or a Ray cluster (``ray``), chosen once per run.

An engine knows nothing of cleaning: it runs plain functions over plain arguments (a shard as JSON, a work
folder as a string) and hands the results back. The run gives it ``clean.shard.run_shard_job`` for the shards
and the corpus steps give it their stage tasks; both engines give the same results, so the output is
byte-identical whichever ran it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from clean.config import Config
from clean.engines.local import LocalEngine
from clean.engines.ray import RayEngine


class Engine(Protocol):
    """What the run and the corpus steps need of an engine."""

    def map_unordered(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int, Any]]:
        """``fn(*a)`` for each ``a``, spread over the workers; yields ``(position in args, result)`` as each ends."""
        ...

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], heavy: bool = False) -> list[Any]:
        """``[fn(*a) for a in args]``; light tasks (``heavy=False``) may run in the calling process."""
        ...

    def close(self, abandon: bool = False) -> None:
        """Release the workers; ``abandon`` stops them now, without waiting for their tasks."""
        ...


def engine_for(config: Config) -> Engine:
    """The engine a configuration asks for (``--engine``, ``--workers``, ``--ray-address``)."""
    if config.engine == "ray":
        return RayEngine(config.ray_address, config.workers)
    return LocalEngine(config.workers)
