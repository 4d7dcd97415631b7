"""Corpus steps: the only code that sees more than one document.

They run between cleaning (per shard) and publishing (per shard again): each reads what the shards
wrote, computes something corpus-wide (duplicate clusters), and returns how to change each shard's
tables on the way out. Keeping them behind one small interface lets the same steps run embedded and,
with files between stages, on Ray.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import readers
from .config import Config


class CorpusSteps:
    """No corpus step: the shard tables are published as they are."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def schemas(self, **base: pa.Schema) -> dict[str, pa.Schema]:
        return dict(base)

    def tables(self, shard: readers.Shard) -> dict[str, pa.Table]:
        from .runner import shard_paths

        paths = shard_paths(self.work, shard.index)
        return {"documents": pq.read_table(paths["documents"]), "removals": pq.read_table(paths["removals"])}

    def apply(self, shard: readers.Shard) -> dict[str, pa.Table]:
        return self.tables(shard)

    def extend_documents(self, table: pa.Table) -> pa.Table:
        return table

    def summary(self) -> dict[str, Any]:
        return {}


def corpus_steps(config: Config, work: Path, shards: Sequence[readers.Shard]) -> CorpusSteps:
    """The corpus steps this configuration asks for, already computed and ready to apply per shard."""
    return CorpusSteps(work)
