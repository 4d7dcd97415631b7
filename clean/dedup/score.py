"""Pair-level scoring of duplicate clusters against labels, as ``../shared/eval/dedup/README.md`` defines it.

Predicted pairs are all pairs of items in one predicted cluster; true pairs all pairs with the same
label; pairs on the ignore list count neither way. Counting goes through cluster sizes, so a set of any
size scores without listing its pairs.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PairScore:
    """Pair precision, recall and F1, with the counts behind them."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int


def _pairs(counts: Iterable[int]) -> int:
    return sum(c * (c - 1) // 2 for c in counts)


def pair_score(
    predicted: Sequence[int] | np.ndarray,
    labels: Sequence[Any],
    ignore: Iterable[tuple[int, int]] = (),
) -> PairScore:
    """Score predicted cluster ids (-1: in no cluster) against labels; ``ignore`` holds index pairs."""
    pred = [int(p) if int(p) >= 0 else -1 - i for i, p in enumerate(predicted)]  # singletons: own ids
    labels = list(labels)
    predicted_pairs = _pairs(Counter(pred).values())
    actual_pairs = _pairs(Counter(labels).values())
    both = _pairs(Counter(zip(pred, labels, strict=True)).values())
    for a, b in {(min(a, b), max(a, b)) for a, b in ignore if a != b}:
        same_pred, same_label = pred[a] == pred[b], labels[a] == labels[b]
        predicted_pairs -= same_pred
        actual_pairs -= same_label
        both -= same_pred and same_label
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / actual_pairs if actual_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, both, predicted_pairs, actual_pairs)


@dataclass(frozen=True)
class LabelledSet:
    """One labelled set: records (``id``, ``text``, ``cluster``, ``meta``) and ignored index pairs."""

    name: str
    records: list[dict[str, Any]]
    ignore: list[tuple[int, int]]

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.records]

    @property
    def labels(self) -> list[str]:
        return [r["cluster"] for r in self.records]


def load_labelled(folder: Path, name: str) -> LabelledSet:
    """Read ``<folder>/<name>.jsonl.gz`` and ``<name>.ignore.json`` (id pairs become index pairs)."""
    with gzip.open(folder / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    index = {r["id"]: i for i, r in enumerate(records)}
    ignore_path = folder / f"{name}.ignore.json"
    pairs = json.loads(ignore_path.read_text(encoding="utf-8")) if ignore_path.exists() else []
    ignore = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
    return LabelledSet(name=name, records=records, ignore=ignore)


def sample_by_cluster(data: LabelledSet, clusters: int, seed: int = 0) -> LabelledSet:
    """A deterministic sample of whole clusters (every copy of a chosen original), keeping input order."""
    names = sorted(set(data.labels))
    chosen = set(np.random.default_rng(seed).choice(len(names), size=min(clusters, len(names)), replace=False))
    keep_names = {names[i] for i in chosen}
    keep = [i for i, r in enumerate(data.records) if r["cluster"] in keep_names]
    new_index = {old: new for new, old in enumerate(keep)}
    ignore = [(new_index[a], new_index[b]) for a, b in data.ignore if a in new_index and b in new_index]
    return LabelledSet(name=data.name, records=[data.records[i] for i in keep], ignore=ignore)
