"""Near-duplicate detection: syndicated news republished with small edits, found with MinHash.

Exact duplicates (same words after NFKC and lowercasing) are found first by hash; near duplicates by
MinHash over word shingles, LSH banding, verification of every candidate pair, and union-find. In each
cluster the earliest item (lowest index) is kept; the others record it as ``duplicate_of`` with their
estimated similarity to it.

Embedded use::

    from clean import dedup

    result = dedup.find_duplicates(texts)                  # DedupParams() unless given
    result.cluster, result.duplicate_of, result.similarity

Staged use (shards and bands on different machines, files between stages)::

    sk = dedup.sketch(shard_texts, params)                         # 1. per shard: signatures, exact keys
    keys = dedup.band_keys(sk.signatures, params.lsh_bands, params.lsh_rows)
    pairs = dedup.band_pairs(all_keys[:, j], global_ids)           # 2. per band
    pairs, sim = dedup.verify(pairs, all_signatures, params.threshold)   # 3.
    kept, similarity = dedup.clusters(n, pairs, all_signatures, params.floor, exact_rep)  # 4.
"""

from __future__ import annotations

from clean.dedup.cluster import clusters, components, exact_groups
from clean.dedup.find import (
    DedupResult,
    PassageResult,
    find_duplicates,
    find_duplicates_in,
    find_passage_duplicates,
    passages,
)
from clean.dedup.lsh import band_keys, band_pairs, candidate_pairs, unique_pairs, verify
from clean.dedup.minhash import EMPTY, Sketch, is_empty, jaccard, permutations, signatures, sketch, to_datasketch
from clean.dedup.params import DedupParams, DedupParamsError
from clean.dedup.shingles import normalise, shingle_hash, shingles, words

__all__ = [
    "EMPTY",
    "DedupParams",
    "DedupParamsError",
    "DedupResult",
    "PassageResult",
    "Sketch",
    "band_keys",
    "band_pairs",
    "candidate_pairs",
    "clusters",
    "components",
    "exact_groups",
    "find_duplicates",
    "find_duplicates_in",
    "find_passage_duplicates",
    "is_empty",
    "jaccard",
    "normalise",
    "passages",
    "permutations",
    "shingle_hash",
    "shingles",
    "signatures",
    "sketch",
    "to_datasketch",
    "unique_pairs",
    "verify",
    "words",
]
