"""Ray Data, for pipelines that already run on Ray: ``ds.map_batches(clean.ray.CleanBatches, batch_format="pyarrow")``.

Each batch needs a ``text`` or ``html`` column (``id``, ``url``, ``title``, ``author``, ``date`` optional) and
comes back in the documents schema with a ``removals`` list column (``clean.arrow.clean_batch``). Running the
``clean`` command itself on a cluster is ``--engine ray`` (``clean.engines.ray``).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from clean.arrow import clean_batch
from clean.config import Config
from clean.engines.ray import init

__all__ = ["CleanBatches", "init"]


class CleanBatches:
    """A Ray Data callable class: ``ds.map_batches(CleanBatches, batch_format="pyarrow")``."""

    def __init__(self, **options: Any) -> None:
        self.config = Config().replace(**options) if options else Config()

    def __call__(self, batch: pa.Table) -> pa.Table:
        return pa.Table.from_batches([clean_batch(batch, self.config)])
