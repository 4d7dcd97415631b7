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


def page_scores(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """F1, precision and recall over (gold, predicted) text pairs."""
    precisions, recalls = [], []
    for gold, pred in pairs:
        g, p = shingles(gold), shingles(pred)
        shared = sum((g & p).values())
        if p:
            precisions.append(shared / sum(p.values()))
        recalls.append(shared / sum(g.values()) if g else 1.0)
    mp = sum(precisions) / len(precisions) if precisions else 0.0
    mr = sum(recalls) / len(recalls) if recalls else 0.0
    return (2 * mp * mr / (mp + mr) if mp + mr else 0.0), mp, mr
