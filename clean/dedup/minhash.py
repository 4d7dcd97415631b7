"""MinHash signatures, bit-compatible with datasketch, computed for a whole batch with numpy.

The permutations are datasketch's own (taken from a ``datasketch.MinHash`` built with the same
``num_perm``, ``seed`` and ``scheme``), and so is the arithmetic: for datasketch 2's default "affine32"
scheme, ``a * fmix32(h) + b`` in uint32; for "legacy", ``(a * h + b) % (2^61 - 1) & (2^32 - 1)`` in
uint64. With ``shingles.shingle_hash`` as datasketch's ``hashfunc``, a row of ``signatures`` is exactly
the ``hashvalues`` datasketch computes, so ``to_datasketch`` can hand it to datasketch's indexes and
storage backends. Values are below 2^32 in both schemes, so rows are stored as uint32 (half of
datasketch's legacy uint64).

All permutations are applied as one broadcast over a chunk of shingles (``num_perm`` x
``CHUNK_SHINGLES`` uint32, 16 MB by default), and the per-text minimum is one ``np.minimum.reduceat``:
there is no Python loop per shingle, and a long document is simply spread over several chunks.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from clean.dedup.params import DedupParams

if TYPE_CHECKING:
    from datasketch import LeanMinHash
from clean.dedup.shingles import ShingleBatch, shingle_batch

EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's initial hash value: a text with no shingles keeps it everywhere
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64((1 << 32) - 1)
# Shingles per permutation chunk: 128 x 32768 x 4 bytes = 16 MB of scratch (uint64 for legacy: 32 MB).
CHUNK_SHINGLES = 32768
# Texts are shingled in batches of about this many characters: arrays of a few MB stay in cache and
# reuse memory (one batch of 10 MB ran 30% slower on page faults alone).
BATCH_CHARS = 250_000


@functools.lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int, scheme: str) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters ``(a, b)`` for ``MinHash(num_perm, seed, scheme=scheme)``."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
    dtype = np.uint32 if scheme == "affine32" else np.uint64
    a, b = np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser: datasketch's pre-mix of each input hash in the affine schemes."""
    x = x ^ (x >> np.uint32(16))
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


def signatures_from_hashes(hashes: np.ndarray, offsets: np.ndarray, params: DedupParams) -> np.ndarray:
    """Signatures ``(n, num_perm)`` uint32 of texts whose shingle hashes are ``hashes[offsets[i]:offsets[i+1]]``.

    A text without shingles gets an all-``EMPTY`` row (datasketch's empty MinHash).
    """
    n = len(offsets) - 1
    a, b = permutations(params.num_perm, params.seed, params.scheme)
    out = np.full((n, params.num_perm), EMPTY, dtype=np.uint32)
    total = int(offsets[-1])
    if total == 0:
        return out
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    if params.scheme == "affine32":
        mixed = _fmix32(hashes.astype(np.uint32, copy=False))
        dtype = np.uint32
    else:
        mixed = hashes.astype(np.uint64)
        dtype = np.uint64
    # Permutations along the first axis: the per-text minimum then runs over contiguous memory, which
    # makes ``reduceat`` about 10x faster than over rows of a (shingles, num_perm) block.
    scratch = np.empty((params.num_perm, min(CHUNK_SHINGLES, total)), dtype=dtype)
    a_col, b_col = a[:, None], b[:, None]
    for start in range(0, total, CHUNK_SHINGLES):
        stop = min(start + CHUNK_SHINGLES, total)
        block = scratch[:, : stop - start]
        np.multiply(a_col, mixed[None, start:stop], out=block)
        block += b_col
        if params.scheme != "affine32":
            np.remainder(block, _MERSENNE, out=block)
            np.bitwise_and(block, _MAX32, out=block)
        who = owner[start:stop]
        firsts = np.flatnonzero(np.concatenate(([True], who[1:] != who[:-1])))
        mins = np.minimum.reduceat(block, firsts, axis=1).T
        rows = who[firsts]
        out[rows] = np.minimum(out[rows], mins)
    return out


@dataclass(frozen=True)
class Sketch:
    """What the later stages need from a batch of texts.

    Attributes:
        signatures: uint32 ``(n, num_perm)``.
        exact: uint64 ``(n, 2)``, the exact-duplicate key (128-bit hash of the normalised words).
        empty: bool ``(n,)``, no words: never a duplicate.
    """

    signatures: np.ndarray
    exact: np.ndarray
    empty: np.ndarray


def sketch(texts: Sequence[str], params: DedupParams | None = None) -> Sketch:
    """Signatures and exact keys of ``texts`` in one pass over the words (stage 1, per shard)."""
    params = params or DedupParams()
    parts: list[tuple[np.ndarray, ShingleBatch]] = []
    for batch in _batches(texts):
        shingled = shingle_batch(batch, params.ngram, params.min_line_words)
        parts.append((signatures_from_hashes(shingled.hashes, shingled.offsets, params), shingled))
    if not parts:
        return Sketch(
            signatures=np.zeros((0, params.num_perm), dtype=np.uint32),
            exact=np.zeros((0, 2), dtype=np.uint64),
            empty=np.zeros(0, dtype=bool),
        )
    return Sketch(
        signatures=np.concatenate([p[0] for p in parts]),
        exact=np.concatenate([p[1].exact for p in parts]),
        empty=np.concatenate([p[1].empty for p in parts]),
    )


def signatures(texts: Sequence[str], params: DedupParams | None = None) -> np.ndarray:
    """MinHash signatures ``(n, num_perm)`` uint32 of ``texts`` (empty texts: all ``EMPTY``)."""
    return sketch(texts, params).signatures


def _batches(texts: Sequence[str]) -> list[Sequence[str]]:
    """Consecutive slices of about ``BATCH_CHARS`` characters (a longer text is a batch of its own)."""
    out: list[Sequence[str]] = []
    start, size = 0, 0
    for i, text in enumerate(texts):
        if size and size + len(text) > BATCH_CHARS:
            out.append(texts[start:i])
            start, size = i, 0
        size += len(text)
    if start < len(texts):
        out.append(texts[start:])
    return out


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """Rows that saw no shingle (all ``EMPTY``): such texts never join a cluster."""
    return np.all(signatures == EMPTY, axis=1)


def jaccard(signatures: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of rows ``left[i]`` and ``right[i]``: the share of equal positions."""
    out = np.empty(len(left), dtype=np.float32)
    num_perm = signatures.shape[1]
    step = max(1, (1 << 22) // max(1, num_perm))
    for s in range(0, len(left), step):
        eq = signatures[left[s : s + step]] == signatures[right[s : s + step]]
        out[s : s + step] = np.count_nonzero(eq, axis=1) / num_perm
    return out


def to_datasketch(signature: np.ndarray, params: DedupParams | None = None) -> LeanMinHash:
    """One signature row as a ``datasketch.LeanMinHash``, for datasketch's LSH indexes and storage."""
    from datasketch import LeanMinHash

    params = params or DedupParams()
    dtype = np.uint32 if params.scheme == "affine32" else np.uint64
    return LeanMinHash(seed=params.seed, hashvalues=np.asarray(signature).astype(dtype), scheme=params.scheme)
