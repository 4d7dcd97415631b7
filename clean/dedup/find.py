"""One-call duplicate finding for texts held in memory, built from the staged functions.

``find_duplicates`` runs the four stages in one process; a distributed run calls the same functions
with files between them (``sketch`` per shard, ``band_pairs`` per band, ``verify``, then ``clusters``).
``find_passage_duplicates`` does the same for paragraphs, so a wire story inside a longer page is found
even when the pages as wholes share little.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clean.dedup.cluster import clusters, exact_groups
from clean.dedup.lsh import band_keys, band_pairs, unique_pairs, verify
from clean.dedup.minhash import Sketch, sketch
from clean.dedup.params import DedupParams
from clean.dedup.shingles import words


@dataclass(frozen=True)
class DedupResult:
    """Decisions for ``n`` items, in input order.

    Attributes:
        cluster: int64, the cluster id (its kept member's index), -1 for an item in no cluster.
        duplicate_of: int64, the kept member's index, -1 on kept and unique items.
        similarity: float32, estimated Jaccard similarity with the kept member (1.0 for an exact copy;
            NaN on kept and unique items).
        exact: bool, the item's normalised words equal an earlier item's.
        pairs: int64 ``(m, 2)``, the verified near-duplicate pairs that joined clusters (audit trail;
            exact copies are not listed).
        pair_similarity: float32 ``(m,)``, their estimated similarity.
    """

    cluster: np.ndarray
    duplicate_of: np.ndarray
    similarity: np.ndarray
    exact: np.ndarray
    pairs: np.ndarray
    pair_similarity: np.ndarray

    @property
    def is_duplicate(self) -> np.ndarray:
        """Items that a deduplicated dataset drops (every cluster member but the kept one)."""
        return self.duplicate_of >= 0


def find_duplicates(texts: Sequence[str], params: DedupParams | None = None) -> DedupResult:
    """Exact, then near-duplicate clusters of ``texts``; the earliest member of each cluster is kept."""
    params = params or DedupParams()
    return find_duplicates_in(sketch(texts, params), params)


def find_duplicates_in(sk: Sketch, params: DedupParams | None = None) -> DedupResult:
    """``find_duplicates`` on an existing sketch (e.g. signatures of shards concatenated in corpus order)."""
    params = params or DedupParams()
    n = len(sk.signatures)
    rep = exact_groups(sk.exact, sk.empty)
    firsts = np.flatnonzero(rep == np.arange(n))
    keys = band_keys(sk.signatures[firsts], params.lsh_bands, params.lsh_rows)
    candidates = [band_pairs(keys[:, j], firsts) for j in range(keys.shape[1])]
    pairs = unique_pairs(np.concatenate(candidates)) if candidates else np.zeros((0, 2), dtype=np.int64)
    pairs, pair_similarity = verify(pairs, sk.signatures, params.threshold)
    kept, similarity = clusters(n, pairs, sk.signatures, params.floor, rep)

    index = np.arange(n, dtype=np.int64)
    duplicate_of = np.where((kept >= 0) & (kept != index), kept, -1)
    in_cluster = np.zeros(n, dtype=bool)
    in_cluster[duplicate_of[duplicate_of >= 0]] = True
    in_cluster |= duplicate_of >= 0
    cluster = np.where(in_cluster, kept, -1)
    return DedupResult(
        cluster=cluster,
        duplicate_of=duplicate_of,
        similarity=similarity,
        exact=(rep >= 0) & (rep != index),
        pairs=pairs,
        pair_similarity=pair_similarity,
    )


def passages(text: str, min_words: int = 8) -> list[tuple[int, str]]:
    """The paragraphs worth comparing: ``(line index, line)`` for each line with ``min_words`` words or more.

    Paragraphs are the lines of the cleaned text (one paragraph per line). Shorter lines (headings,
    datelines, captions) recur across unrelated articles and say little about copying.
    """
    return [(i, line) for i, line in enumerate(text.split("\n")) if len(words(line)) >= min_words]


@dataclass(frozen=True)
class PassageResult:
    """Passage-level decisions: passage ``k`` is line ``line[k]`` of text ``doc[k]``; ``result`` is over passages."""

    doc: np.ndarray
    line: np.ndarray
    result: DedupResult


def find_passage_duplicates(
    texts: Sequence[str], params: DedupParams | None = None, min_words: int = 8
) -> PassageResult:
    """Near-duplicate passages across ``texts`` (by default ``DedupParams.for_passages()``).

    Passages are ordered by text, then line, so the kept passage is the earliest occurrence.
    """
    params = params or DedupParams.for_passages()
    doc: list[int] = []
    line: list[int] = []
    flat: list[str] = []
    for d, text in enumerate(texts):
        for i, paragraph in passages(text, min_words):
            doc.append(d)
            line.append(i)
            flat.append(paragraph)
    return PassageResult(
        doc=np.asarray(doc, dtype=np.int64),
        line=np.asarray(line, dtype=np.int64),
        result=find_duplicates(flat, params),
    )
