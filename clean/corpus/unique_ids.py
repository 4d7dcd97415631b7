"""Every document's id unique in the output, whatever ids the inputs carried.

Record files bring their own ids, and two files often share them (both number their rows from 0, or one crawl is
in two dumps). Two rows with one id were merged by ``--explain`` and made ``duplicate_of`` ambiguous. The rule: the
first document with an id, in input order (files in the order of their sources, records in file order), keeps it;
each later one becomes ``<id>@<where>``, ``where`` being its place in the input (``<source>:<line or row>``), which
no other document shares; should an input already use that very id, ``~2``, ``~3``... follow it. The new id says
where the record came from, and it depends on the inputs alone, never on how the run was cut into shards: a shard
only tells its repeats apart (``shard._unique_ids``), and this step, seeing every shard's ids, names them all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clean import readers
from clean.corpus.step import Applied, CorpusStep
from clean.engines import Engine
from clean.layout import renames_dir, shard_paths
from clean.shard import PROVISIONAL

RULE = "a document whose id an earlier one had became <id>@<source>:<line or row>"


class UniqueIds:
    """Rename the later of two documents with one id (see the module); always the first corpus step."""

    name = "unique_ids"

    def __init__(self) -> None:
        self.stage_timings: dict[str, float] = {}
        self.work: Path | None = None
        self.shards_renamed: frozenset[int] = frozenset()
        self.renamed = 0

    def prepare(
        self, shards: Sequence[readers.Shard], work: Path, before: Sequence[CorpusStep], engine: Engine
    ) -> None:
        """Find every document whose id an earlier one had, from the shards' id columns (Arrow and numpy: no Python
        object per document unless it is renamed), and write each shard's renames to a file of its own."""
        self.work = work
        columns = [pq.read_table(shard_paths(work, s.index)["documents"], columns=["id"]).column("id") for s in shards]
        chunks = [c for col in columns for c in col.chunks]
        if not chunks:
            return
        ids = pa.chunked_array(chunks, type=pa.string())
        given = pc.replace_substring_regex(ids, f"{PROVISIONAL}.*", "")  # the ids the inputs gave
        distinct = pc.unique(given)  # in order of first appearance
        if len(distinct) == len(given):
            return
        codes = pc.index_in(given, value_set=distinct).to_numpy(zero_copy_only=False)
        _, first = np.unique(codes, return_index=True)
        later = np.flatnonzero(np.arange(len(codes)) != first[codes])
        starts = np.concatenate(([0], np.cumsum([len(c) for c in columns])))
        shard_of = np.searchsorted(starts, later, side="right") - 1
        row_of = later - starts[shard_of]
        wheres = {k: pq.read_table(shard_paths(work, shards[k].index)["where"]).column("where") for k in set(shard_of)}
        current = [columns[k][r].as_py() for k, r in zip(shard_of.tolist(), row_of.tolist(), strict=True)]
        place = [wheres[k][r].as_py() for k, r in zip(shard_of.tolist(), row_of.tolist(), strict=True)]
        old = [c.split(PROVISIONAL, 1)[0] for c in current]
        new = [f"{i}@{w}" for i, w in zip(old, place, strict=True)]
        clash = pc.is_in(pa.array(new, type=pa.string()), value_set=distinct).to_numpy(zero_copy_only=False)
        if clash.any():  # an input already uses such an id: ~2, ~3... after it
            taken = set(distinct.to_pylist()) | set(new)
            for j in np.flatnonzero(clash).tolist():
                k = 2
                while f"{new[j]}~{k}" in taken:
                    k += 1
                new[j] = f"{new[j]}~{k}"
                taken.add(new[j])
        folder = renames_dir(work)
        folder.mkdir(parents=True, exist_ok=True)
        for k in sorted(set(shard_of.tolist())):
            renames = {current[j]: new[j] for j in np.flatnonzero(shard_of == k).tolist()}  # unique within a shard
            path = folder / f"{shards[k].index:05d}.json"
            path.write_text(json.dumps(renames, ensure_ascii=False), encoding="utf-8")
        self.renamed = len(new)
        self.shards_renamed = frozenset(shards[k].index for k in set(shard_of.tolist()))

    def apply(self, shard: readers.Shard, documents: pa.Table, removals: pa.Table) -> Applied:
        if shard.index not in self.shards_renamed or self.work is None:
            return documents, removals, {}
        path = renames_dir(self.work) / f"{shard.index:05d}.json"
        renames: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return _renamed(documents, renames), _renamed(removals, renames), {}

    def schemas(self, schemas: dict[str, pa.Schema]) -> dict[str, pa.Schema]:
        return schemas

    def extend_documents(self, table: pa.Table) -> pa.Table:
        return table

    def summary(self, published: Counter[str]) -> dict[str, Any]:
        return {"ids": {"renamed": self.renamed, "rule": RULE}} if self.renamed else {}


def _renamed(table: pa.Table, renames: dict[str, str]) -> pa.Table:
    """``table`` with its ``id`` column's values renamed."""
    i = table.schema.get_field_index("id")
    ids = [renames.get(v, v) for v in table.column(i).to_pylist()]
    return table.set_column(i, table.schema.field(i), pa.array(ids, type=pa.string()))
