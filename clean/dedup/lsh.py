"""LSH banding, candidate pairs and their verification, as numpy over whole columns.

Stage 1 turns each signature into ``bands`` 64-bit band keys. Stage 2 works on one band at a time (one
column of keys plus the items' global indices, so a band can be a file on another machine): sort by key,
and items with equal keys are candidates. Stage 3 verifies candidates against the signatures: a pair
joins a cluster only when its estimated Jaccard similarity reaches the threshold, because unverified
bucket hits cost 0.14-0.19 precision on the labelled sets.
"""

from __future__ import annotations

import math

import numpy as np

from clean.dedup.minhash import jaccard
from clean.dedup.shingles import fmix64

_MULT = np.uint64(0x9E3779B97F4A7C15)
# In a bucket, each item is paired with the next WINDOW items (by index) and with the bucket's first item.
# Buckets of up to WINDOW + 1 items (all real near-duplicate buckets once exact copies are folded) give all
# their pairs; a bucket of thousands (boilerplate-only pages) gives ~WINDOW pairs per item instead of n^2/2.
WINDOW = 32


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """uint64 ``(n, bands)``: band ``j`` of row ``i`` hashes ``signatures[i, j*rows:(j+1)*rows]``.

    Rows of texts without words (``minhash.is_empty``) all share one key per band; leave them out of
    the banding.
    """
    n, num_perm = signatures.shape
    if bands * rows > num_perm:
        raise ValueError(f"bands * rows = {bands * rows} exceeds the signature length {num_perm}")
    values = signatures[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    keys = values[:, :, 0].copy()
    for j in range(1, rows):
        keys *= _MULT
        keys += values[:, :, j]
    return fmix64(keys)


def band_pairs(keys: np.ndarray, ids: np.ndarray | None = None, window: int = WINDOW) -> np.ndarray:
    """Candidate pairs ``(m, 2)`` int64 ``(low, high)`` of global ids from one band's column of keys.

    Args:
        keys: uint64 ``(n,)``, one band's keys.
        ids: int64 ``(n,)``, the items' global indices (default ``0..n-1``).
        window: see ``WINDOW``.
    """
    ids = np.arange(len(keys), dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64)
    if len(keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    # By key, then id: ids come ascending from every caller, and a stable sort by key alone keeps them so at a
    # third of lexsort's memory.
    ascending = bool(np.all(ids[1:] >= ids[:-1]))
    order = np.argsort(keys, kind="stable") if ascending else np.lexsort((ids, keys))
    k, i = keys[order], ids[order]
    out = []
    for d in range(1, window + 1):
        same = k[d:] == k[:-d]
        if not same.any():
            break
        out.append(np.stack((i[:-d][same], i[d:][same]), axis=1))
    else:
        # Buckets longer than the window: also pair every member with the bucket's first (lowest) id.
        first = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
        size = np.diff(np.append(first, len(k)))
        head = np.repeat(first, size)
        far = np.flatnonzero(np.arange(len(k)) - head > window)
        out.append(np.stack((i[head[far]], i[far]), axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def candidate_pairs(keys: np.ndarray, ids: np.ndarray | None = None, window: int = WINDOW) -> np.ndarray:
    """Distinct candidate pairs over every band of ``keys`` ``(n, bands)`` (stage 2, all bands in one process)."""
    parts = [band_pairs(keys[:, j], ids, window) for j in range(keys.shape[1])]
    return unique_pairs(np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64))


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """Pairs ordered ``(low, high)``, without repeats or self-pairs, sorted."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    low, high = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    keep = low != high
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    packed = np.unique((low[keep].astype(np.uint64) << np.uint64(32)) | high[keep].astype(np.uint64))
    return np.stack(((packed >> np.uint64(32)).astype(np.int64), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)), 1)


def verify(pairs: np.ndarray, signatures: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs whose estimated Jaccard similarity reaches ``threshold``, with that similarity.

    ``signatures`` is indexed by global id (an array or a memory map of every item's row). The test is
    on the count of equal positions, so ``threshold=0.5`` with 128 permutations means 64 or more.
    """
    pairs = unique_pairs(pairs)
    if len(pairs) == 0:
        return pairs, np.zeros(0, dtype=np.float32)
    num_perm = signatures.shape[1]
    similarity = jaccard(signatures, pairs[:, 0], pairs[:, 1])
    need = math.ceil(threshold * num_perm - 1e-9)
    keep = np.rint(similarity * num_perm) >= need
    return pairs[keep], similarity[keep]
