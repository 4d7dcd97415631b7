#!/usr/bin/env python3
"""Dedup speed and index memory: clean.dedup against datasketch and rensa, side by side, one thread each.

Usage: python benchmarks/dedup_speed.py [--repeat 3] [--index-docs 100000] [--skip-memory]

Speed is end to end on ../shared/eval/dedup/bbc_docs: texts in, clusters out. Every contender gets the
same shingles (word 3-grams within lines of 8+ words, ``clean.dedup.shingles``), the same 128
permutations, the same banding and verification at the same threshold:

- clean.dedup: ``find_duplicates`` (its shingling is vectorised; the others get ours in plain Python);
- datasketch: ``MinHash.bulk`` (sha1, and xxhash as its README suggests) + ``MinHashLSH`` insert/query,
  candidates verified with ``MinHash.jaccard``, union-find in Python;
- rensa: ``RMinHash.from_token_sets`` + ``RMinHashLSH`` (it needs bands to divide num_perm, so it runs
  126 = 42 x 3 permutations), candidates verified with ``RMinHash.jaccard``, union-find in Python.

Memory: an index of ``--index-docs`` signatures (bbc_docs' own, then copies with 90% of positions
redrawn): the memory each contender's index holds (ours: signatures plus band keys, counted in full,
since they are the index; the others: RSS their index adds) and the peak, each in its own process.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# One thread each: BLAS pools and rensa's rayon workers must not parallelise behind our back.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402 - after the thread settings above

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clean.dedup import DedupParams, find_duplicates, sketch  # noqa: E402
from clean.dedup.score import load_labelled, pair_score  # noqa: E402
from clean.dedup.shingles import shingles  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "dedup"


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _union_find(n: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(n)])
    sizes = np.bincount(roots, minlength=n)
    return np.where(sizes[roots] > 1, roots, -1)


def python_shingles(texts: list[str], params: DedupParams) -> list[list[str]]:
    """The shingles every other contender hashes: ours, built as strings in plain Python."""
    return [[" ".join(s) for s in shingles(t, params.ngram, params.min_line_words)] for t in texts]


def run_ours(texts: list[str], params: DedupParams) -> np.ndarray:
    return find_duplicates(texts, params).cluster


def run_datasketch(texts: list[str], params: DedupParams, hashfunc: str) -> np.ndarray:
    from datasketch import MinHash, MinHashLSH

    kwargs = {"num_perm": params.num_perm, "seed": params.seed}
    if hashfunc == "xxhash":
        import xxhash

        kwargs["hashfunc"] = xxhash.xxh32_intdigest
    sets = [[s.encode() for s in shs] for shs in python_shingles(texts, params)]
    minhashes = MinHash.bulk(sets, **kwargs)
    lsh = MinHashLSH(threshold=params.threshold, num_perm=params.num_perm, params=(params.lsh_bands, params.lsh_rows))
    live = [i for i, s in enumerate(sets) if s]
    with lsh.insertion_session() as session:
        for i in live:
            session.insert(i, minhashes[i], check_duplication=False)
    pairs = []
    for i in live:
        for j in lsh.query(minhashes[i]):
            if j > i and minhashes[i].jaccard(minhashes[j]) >= params.threshold:
                pairs.append((i, j))
    return _union_find(len(texts), pairs)


def run_rensa(texts: list[str], params: DedupParams) -> np.ndarray:
    from rensa import RMinHash, RMinHashLSH

    bands = params.lsh_bands
    num_perm = bands * params.lsh_rows
    sets = python_shingles(texts, params)
    minhashes = RMinHash.from_token_sets(sets, num_perm=num_perm, seed=params.seed)
    live = [i for i, s in enumerate(sets) if s]
    lsh = RMinHashLSH(params.threshold, num_perm, bands)
    for i in live:
        lsh.insert(i, minhashes[i])
    pairs = []
    for i, found in zip(live, lsh.query_all([minhashes[i] for i in live]), strict=True):
        for j in found:
            if j > i and minhashes[i].jaccard(minhashes[j]) >= params.threshold:
                pairs.append((i, j))
    return _union_find(len(texts), pairs)


def time_it(fn, repeat: int) -> tuple[float, np.ndarray]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def speed(repeat: int) -> None:
    data = load_labelled(EVAL, "bbc_docs")
    texts = data.texts
    mb = sum(len(t.encode()) for t in texts) / 1e6
    params = DedupParams.for_documents()
    print(f"bbc_docs: {len(texts)} documents, {mb:.2f} MB; threshold {params.threshold}, word {params.ngram}-grams, "
          f"{params.num_perm} permutations, {params.lsh_bands} bands x {params.lsh_rows} rows; best of {repeat}, one thread")
    contenders = [
        ("clean.dedup", lambda: run_ours(texts, params)),
        ("rensa 0.5 (same Python shingling)", lambda: run_rensa(texts, params)),
        ("datasketch bulk + MinHashLSH, xxhash", lambda: run_datasketch(texts, params, "xxhash")),
        ("datasketch bulk + MinHashLSH, sha1", lambda: run_datasketch(texts, params, "sha1")),
    ]
    # Warm-up outside the clock: imports, permutation caches, the bands/rows search.
    run_ours(texts[:50], params)
    run_rensa(texts[:50], params)
    run_datasketch(texts[:50], params, "xxhash")
    ours = None
    print(f"{'contender':40} {'seconds':>8} {'MB/s':>7} {'ours is':>8} {'pair F1':>8}")
    for name, fn in contenders:
        seconds, clusters = time_it(fn, repeat)
        f1 = pair_score(clusters, data.labels, data.ignore).f1
        ours = ours or seconds
        print(f"{name:40} {seconds:8.2f} {mb / seconds:7.1f} {seconds / ours:7.2f}x {f1:8.4f}")
    shingling = time_it(lambda: python_shingles(texts, params), repeat)[0]
    print(f"(of which the others' Python shingling alone: {shingling:.2f} s)")


def _index_signatures(n_docs: int, params: DedupParams) -> np.ndarray:
    """``n_docs`` signatures: bbc_docs' own, then copies with 90% of positions redrawn (distinct documents
    that share a tenth with one original, so the index holds bbc_docs' duplicate structure and little more)."""
    base = sketch(load_labelled(EVAL, "bbc_docs").texts, params).signatures
    rng = np.random.default_rng(0)
    reps = -(-n_docs // len(base))
    sigs = np.concatenate([base] * reps)[:n_docs].copy()
    mask = rng.random(sigs.shape) < 0.9
    mask[: len(base)] = False
    sigs[mask] = rng.integers(0, 2**32 - 1, int(mask.sum()), dtype=np.uint32)
    return sigs


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def memory_child(which: str, n_docs: int) -> dict[str, float]:
    from clean.dedup import band_keys, candidate_pairs, clusters, verify

    params = DedupParams.for_documents()
    sigs = _index_signatures(n_docs, params)
    gc.collect()
    before, peak_before = _rss(), _peak_rss()
    start = time.perf_counter()
    out: dict[str, float] = {"index_mb": float("nan")}
    if which == "clean.dedup":
        keys = band_keys(sigs, params.lsh_bands, params.lsh_rows)
        out["index_mb"] = (sigs.nbytes + keys.nbytes) / 1e6
        out["held_mb"] = (_rss() - before + sigs.nbytes) / 1e6
        pairs, _ = verify(candidate_pairs(keys), sigs, params.threshold)
        clusters(len(sigs), pairs, sigs, params.floor)
        out["pairs"] = len(pairs)
    elif which == "datasketch":
        from datasketch import MinHashLSH

        from clean.dedup import to_datasketch

        lsh = MinHashLSH(num_perm=params.num_perm, params=(params.lsh_bands, params.lsh_rows))
        with lsh.insertion_session() as session:
            for i, row in enumerate(sigs):
                session.insert(i, to_datasketch(row, params), check_duplication=False)
        gc.collect()
        out["held_mb"] = (_rss() - before) / 1e6
    elif which == "rensa":
        from rensa import RMinHash, RMinHashLSH

        num_perm = params.lsh_bands * params.lsh_rows
        lsh = RMinHashLSH(params.threshold, num_perm, params.lsh_bands)
        # Stand-in token hashes (a row of values per document): rensa builds its own signatures from them.
        rows = sigs[:, :num_perm].astype(np.uint64)
        offsets = np.arange(0, rows.size + 1, num_perm, dtype=np.uint64)
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(rows.ravel(), offsets, num_perm, params.seed)
        del rows, offsets
        lsh.insert_matrix(matrix)
        del matrix
        gc.collect()
        out["held_mb"] = (_rss() - before) / 1e6
    out["peak_added_mb"] = (max(_peak_rss(), peak_before) - before) / 1e6
    out["seconds"] = time.perf_counter() - start
    return out


def memory(n_docs: int) -> None:
    params = DedupParams.for_documents()
    print(f"\nIndex of {n_docs} documents, {params.lsh_bands} bands x {params.lsh_rows} rows (each contender in its own "
          "process; memory above the signatures' baseline):")
    for which in ("clean.dedup", "datasketch", "rensa"):
        proc = subprocess.run(
            [sys.executable, __file__, "--memory-child", which, "--index-docs", str(n_docs)],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            print(f"  {which}: failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        line = f"  {which:12} index held {r['held_mb']:5.0f} MB, peak {r['peak_added_mb']:5.0f} MB, {r['seconds']:5.1f} s"
        if which == "clean.dedup":
            line += (f"  (arrays: {r['index_mb']:.0f} MB = signatures uint32 + band keys uint64; peak includes "
                     f"candidates, verification and clustering: {r['pairs']} pairs)")
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--index-docs", type=int, default=100_000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (EVAL / "bbc_docs.jsonl.gz").exists():
        print(f"skipped: needs {EVAL} (the ../shared evaluation sets beside the repo)")
        return 0
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.index_docs)))
        return 0
    speed(args.repeat)
    if not args.skip_memory:
        memory(args.index_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
