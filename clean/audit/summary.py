"""What a published dataset holds, read back from its tables for the report: removals by rule and kind, sizes
before and after, statuses, duplicate clusters, and the documents that lost the most."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from clean.layout import table_paths

#: How many of the documents that lost the most are listed, and how many of each one's removals are shown.
TOP_DOCUMENTS = 10
TOP_REMOVALS = 40
#: Order of stages, for listing a document's removals as its page went through them.
STAGE_ORDER = {"decode": 0, "repair": 1, "clean": 2}
#: Histogram edges for text length, in characters: news bodies run from a few hundred to tens of thousands.
LENGTH_EDGES = (0, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
#: Actions that leave text in the output: they are not losses.
KEEPS_TEXT = ("join", "replace")


@dataclass
class Summary:
    """Everything the page shows, read from OUT."""

    kinds: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    rule_kind: dict[str, str] = field(default_factory=dict)
    rule_reason: dict[str, str] = field(default_factory=dict)
    #: Documents that lost characters (removals other than joins and replacements).
    removed_documents: int = 0
    status: Counter[str] = field(default_factory=Counter)
    before: list[int] = field(default_factory=lambda: [0] * len(LENGTH_EDGES))
    after: list[int] = field(default_factory=lambda: [0] * len(LENGTH_EDGES))
    chars_in: int = 0
    chars_out: int = 0
    documents: int = 0
    #: None when the documents table has no dup_cluster column (no dedup ran).
    cluster_sizes: Counter[int] | None = None
    duplicates: int = 0
    top: list[dict[str, Any]] = field(default_factory=list)
    top_removals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _dataset(out: Path, manifest: dict[str, Any], name: str) -> ds.Dataset | None:
    paths = table_paths(out, manifest, name)
    return ds.dataset([str(p) for p in paths], format="parquet") if paths else None


def _bin(n: int) -> int:
    i = 0
    while i + 1 < len(LENGTH_EDGES) and n >= LENGTH_EDGES[i + 1]:
        i += 1
    return i


def summarise(out: Path, manifest: dict[str, Any]) -> Summary:
    """Read what the page needs from the published tables."""
    s = Summary()
    removals = _dataset(out, manifest, "removals")
    ranked: list[tuple[str, int]] = []
    if removals is not None:
        # Only the documents that lost the most are kept: a dict of every document's losses took a gigabyte of the
        # driver at a million documents, after the workers had finished in a third of that.
        ranked = heapq.nsmallest(TOP_DOCUMENTS, _losses(s, removals), key=lambda kv: (-kv[1], kv[0]))
    documents = _dataset(out, manifest, "documents")
    if documents is None:
        return s
    names = documents.schema.names
    dedup = "dup_cluster" in names
    columns = ["id", "source", "title", "status", "n_chars_in", "n_chars_out", "n_removed"]
    columns += [c for c in ("dup_cluster", "duplicate_of") if c in names]
    clusters: Counter[str] = Counter()
    info: dict[str, dict[str, Any]] = {}
    wanted = {doc_id for doc_id, _ in ranked}
    for batch in documents.to_batches(columns=columns):
        for row in batch.to_pylist():
            s.documents += 1
            s.status[row["status"]] += 1
            if row["status"] != "failed":
                s.before[_bin(row["n_chars_in"])] += 1
                s.after[_bin(row["n_chars_out"])] += 1
                s.chars_in += row["n_chars_in"]
                s.chars_out += row["n_chars_out"]
            if dedup and row.get("dup_cluster") is not None:
                clusters[row["dup_cluster"]] += 1
                if row.get("duplicate_of") not in (None, row["id"]):
                    s.duplicates += 1
            if row["id"] in wanted:
                info[row["id"]] = row
    if dedup:
        s.cluster_sizes = Counter(clusters.values())
    s.top = [{**info[i], "removed_chars": n} for i, n in ranked if i in info and n > 0]
    if s.top and removals is not None:
        ids = pa.array([d["id"] for d in s.top])
        columns = ["id", "stage", "line", "start", "text", "rule", "kind", "action", "reason"]
        rows = removals.to_table(filter=pc.field("id").isin(ids), columns=columns).to_pylist()
        rows.sort(key=lambda r: (STAGE_ORDER.get(r["stage"], 3), r["stage"], r["line"], r["start"]))
        for row in rows:
            s.top_removals.setdefault(row["id"], []).append(row)
    return s


def _losses(s: Summary, removals: ds.Dataset) -> Iterator[tuple[str, int]]:
    """Each document's characters lost, one document at a time (a document's removals are contiguous in the table:
    each shard writes them document by document); counts removals by rule and kind in ``s`` on the way."""
    current: str | None = None
    lost_chars = 0
    for batch in removals.to_batches(columns=["id", "rule", "kind", "reason", "action", "text"]):
        table = pa.Table.from_batches([batch])
        grouped = table.group_by(["rule", "kind"], use_threads=False).aggregate(
            [("reason", "first"), ("action", "count")]
        )
        for rule, kind, reason, count in zip(
            *(grouped.column(c).to_pylist() for c in ("rule", "kind", "reason_first", "action_count")), strict=True
        ):
            s.rules[rule] += count
            s.kinds[kind] += count
            s.rule_kind.setdefault(rule, kind)
            s.rule_reason.setdefault(rule, reason)
        lost = table.filter(pc.invert(pc.is_in(table.column("action"), pa.array(KEEPS_TEXT))))
        lost = pa.table({"id": lost.column("id"), "n": pc.utf8_length(lost.column("text"))})
        summed = lost.group_by("id", use_threads=False).aggregate([("n", "sum")])
        for doc_id, n in zip(*(summed.column(c).to_pylist() for c in ("id", "n_sum")), strict=True):
            if doc_id == current:
                lost_chars += n
                continue
            if current is not None:
                s.removed_documents += 1
                yield current, lost_chars
            current, lost_chars = doc_id, n
    if current is not None:
        s.removed_documents += 1
        yield current, lost_chars
