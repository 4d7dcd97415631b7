"""The published tables, written by the workers: runs of consecutive shards, each run changed by the corpus steps and
written as one piece of every table by one task.

Until this, the workers changed each shard and the driver read every table back and wrote the part files alone,
re-encoding each row: at 100,000 documents a tenth of the run on one core, and on a cluster every byte of the dataset
through one machine. Pieces are cut by the cleaned text the shards hold (known from their done markers), never by
the number of workers, so the same inputs and options give the same files on one core, on eight, or on Ray.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from clean import readers
from clean.corpus.step import CorpusStep, CorpusSteps
from clean.writers import PartWriter, file_sha256

#: Cleaned text per piece: about 10 MB of compressed Parquet for the documents, and at 100,000 news documents
#: (190 M characters) six pieces, enough to keep two workers busy to the end.
PIECE_CHARS = 32 << 20


def pieces(
    shards: Sequence[readers.Shard], chars: Sequence[int], target: int | None = None
) -> list[list[readers.Shard]]:
    """Consecutive runs of ``shards`` holding about equal shares of the text (``chars`` per shard), each near
    ``target`` (``PIECE_CHARS``); at least one run when there is a shard."""
    total = sum(chars)
    n = max(1, math.ceil(total / (target or PIECE_CHARS)))
    runs: list[list[readers.Shard]] = []
    at = 0
    for shard, size in zip(shards, chars, strict=True):
        if not runs or (at >= total * len(runs) / n and len(runs) < n):
            runs.append([])
        runs[-1].append(shard)
        at += size
    return runs


def write_piece(
    work: str,
    shards: Sequence[dict[str, Any]],
    steps: Sequence[CorpusStep],
    staging: str,
    number: int,
    schemas: dict[str, pa.Schema],
    tail: pa.Table | None = None,
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, int], dict[str, int]]:
    """Task: the shards' tables through every corpus step, written as ``<table>/piece-<number>-NNNNN.parquet`` in
    ``staging`` (``tail``, documents of inputs that never reached a shard, after them); returns the files per table
    with their sha256 (hashed here, in parallel, while the file is in the page cache) and the published removals
    counted by kind and by rule."""
    runner = CorpusSteps(Path(work), steps)
    writers = {
        name: PartWriter(Path(staging) / name, schema, prefix=f"piece-{number:05d}-")
        for name, schema in schemas.items()
    }
    kinds: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    try:
        for shard_json in shards:
            for name, table in runner.apply(readers.Shard.from_json(shard_json)).items():
                writers[name].write(table)
                if name == "removals":  # counted as published: corpus steps and dedup add rows
                    kinds.update(_counts(table.column("kind")))
                    rules.update(_counts(table.column("rule")))
        if tail is not None:
            writers["documents"].write(tail)
        files = {name: [(str(p), file_sha256(p)) for p in w.close(empty_part=False)] for name, w in writers.items()}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    return files, dict(kinds), dict(rules)


def number_parts(staging: Path, files: Sequence[Path], schema: pa.Schema) -> list[Path]:
    """The pieces of one table, in order, renamed ``part-NNNNN.parquet``; one empty part when there are none."""
    if not files:
        return PartWriter(staging, schema).close()
    out = []
    for k, path in enumerate(files):
        dest = path.with_name(f"part-{k:05d}.parquet")
        path.rename(dest)
        out.append(dest)
    return out


def _counts(column: pa.ChunkedArray) -> dict[str, int]:
    """How often each value occurs in a string column (counted in Arrow, not in Python)."""
    counted = pc.value_counts(column)
    return dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True))
