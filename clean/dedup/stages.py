"""Dedup over a sharded corpus as stages with files between them, so one process or a Ray cluster runs them alike.

A run keeps its stage files in ``work/dedup/`` (``level`` is ``documents`` or ``passages``):

- ``sketch_shard`` (one task per shard): ``NNNNN.<level>.npz`` with the shard's signatures, exact keys and
  empty flags, and ``NNNNN.<level>.keys.npy``, its band keys laid out ``(bands, n)`` so that the task of one
  band reads one contiguous row of each shard's file: the signatures partitioned by band.
- ``gather`` (the driver): ``<level>.sig.npy``, every item's signature in corpus order (a previously
  published dataset first), memory-mapped by the later stages, and which items are banded at all (the
  first of each exact group, never an empty text).
- ``band_task`` (one task per band): candidate pairs from equal keys, verified against the signatures;
  ``<level>.pairs-BBB.npy``.
- ``finish`` (the driver): union-find over the verified pairs with the chain floor (``cluster.clusters``).

Items are numbered in corpus order (shard by shard, row by row), never by which task finished first, so the
result does not depend on how the corpus was cut into shards, how many workers ran, or on which engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clean.atomic import atomic_path
from clean.dedup.cluster import clusters, exact_groups
from clean.dedup.lsh import band_keys, band_pairs, unique_pairs, verify
from clean.dedup.minhash import Sketch, sketch
from clean.dedup.params import DedupParams

LEVELS = ("documents", "passages")


def _path(work: Path, part: str, level: str, suffix: str) -> Path:
    return work / f"{part}.{level}.{suffix}"


def write_sketch(work: Path, part: str, level: str, sk: Sketch, params: DedupParams, **extra: np.ndarray) -> None:
    """One part's sketch and its band keys (``part`` is a shard number, or ``prior`` for an earlier dataset)."""
    keys = band_keys(sk.signatures, params.lsh_bands, params.lsh_rows)
    with atomic_path(_path(work, part, level, "keys.npy")) as tmp, tmp.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(keys.T))
    with atomic_path(_path(work, part, level, "npz")) as tmp, tmp.open("wb") as fh:
        np.savez(fh, signatures=sk.signatures, exact=sk.exact, empty=sk.empty, **extra)


def sketch_texts(texts: Sequence[str], usable: np.ndarray, params: DedupParams) -> Sketch:
    """``sketch`` of ``texts`` where items not ``usable`` (failed or empty documents) count as empty."""
    sk = sketch(texts, params)
    return Sketch(signatures=sk.signatures, exact=sk.exact, empty=sk.empty | ~usable)


def load_sketch(work: Path, part: str, level: str) -> dict[str, np.ndarray]:
    with np.load(_path(work, part, level, "npz")) as data:
        return {k: data[k] for k in data.files}


@dataclass
class Gathered:
    """What the band tasks and ``finish`` need about one level, after every part was sketched."""

    level: str
    parts: list[str]
    offsets: np.ndarray  # int64 (len(parts) + 1,): part i holds items offsets[i]:offsets[i + 1]
    rep: np.ndarray  # int64: first item with the same exact key; -1 for empty items
    signatures: Path

    @property
    def n(self) -> int:
        return int(self.offsets[-1])


def gather(work: Path, level: str, parts: Sequence[str], num_perm: int) -> Gathered:
    """Concatenate the parts' signatures into one memory-mappable file and fold exact duplicates."""
    exact, empty, sizes = [], [], []
    for part in parts:
        data = load_sketch(work, part, level)
        exact.append(data["exact"])
        empty.append(data["empty"])
        sizes.append(len(data["empty"]))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    path = work / f"{level}.sig.npy"
    total = int(offsets[-1])
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint32, shape=(total, num_perm))
    for i, part in enumerate(parts):
        if sizes[i]:
            out[offsets[i] : offsets[i + 1]] = load_sketch(work, part, level)["signatures"]
    out.flush()
    del out
    rep = exact_groups(
        np.concatenate(exact) if exact else np.zeros((0, 2), dtype=np.uint64),
        np.concatenate(empty) if empty else np.zeros(0, dtype=bool),
    )
    np.save(work / f"{level}.rep.npy", rep)
    return Gathered(level=level, parts=list(parts), offsets=offsets, rep=rep, signatures=path)


def band_task(work: Path, gathered: Gathered, band: int, threshold: float) -> Path:
    """Verified candidate pairs of one band, from that band's row of every part's key file."""
    rep = np.load(work / f"{gathered.level}.rep.npy", mmap_mode="r")
    keys, ids = [], []
    for i, part in enumerate(gathered.parts):
        column = np.load(_path(work, part, gathered.level, "keys.npy"), mmap_mode="r")
        index = np.arange(gathered.offsets[i], gathered.offsets[i + 1], dtype=np.int64)
        first = rep[index] == index  # the first of each exact group; empty items have rep -1
        keys.append(np.asarray(column[band])[first])
        ids.append(index[first])
    pairs = band_pairs(np.concatenate(keys), np.concatenate(ids)) if keys else np.zeros((0, 2), dtype=np.int64)
    signatures = np.load(gathered.signatures, mmap_mode="r")
    pairs, _ = verify(pairs, signatures, threshold)
    path = work / f"{gathered.level}.pairs-{band:03d}.npy"
    np.save(path, pairs)
    return path


def finish(gathered: Gathered, pair_files: Sequence[Path], params: DedupParams) -> tuple[np.ndarray, np.ndarray]:
    """The kept member (``-1`` for empty items) and the similarity to it of every item (``cluster.clusters``)."""
    parts = [np.load(p) for p in pair_files]
    pairs = unique_pairs(np.concatenate(parts)) if parts else np.zeros((0, 2), dtype=np.int64)
    signatures = np.load(gathered.signatures, mmap_mode="r")
    return clusters(gathered.n, pairs, signatures, params.floor, gathered.rep)
