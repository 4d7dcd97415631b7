"""The article-extraction benchmark's metric, shared by the quality gate and the benchmarks.

Both texts become word tokens (``\\w+``), then overlapping 4-token shingles counted as a multiset;
precision = shared / predicted, recall = shared / gold, each averaged over pages (a page with empty
output is left out of the precision mean), F1 from the two means. The same as ``score_pages.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i: i + n]) for i in range(len(tokens) - n + 1))


def page_score(gold: str, pred: str) -> tuple[float | None, float]:
    """One page's precision (None when nothing was predicted) and recall."""
    g, p = shingles(gold), shingles(pred)
    shared = sum((g & p).values())
    precision = shared / sum(p.values()) if p else None
    return precision, (shared / sum(g.values()) if g else 1.0)


def means(scores: Iterable[tuple[float | None, float]]) -> tuple[float, float, float]:
    """F1, precision and recall from per-page (precision or None, recall) pairs, as the benchmark averages."""
    precisions, recalls = [], []
    for precision, recall in scores:
        if precision is not None:
            precisions.append(precision)
        recalls.append(recall)
    mp = sum(precisions) / len(precisions) if precisions else 0.0
    mr = sum(recalls) / len(recalls) if recalls else 0.0
    return (2 * mp * mr / (mp + mr) if mp + mr else 0.0), mp, mr


def page_scores(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """F1, precision and recall over (gold, predicted) text pairs."""
    return means(page_score(gold, pred) for gold, pred in pairs)
