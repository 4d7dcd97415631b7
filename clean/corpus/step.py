"""What a corpus step is, and how the steps of a run are prepared and applied.

Corpus steps are the only code that sees more than one document. They run between cleaning (per shard) and
writing (per shard again): each first reads what the shards wrote and computes something corpus-wide (lines that
recur on many pages of a site, duplicate clusters), then changes each shard's tables on the way out. Steps keep
their state in numpy arrays and files, not in per-line Python objects, so memory grows with the number of
distinct lines, not pages.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clean import readers
from clean.engines import Engine
from clean.layout import shard_paths

#: What applying a step to one shard gives: its documents and removals, and any tables of its own (``passages``).
Applied = tuple[pa.Table, pa.Table, dict[str, pa.Table]]


class CorpusStep(Protocol):
    """One corpus-wide step of a run."""

    #: The step's name in the manifest's timings.
    name: str
    #: Seconds per stage of ``prepare``, when it has several (reported as ``corpus.<name>.<stage>``).
    stage_timings: dict[str, float]

    def prepare(
        self, shards: Sequence[readers.Shard], work: Path, before: Sequence[CorpusStep], engine: Engine
    ) -> None:
        """See every shard once (as the steps ``before`` this one left it) and keep only compact state; heavy work
        goes to ``engine`` as tasks."""
        ...

    def apply(self, shard: readers.Shard, documents: pa.Table, removals: pa.Table) -> Applied:
        """One shard's tables, changed."""
        ...

    def schemas(self, schemas: dict[str, pa.Schema]) -> dict[str, pa.Schema]:
        """The published tables' schemas once this step has run (columns or tables it adds)."""
        ...

    def extend_documents(self, table: pa.Table) -> pa.Table:
        """Documents rows that never reached a shard (files that failed to open), given this step's columns."""
        ...

    def summary(self, published: Counter[str]) -> dict[str, Any]:
        """What the step did, for the manifest (``published``: the published removals counted by rule)."""
        ...


def shard_tables(work: Path, shard: readers.Shard) -> tuple[pa.Table, pa.Table]:
    """The documents and removals one shard's cleaning wrote."""
    paths = shard_paths(work, shard.index)
    return pq.read_table(paths["documents"]), pq.read_table(paths["removals"])


def applied(work: Path, shard: readers.Shard, steps: Sequence[CorpusStep]) -> tuple[pa.Table, pa.Table]:
    """One shard's documents and removals with ``steps`` applied (their own extra tables are left out)."""
    documents, removals = shard_tables(work, shard)
    for step in steps:
        documents, removals, _ = step.apply(shard, documents, removals)
    return documents, removals


def by_document(removals: pa.Table, documents: pa.Table) -> pa.Table:
    """Removals grouped by document in the documents' order, each document's rows in the order they came.

    Rows a corpus step adds go after the document's own, so the table is the same however shards were cut.
    """
    position = {doc_id: i for i, doc_id in enumerate(documents.column("id").to_pylist())}
    keys = np.fromiter(
        (position.get(i, len(position)) for i in removals.column("id").to_pylist()),
        dtype=np.int64,
        count=removals.num_rows,
    )
    return removals.take(pa.array(np.argsort(keys, kind="stable")))


def replace_text(documents: pa.Table, texts: list[str], added: list[int]) -> pa.Table:
    """New text, sizes, removal counts and status for a documents table after a corpus step removed lines."""

    def set_col(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
        return table.set_column(table.schema.get_field_index(name), table.schema.field(name), values)

    text = pa.array(texts, type=pa.string())
    documents = set_col(documents, "text", text)
    documents = set_col(documents, "n_chars_out", pc.utf8_length(text).cast(pa.int64()))
    n_removed = pc.add(documents.column("n_removed"), pa.array(added, type=pa.int32()))
    documents = set_col(documents, "n_removed", n_removed)
    status = [
        ("empty" if s == "ok" and not t else s)
        for s, t in zip(documents.column("status").to_pylist(), texts, strict=True)
    ]
    return set_col(documents, "status", pa.array(status, type=pa.string()))


class CorpusSteps:
    """The configured steps, prepared over all shards in order, applied shard by shard while the tables are written."""

    def __init__(self, work: Path, steps: Sequence[CorpusStep]) -> None:
        self.work = work
        self.steps = list(steps)
        #: Seconds per step (and per stage where a step reports them), for the manifest's timings.
        self.timings: dict[str, float] = {}

    def prepare(self, shards: Sequence[readers.Shard], engine: Engine) -> None:
        for i, step in enumerate(self.steps):
            started = time.perf_counter()
            step.prepare(shards, self.work, self.steps[:i], engine)
            self.timings[step.name] = time.perf_counter() - started
            for stage, seconds in step.stage_timings.items():
                self.timings[f"{step.name}.{stage}"] = seconds

    def schemas(self, **base: pa.Schema) -> dict[str, pa.Schema]:
        schemas = dict(base)
        for step in self.steps:
            schemas = step.schemas(schemas)
        return schemas

    def apply(self, shard: readers.Shard) -> dict[str, pa.Table]:
        documents, removals = shard_tables(self.work, shard)
        out: dict[str, pa.Table] = {}
        for step in self.steps:
            documents, removals, extra = step.apply(shard, documents, removals)
            out.update(extra)
        out["documents"] = documents
        out["removals"] = removals
        return out

    def extend_documents(self, table: pa.Table) -> pa.Table:
        for step in self.steps:
            table = step.extend_documents(table)
        return table

    def summary(self, published: Counter[str]) -> dict[str, Any]:
        """What the steps did, for the manifest; ``published`` counts the published removals by rule."""
        out: dict[str, Any] = {}
        for step in self.steps:
            out.update(step.summary(published))
        return out
