"""Dedup over a sharded corpus as stages with files between them, so one process or a Ray cluster runs them alike.

A run keeps its stage files in ``work/dedup/`` (``level`` is ``documents`` or ``passages``):

- ``sketch_shard`` (one task per shard): ``NNNNN.<level>.sig.npy``, the shard's signatures;
  ``NNNNN.<level>.npz`` with its exact keys and empty flags; and ``NNNNN.<level>.keys.npy``, its band keys laid
  out ``(bands, n)`` so that the task of one band reads one contiguous row of each shard's file: the signatures
  partitioned by band.
- ``gather`` (the driver): ``<level>.sig.npy``, every item's signature in corpus order (a previously
  published dataset first; a shard's own file is removed once copied), written with plain file writes and read
  through short-lived memory maps (``SignatureFile``), so no process holds the whole file resident;
  ``<level>.rep.npy``, each item's exact group; ``<level>.first.npy``, which items are banded at all (the first of
  each exact group, never an empty text).
- ``band_task`` (one task per band, or per range of a band's key values when it holds more than ``SPAN_ITEMS``):
  candidate pairs from equal keys, verified against the signatures; ``<level>.pairs-BBB-SSS.npy``.
- ``finish`` (the driver): union-find over the verified pairs with the chain floor (``cluster.clusters``),
  reading the pair files one at a time.

Items are numbered in corpus order (shard by shard, row by row), never by which task finished first, so the
result does not depend on how the corpus was cut into shards, how many workers ran, or on which engine.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clean.atomic import atomic_path
from clean.dedup.cluster import clusters, exact_groups
from clean.dedup.lsh import band_keys, band_pairs, unique_pairs
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
    with atomic_path(_path(work, part, level, "sig.npy")) as tmp, tmp.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(sk.signatures, dtype=np.uint32))
    with atomic_path(_path(work, part, level, "npz")) as tmp, tmp.open("wb") as fh:
        np.savez(fh, exact=sk.exact, empty=sk.empty, **extra)


def sketch_texts(texts: Sequence[str], usable: np.ndarray, params: DedupParams) -> Sketch:
    """``sketch`` of ``texts`` where items not ``usable`` (failed or empty documents) count as empty."""
    sk = sketch(texts, params)
    return Sketch(signatures=sk.signatures, exact=sk.exact, empty=sk.empty | ~usable)


def load_sketch(work: Path, part: str, level: str, *names: str) -> dict[str, np.ndarray]:
    """One part's sketch arrays but its signatures (``names``, or all of them): exact keys, empty flags, and for
    passages where each sits (``row``, ``line``)."""
    with np.load(_path(work, part, level, "npz")) as data:
        return {k: data[k] for k in (names or data.files)}


def _data_offset(path: Path) -> tuple[int, tuple[int, ...]]:
    """Where a ``.npy`` file's data starts, and its shape."""
    with path.open("rb") as fh:
        version = np.lib.format.read_magic(fh)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, _ = header(fh)
        return fh.tell(), shape


def read_rows(path: Path, start: int, end: int, num_perm: int, offset: int) -> np.ndarray:
    """Rows ``start:end`` of a signature file, read (not mapped: the pages of a map stay resident in the process
    that touched them, and this kernel maps a whole large folio of page cache on each fault)."""
    row = num_perm * 4
    with path.open("rb") as fh:
        fh.seek(offset + start * row)
        data = fh.read((end - start) * row)
    return np.frombuffer(data, dtype="<u4").reshape(end - start, num_perm)


class SignatureFile:
    """Signature rows by global index, read from ``<level>.sig.npy`` a run of nearby rows at a time.

    Rows are read with ``pread``, never through a memory map: the band tasks and the clusters touch rows all over a
    file of 512 bytes an item (2.7 GB for a million documents' passages), and a map kept every page it touched
    resident, up to 6 GB of summed RSS on two workers. A read costs about 2 µs a row, so the bulk of the reads
    (verifying candidate pairs) goes through ``verify_task``'s sequential blocks instead.
    """

    #: Requested rows closer than this are read in one call with the rows between them.
    GAP = 16

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset, shape = _data_offset(path)
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: np.ndarray) -> np.ndarray:
        index = np.asarray(index, dtype=np.int64)
        num_perm = self.shape[1]
        out = np.empty((len(index), num_perm), dtype=np.uint32)
        if not len(index):
            return out
        order = np.argsort(index, kind="stable")
        wanted = index[order]
        starts = np.flatnonzero(np.diff(wanted, prepend=wanted[0] - self.GAP - 1) > self.GAP)
        ends = np.append(starts[1:], len(wanted))
        row = num_perm * 4
        fd = os.open(self.path, os.O_RDONLY)
        try:
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                first, last = int(wanted[s]), int(wanted[e - 1]) + 1
                data = os.pread(fd, (last - first) * row, self.offset + first * row)
                block = np.frombuffer(data, dtype="<u4").reshape(last - first, num_perm)
                out[order[s:e]] = block[wanted[s:e] - first]
        finally:
            os.close(fd)
        return out


