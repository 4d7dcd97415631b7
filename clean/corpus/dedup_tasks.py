"""The dedup step's parameters and the tasks it gives the engine: a shard's sketches, a band's candidate pairs.

Tasks take plain arguments (the work folder as a string, the shard as JSON) and leave their results as files in
``layout.dedup_dir`` (``clean.dedup.stages``), so the same tasks run in this process, a process pool or on Ray.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from clean import readers
from clean.config import Config
from clean.corpus.mapped import ids_path, write_ids
from clean.corpus.step import CorpusStep, applied
from clean.dedup import DedupParams, passages
from clean.dedup import stages as st
from clean.layout import dedup_dir

PASSAGE_MIN_WORDS = 8


def params_from(config: Config) -> dict[str, DedupParams]:
    """Document and passage parameters from the run's options (expert overrides apply to both levels)."""
    overrides: dict[str, Any] = {"threshold": config.dedup_threshold}
    for name in ("ngram", "num_perm", "bands", "rows"):
        value = getattr(config, f"dedup_{name}")
        if value is not None:
            overrides[name] = value
    return {"documents": DedupParams.for_documents(**overrides), "passages": DedupParams.for_passages(**overrides)}


def sketch_shard(work: str, shard_json: dict[str, Any], before: Sequence[CorpusStep], params: dict) -> int:
    """Task: one shard's document and passage sketches (after the earlier corpus steps) and its document ids;
    returns how many documents it has."""
    shard = readers.Shard.from_json(shard_json)
    documents, _ = applied(Path(work), shard, before)
    dest = dedup_dir(Path(work))
    part = f"{shard.index:05d}"
    texts = documents.column("text").to_pylist()
    ok = np.asarray([s == "ok" for s in documents.column("status").to_pylist()], dtype=bool)
    doc_params, passage_params = params["documents"], params["passages"]
    st.write_sketch(dest, part, "documents", st.sketch_texts(texts, ok, doc_params), doc_params)
    rows, lines, paragraphs = [], [], []
    for row, text in enumerate(texts):
        if ok[row]:
            for line, paragraph in passages(text, PASSAGE_MIN_WORDS):
                rows.append(row)
                lines.append(line)
                paragraphs.append(paragraph)
    usable = np.ones(len(paragraphs), dtype=bool)
    st.write_sketch(
        dest,
        part,
        "passages",
        st.sketch_texts(paragraphs, usable, passage_params),
        passage_params,
        row=np.asarray(rows, dtype=np.int64),
        line=np.asarray(lines, dtype=np.int32),
    )
    write_ids(ids_path(dest, part), documents.column("id").to_pylist())
    return documents.num_rows


def band_task(work: str, gathered: st.Gathered, band: int, span: int, n_spans: int) -> str:
    return str(st.band_task(dedup_dir(Path(work)), gathered, band, span, n_spans))


def verify_task(work: str, gathered: st.Gathered, candidates: Sequence[str], r: int, threshold: float) -> str:
    return str(st.verify_task(dedup_dir(Path(work)), gathered, [Path(c) for c in candidates], r, threshold))
