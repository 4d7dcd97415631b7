#!/usr/bin/env python3
"""Dedup quality on the labelled sets in ../shared/eval/dedup: pair precision, recall and F1 per set.

Usage: python benchmarks/dedup_quality.py [--seeds 1] [--no-ablations]

bbc_docs runs with ``DedupParams.for_documents()``, bbc_paras (each record one paragraph) with
``DedupParams.for_passages()``. Scoring is the README's: all pairs within predicted clusters against all
pairs with the same label, ignoring the listed pairs. ``--seeds N`` repeats each row with permutation
seeds 1..N and prints the worst and mean (MinHash estimates move with the seed). The ablation rows undo
one default at a time, down to the usual setup (5-grams over the whole text, 32 x 4, no chain floor),
and the last table gives recall per kind of edit at the defaults.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clean.dedup import DedupParams, find_duplicates  # noqa: E402
from clean.dedup.score import LabelledSet, load_labelled, pair_score  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "dedup"
SETS = {"bbc_docs": DedupParams.for_documents, "bbc_paras": DedupParams.for_passages}
ABLATIONS = {
    "defaults": {},
    "no chain floor": {"chain_floor": 0.0},
    "whole text (no line rule)": {"min_line_words": 0},
    "word 5-grams": {"ngram": 5},
    "32 x 4 bands": {"bands": 32, "rows": 4},
    "usual: 5-grams, whole text, 32x4, no floor": {"ngram": 5, "min_line_words": 0, "bands": 32, "rows": 4,
                                                   "chain_floor": 0.0},
}


def row(data: LabelledSet, params: DedupParams, seeds: int) -> tuple[np.ndarray, float]:
    scores, seconds = [], 0.0
    for seed in range(1, seeds + 1):
        start = time.perf_counter()
        clusters = find_duplicates(data.texts, params.replace(seed=seed)).cluster
        seconds += time.perf_counter() - start
        s = pair_score(clusters, data.labels, data.ignore)
        scores.append((s.precision, s.recall, s.f1))
    return np.array(scores), seconds / seeds


def recall_by_edit(data: LabelledSet, params: DedupParams) -> dict[str, tuple[int, int]]:
    """True pairs found / true pairs, by the edit recipe of the pair's copy (two copies: both recipes)."""
    cluster = find_duplicates(data.texts, params).cluster
    ignored = {(min(a, b), max(a, b)) for a, b in data.ignore}
    members: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(data.labels):
        members[label].append(i)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group in members.values():
        for a, b in itertools.combinations(group, 2):
            if (a, b) in ignored:
                continue
            recipes = sorted({str(data.records[i]["meta"].get("recipe")) for i in (a, b)} - {"original"}) or ["original"]
            key = " + ".join(recipes)
            counts[key][1] += 1
            counts[key][0] += int(cluster[a] >= 0 and cluster[a] == cluster[b])
    return {k: (v[0], v[1]) for k, v in counts.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="permutation seeds 1..N per row (worst and mean)")
    parser.add_argument("--no-ablations", action="store_true")
    args = parser.parse_args()
    if not EVAL.is_dir():
        print(f"skipped: needs {EVAL} (the ../shared evaluation sets beside the repo)")
        return 0
    for name, preset in SETS.items():
        data = load_labelled(EVAL, name)
        base = preset()
        print(f"\n{name}: {len(data.records)} records, {len(set(data.labels))} clusters, {len(data.ignore)} ignored pairs;"
              f" defaults {base.resolved()}")
        print(f"  {'setting':44} {'P':>7} {'R':>7} {'F1':>7} {'worst F1':>9} {'s/run':>6}")
        rows = ABLATIONS if not args.no_ablations else {"defaults": {}}
        for label, change in rows.items():
            scores, seconds = row(data, base.replace(**change), args.seeds)
            p, r, f = scores.mean(axis=0)
            print(f"  {label:44} {p:7.4f} {r:7.4f} {f:7.4f} {scores[:, 2].min():9.4f} {seconds:6.2f}")
        if name == "bbc_docs" or not args.no_ablations:
            print("  recall by kind of edit at the defaults:")
            for key, (found, total) in sorted(recall_by_edit(data, base).items()):
                print(f"    {key:28} {found:5}/{total:<5} {found / total:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