def signature_rows(work: Path, level: str, start: int, end: int) -> np.ndarray:
    """Items ``start:end`` of a level's signatures (a shard's, for the published ``signatures`` table)."""
    rows = SignatureFile(work / f"{level}.sig.npy")
    return read_rows(rows.path, start, end, rows.shape[1], rows.offset)


@dataclass
class Gathered:
    """What the band tasks and ``finish`` need about one level, after every part was sketched (small: it is sent
    with every band task; the per-item arrays stay in files)."""

    level: str
    parts: list[str]
    offsets: np.ndarray  # int64 (len(parts) + 1,): part i holds items offsets[i]:offsets[i + 1]
    signatures: Path
    rep: Path  # int64 per item: first item with the same exact key; -1 for empty items
    first: Path  # bool per item: banded at all (the first of its exact group, not empty)
    banded: int  # how many are

    @property
    def n(self) -> int:
        return int(self.offsets[-1])


def gather(work: Path, level: str, parts: Sequence[str], num_perm: int) -> Gathered:
    """Copy the parts' signatures into one file in corpus order and fold exact duplicates."""
    exact, empty = [], []
    for part in parts:
        data = load_sketch(work, part, level, "exact", "empty")
        exact.append(data["exact"])
        empty.append(data["empty"])
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in empty], out=offsets[1:])
    path = work / f"{level}.sig.npy"
    _write_rows(path, work, level, parts, offsets, num_perm)
    rep = exact_groups(
        np.concatenate(exact) if exact else np.zeros((0, 2), dtype=np.uint64),
        np.concatenate(empty) if empty else np.zeros(0, dtype=bool),
    )
    del exact
    np.save(work / f"{level}.rep.npy", rep)
    first = rep == np.arange(len(rep))  # empty items have rep -1
    np.save(work / f"{level}.first.npy", first)
    return Gathered(
        level=level,
        parts=list(parts),
        offsets=offsets,
        signatures=path,
        rep=work / f"{level}.rep.npy",
        first=work / f"{level}.first.npy",
        banded=int(first.sum()),
    )


def _write_rows(path: Path, work: Path, level: str, parts: Sequence[str], offsets: np.ndarray, num_perm: int) -> None:
    """The parts' signatures, in order, as one ``.npy`` file, written part by part (never mapped: the pages of a
    map written through stay resident in the writer)."""
    total = int(offsets[-1])
    rows = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint32, shape=(total, num_perm))
    del rows
    with path.open("r+b") as fh:
        np.lib.format.read_magic(fh)
        np.lib.format.read_array_header_1_0(fh)
        start = fh.tell()
        for i, part in enumerate(parts):
            source = _path(work, part, level, "sig.npy")
            if offsets[i + 1] > offsets[i]:
                fh.seek(start + int(offsets[i]) * num_perm * 4)
                fh.write(np.ascontiguousarray(np.load(source), dtype="<u4").data)
            source.unlink()  # the copy is the only one: 512 bytes an item on disk, not twice that


#: Banded items per band task: a band of more is cut into ranges of key values, a task each, so that a task's
#: memory (about 30 bytes an item: keys, indices, their sort order) stays near 60 MB however large the corpus.
SPAN_ITEMS = 1 << 21


