"""``--dedup-against OUT1``: the signatures an earlier dataset published, as the first items of this run's dedup.

Only an output folder of ``clean`` whose signatures were made with this run's parameters is accepted; anything
else is a usage error that says why, before any work is done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clean.dedup import DedupParams
from clean.dedup import stages as st
from clean.dedup.minhash import Sketch
from clean.errors import UsageError
from clean.layout import read_manifest


def check_against(out: Path, params: dict[str, DedupParams]) -> list[str]:
    """The signature files of the earlier dataset ``out``, or a UsageError saying why it cannot be used."""
    if not out.is_dir():
        raise UsageError(f"--dedup-against {out}: no such folder (give the OUT of an earlier run)")
    manifest = read_manifest(out)
    if manifest is None:
        raise UsageError(f"--dedup-against {out}: not an output folder of clean (no readable manifest.json)")
    files = manifest.get("files", {}).get("signatures")
    theirs = (manifest.get("dedup") or {}).get("params")
    if not files or not theirs:
        raise UsageError(f"--dedup-against {out}: it has no signatures/ table (it was made with --no-dedup)")
    for level, p in params.items():
        mine = p.resolved()
        for key in ("ngram", "num_perm", "seed", "scheme", "min_line_words"):
            if theirs.get(level, {}).get(key) != mine[key]:
                raise UsageError(
                    f"--dedup-against {out}: its {level} signatures use {key}={theirs.get(level, {}).get(key)!r}, "
                    f"this run {key}={mine[key]!r}; use the same dedup options as that run"
                )
    missing = [f for f in files if not (out / f).is_file()]
    if missing:
        raise UsageError(f"--dedup-against {out}: {missing[0]} is missing; rerun that dataset")
    return files


def load_prior(out: Path, params: dict[str, DedupParams]) -> dict[str, dict[str, Any]]:
    """The signatures an earlier run published in ``out``, checked against this run's parameters."""
    files = check_against(out, params)
    table = pq.ParquetDataset([str(out / f) for f in files]).read()
    out_levels: dict[str, dict[str, Any]] = {}
    for level in st.LEVELS:
        part = table.filter(pc.equal(table.column("level"), level))
        n = part.num_rows
        num_perm = params[level].num_perm
        sig = _from_fixed(part.column("signature"), np.dtype("<u4"), num_perm, n)
        exact = _from_fixed(part.column("exact"), np.dtype("<u8"), 2, n)
        out_levels[level] = {
            "ids": part.column("id").to_pylist(),
            "index": np.asarray(part.column("index").fill_null(-1).to_numpy(), dtype=np.int32),
            "sketch": Sketch(signatures=sig.astype(np.uint32), exact=exact.astype(np.uint64), empty=np.zeros(n, bool)),
        }
    return out_levels


def _from_fixed(column: pa.ChunkedArray, dtype: np.dtype, width: int, n: int) -> np.ndarray:
    chunks = [
        np.frombuffer(c.buffers()[1], dtype=dtype)[c.offset * width : (c.offset + len(c)) * width]
        for c in column.chunks
    ]
    values = np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)
    return values.reshape(n, width)