def spans(gathered: Gathered) -> int:
    """Into how many ranges of key values each band is cut (``SPAN_ITEMS``)."""
    return max(1, -(-gathered.banded // SPAN_ITEMS))


def band_task(work: Path, gathered: Gathered, band: int, span: int = 0, n_spans: int = 1) -> Path:
    """Candidate pairs of one band (of the ``span``-th of ``n_spans`` equal ranges of its key values: equal keys fall
    in one range, so the ranges' pairs together are the band's), from that band's row of every part's key file;
    saved ``(2, m)``, sorted by the lower item, for ``verify_task`` to take its range from."""
    first = np.load(gathered.first, mmap_mode="r")
    low, high = (span << 64) // n_spans, ((span + 1) << 64) // n_spans
    keys, ids = [], []
    for i, part in enumerate(gathered.parts):
        start, end = int(gathered.offsets[i]), int(gathered.offsets[i + 1])
        column = np.load(_path(work, part, gathered.level, "keys.npy"), mmap_mode="r")
        row = np.array(column[band])
        take = np.array(first[start:end])
        if n_spans > 1:
            take &= row >= np.uint64(low)
            if high < 1 << 64:
                take &= row < np.uint64(high)
        keys.append(row[take])
        ids.append(np.flatnonzero(take) + start)
        del column
    del first
    pairs = band_pairs(np.concatenate(keys), np.concatenate(ids)) if keys else np.zeros((0, 2), dtype=np.int64)
    del keys, ids
    pairs = unique_pairs(pairs)
    path = work / f"{gathered.level}.candidates-{band:03d}-{span:03d}.npy"
    np.save(path, np.ascontiguousarray(pairs.T.astype(_index_type(gathered.n))))
    return path


#: Items per verifying task's range, and per block of signatures it reads: 64 MB of signatures each.
VERIFY_ROWS = 1 << 17


def verify_ranges(gathered: Gathered) -> int:
    """How many ``verify_task`` ranges the level's items are cut into."""
    return max(1, -(-gathered.n // VERIFY_ROWS))


def verify_task(work: Path, gathered: Gathered, candidates: Sequence[Path], r: int, threshold: float) -> Path:
    """The candidate pairs (of every band) whose lower item is in the ``r``-th range of ``VERIFY_ROWS`` items,
    verified against the signatures: the range's rows read once, the higher items' rows read in ascending blocks,
    never a signature row at random; saves the pairs that reach ``threshold`` (``lsh.verify``'s test)."""
    lo = r * VERIFY_ROWS
    hi = min(gathered.n, lo + VERIFY_ROWS)
    taken = []
    for path in candidates:
        column = np.load(path, mmap_mode="r")
        a, b = np.searchsorted(column[0], [lo, hi])
        if b > a:
            taken.append(np.array(column[:, a:b]))
        del column
    # The range's distinct pairs ordered by the higher item, packed in 8 bytes each while they are sorted: at a
    # million documents a range held 4.5 million candidates, and int64 pairs with their sort order took 600 MB.
    joined = np.concatenate(taken, axis=1) if taken else np.zeros((2, 0), dtype=np.int64)
    del taken
    packed = joined[1].astype(np.uint64)
    packed <<= np.uint64(32)
    packed |= joined[0].astype(np.uint64)
    del joined
    packed.sort()
    distinct = np.ones(len(packed), dtype=bool)
    np.not_equal(packed[1:], packed[:-1], out=distinct[1:])
    packed = packed[distinct]
    del distinct
    index_type = _index_type(gathered.n)
    higher = (packed >> np.uint64(32)).astype(index_type)
    lower = (packed & np.uint64(0xFFFFFFFF)).astype(index_type)
    del packed
    rows = SignatureFile(gathered.signatures)
    num_perm = rows.shape[1]
    similarity = np.empty(len(lower), dtype=np.float32)
    if len(lower):
        left = read_rows(rows.path, lo, hi, num_perm, rows.offset)
        at = 0
        while at < len(higher):
            base = int(higher[at])
            end = int(np.searchsorted(higher, base + VERIFY_ROWS))
            block = read_rows(rows.path, base, int(higher[end - 1]) + 1, num_perm, rows.offset)
            for s in range(at, end, _STEP):
                e = min(end, s + _STEP)
                eq = left[lower[s:e] - lo] == block[higher[s:e] - base]
                similarity[s:e] = np.count_nonzero(eq, axis=1) / num_perm
            at = end
    need = math.ceil(threshold * num_perm - 1e-9)
    keep = np.rint(similarity * num_perm) >= need
    path = work / f"{gathered.level}.pairs-{r:05d}.npy"
    np.save(path, unique_pairs(np.stack((lower[keep], higher[keep]), axis=1)))
    return path


#: Pairs compared at a time: two blocks of 32k x 512 bytes.
_STEP = 1 << 15


def _index_type(n: int) -> type:
    return np.int32 if n < 1 << 31 else np.int64


def finish(gathered: Gathered, pair_files: Sequence[Path], params: DedupParams) -> tuple[np.ndarray, np.ndarray]:
    """The kept member (``-1`` for empty items) and the similarity to it of every item (``cluster.clusters``),
    reading the verified pair files one at a time."""
    return clusters(
        gathered.n,
        lambda: (np.load(p) for p in pair_files),
        SignatureFile(gathered.signatures),
        params.floor,
        np.load(gathered.rep),
    )
