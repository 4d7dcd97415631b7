"""The dedup corpus step: near-duplicate documents and passages across the corpus, flagged or dropped.

It runs ``clean.dedup`` as stages (``clean.dedup.stages``): a sketch task per shard, one task per LSH band,
union-find in the driver, then a per-shard apply while the tables are written. Tasks go through the run's engine
(``clean.engines``: this machine's processes or Ray tasks); the result is the same bytes on each.

Decisions, for documents and for passages (paragraphs of 8 words or more):

- the kept member of a cluster is the one that comes first in corpus order (inputs sorted by path, then
  line or row); with ``--dedup-against OUT1`` everything OUT1 published comes before this run's items, so
  OUT1's copy is always the one kept;
- ``dup_cluster`` is the kept member's id (for passages ``<id>#<index>``), so a cluster is named by a row a
  user can look up; ``duplicate_of`` is null on the kept member;
- with ``drop_duplicates``, a duplicate document is not written (each of its lines becomes a removal of kind
  ``duplicate_document``), and a duplicate passage is removed from a written document's text (kind
  ``duplicate_passage``) when its kept passage is in another document that stays published (written by this
  run, or in OUT1). A passage whose original was only in a dropped document stays: dropping it too would
  lose the text entirely. Each removal's ``ref`` is ``<kept id>`` or ``<kept id>#<index>``; split an index off
  at the last ``#``.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc

from clean import readers
from clean.config import Config
from clean.corpus.dedup_tasks import band_task, params_from, sketch_shard, verify_task
from clean.corpus.mapped import Ids, concat_ids, ids_path, load_arrays, save_arrays, write_ids
from clean.corpus.prior import check_against, load_prior
from clean.corpus.step import Applied, CorpusStep, by_document, replace_text
from clean.dedup import stages as st
from clean.document import Removal
from clean.engines import Engine
from clean.layout import dedup_dir
from clean.schema import DEDUP_COLUMNS, PASSAGES, removals_table, signatures_schema

__all__ = ["Duplicates", "check_against", "params_from"]

#: Passages decided at a time (``_decide``).
DECIDE_CHUNK = 1 << 20
#: Items from which a level's band tasks go to the worker pool. Starting the pool costs about a second; the
#: bands of 30,000 documents took about a second on one core (benchmarks/scale.py), so smaller levels stay here.
BANDS_IN_POOL = 50_000


class Duplicates:
    """Flag (or drop) duplicate documents and passages; write ``passages/`` and ``signatures/``."""

    name = "dedup"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.params = params_from(config)
        self.drop = config.drop_duplicates
        self.against = Path(config.dedup_against) if config.dedup_against else None
        self._summary: dict[str, Any] = {}
        #: Seconds per stage (sketch, then bands and clusters per level), reported in the manifest's timings.
        self.stage_timings: dict[str, float] = {}

    # ------------------------------------------------------------------ prepare: the stages

    def prepare(
        self, shards: Sequence[readers.Shard], work: Path, before: Sequence[CorpusStep], engine: Engine
    ) -> None:
        dest = dedup_dir(work)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        self.work = dest
        started = time.perf_counter()
        counts = engine.map(
            sketch_shard, [(str(work), s.to_json(), list(before), self.params) for s in shards], heavy=True
        )
        self.stage_timings["sketch"] = time.perf_counter() - started
        parts = [f"{s.index:05d}" for s in shards]
        prior_passages: dict[str, Any] = {}
        self.n_prior = {"documents": 0, "passages": 0}
        # Every document's id in corpus order, in one Arrow file the workers read by position: the driver never
        # holds a million ids.
        id_files = [ids_path(dest, part) for part in parts]
        if self.against is not None:
            prior = load_prior(self.against, self.params)
            for level in st.LEVELS:
                st.write_sketch(dest, "prior", level, prior[level]["sketch"], self.params[level])
                self.n_prior[level] = len(prior[level]["ids"])
            write_ids(ids_path(dest, "prior"), prior["documents"]["ids"])
            id_files.insert(0, ids_path(dest, "prior"))
            prior_passages = {"ids": prior["passages"]["ids"], "index": prior["passages"]["index"]}
            parts = ["prior", *parts]
            del prior
        concat_ids(dest / "state.ids.arrow", id_files)
        self.n_docs = self.n_prior["documents"] + sum(counts)
        self.doc_offsets = {
            s.index: self.n_prior["documents"] + o for s, o in zip(shards, _starts(counts), strict=True)
        }

        self.kept: dict[str, np.ndarray] = {}
        self.similarity: dict[str, np.ndarray] = {}
        self.gathered: dict[str, st.Gathered] = {}
        for level in st.LEVELS:
            params = self.params[level]
            started = time.perf_counter()
            gathered = st.gather(dest, level, parts, params.num_perm)
            n_spans = st.spans(gathered)
            in_pool = gathered.n >= BANDS_IN_POOL
            candidates = engine.map(
                band_task,
                [(str(work), gathered, b, span, n_spans) for b in range(params.lsh_bands) for span in range(n_spans)],
                heavy=in_pool,
            )
            ranges = st.verify_ranges(gathered)
            files = engine.map(
                verify_task,
                [(str(work), gathered, candidates, r, params.threshold) for r in range(ranges)],
                heavy=in_pool,
            )
            for path in candidates:
                Path(path).unlink()
            banded = time.perf_counter()
            self.kept[level], self.similarity[level] = st.finish(gathered, [Path(f) for f in files], params)
            self.gathered[level] = gathered
            self.stage_timings[f"{level}.bands"] = banded - started
            self.stage_timings[f"{level}.clusters"] = time.perf_counter() - banded

        # Passages: which document (global index) and line each one is, in corpus order.
        p_doc, p_line = [], []
        if self.against is not None:
            p_doc.append(np.full(self.n_prior["passages"], -1, dtype=np.int64))
            p_line.append(prior_passages["index"].astype(np.int32))
        self.passage_offsets: dict[int, int] = {}
        at = self.n_prior["passages"]
        for shard in shards:
            data = st.load_sketch(dest, f"{shard.index:05d}", "passages", "row", "line")
            self.passage_offsets[shard.index] = at
            at += len(data["row"])
            p_doc.append(self.doc_offsets[shard.index] + data["row"])
            p_line.append(data["line"])
        self.p_doc = np.concatenate(p_doc) if p_doc else np.zeros(0, dtype=np.int64)
        self.p_line = np.concatenate(p_line) if p_line else np.zeros(0, dtype=np.int32)
        write_ids(dest / "state.prior_ids.arrow", prior_passages.get("ids", []))
        self._decide()
        self._store()

    def _decide(self) -> None:
        """Global decisions: which documents are written, which passages are removed from which text."""
        n_docs = self.n_docs
        kept = self.kept["documents"]
        index = np.arange(n_docs)
        self.doc_dup = (kept >= 0) & (kept != index)
        self.doc_head = np.zeros(n_docs, dtype=bool)
        self.doc_head[kept[self.doc_dup]] = True
        prior = index < self.n_prior["documents"]
        written = ~self.doc_dup if self.drop else np.ones(n_docs, dtype=bool)
        published = written | prior  # where a kept passage may live for its copies to be removed

        # Passages a million at a time: at a million documents, five million passages' whole-array temporaries
        # were the driver's largest allocation.
        pk = self.kept["passages"]
        n_p = len(pk)
        first_new = self.n_prior["passages"]
        self.p_dup = np.zeros(n_p, dtype=bool)
        self.p_head = np.zeros(n_p, dtype=bool)
        self.p_remove = np.zeros(n_p, dtype=bool)
        for start in range(0, n_p, DECIDE_CHUNK):
            end = min(n_p, start + DECIDE_CHUNK)
            k, at = pk[start:end], np.arange(start, end)
            dup = (k >= 0) & (k != at)
            self.p_dup[start:end] = dup
            self.p_head[k[dup]] = True
            if self.drop:
                own = self.p_doc[start:end]
                origin = np.where(dup, k, at)
                origin_doc = self.p_doc[origin]
                origin_published = (origin < first_new) | published[np.maximum(origin_doc, 0)]
                new = at >= first_new
                self.p_remove[start:end] = (
                    dup & new & (origin_doc != own) & origin_published & written[np.maximum(own, 0)]
                )
        self.written = written

        new_docs = ~prior
        first_doc = self.n_prior["documents"]
        self._summary = {
            "dedup": {
                "documents": int(new_docs.sum()),
                "duplicate_documents": int((self.doc_dup & new_docs).sum()),
                "exact_duplicate_documents": int(
                    (self.doc_dup & new_docs & (np.load(self.gathered["documents"].rep, mmap_mode="r") != index)).sum()
                ),
                "document_clusters": _clusters(kept[first_doc:], (self.doc_dup | self.doc_head)[first_doc:]),
                "passages": n_p - first_new,
                "duplicate_passages": int(self.p_dup[first_new:].sum()),
                "passage_clusters": _clusters(pk[first_new:], self.p_dup[first_new:] | self.p_head[first_new:]),
                "dropped_documents": int((~written & new_docs).sum()),
                "removed_passages": int(self.p_remove.sum()),
                "against": str(self.against) if self.against else None,
                "against_documents": self.n_prior["documents"],
                "against_passages": self.n_prior["passages"],
                "params": {level: p.resolved() for level, p in self.params.items()},
            }
        }

    # ------------------------------------------------------------------ apply: per shard, while publishing

    def schemas(self, schemas: dict[str, pa.Schema]) -> dict[str, pa.Schema]:
        documents = schemas["documents"]
        for f in DEDUP_COLUMNS:
            documents = documents.append(f)
        num_perm = self.params["documents"].num_perm
        return {**schemas, "documents": documents, "passages": PASSAGES, "signatures": signatures_schema(num_perm)}

    def extend_documents(self, table: pa.Table) -> pa.Table:
        """Rows that never reached a shard (files that failed to open): no dedup decision."""
        for f in DEDUP_COLUMNS:
            table = table.append_column(f, pa.nulls(table.num_rows, type=f.type))
        return table

    def apply(self, shard: readers.Shard, documents: pa.Table, removals: pa.Table) -> Applied:
        n = documents.num_rows
        start = self.doc_offsets[shard.index]
        glob = np.arange(start, start + n)
        ids = self.doc_ids
        kept = self.kept["documents"][glob]
        dup = self.doc_dup[glob]
        in_cluster = dup | self.doc_head[glob]
        cluster = [ids[k] if c else None for k, c in zip(kept, in_cluster, strict=True)]
        duplicate_of = [ids[k] if d else None for k, d in zip(kept, dup, strict=True)]
        sim = self.similarity["documents"][glob]
        similarity = pa.array(np.where(dup, sim, np.nan), type=pa.float32(), from_pandas=True)

        texts = documents.column("text").to_pylist()
        doc_ids = documents.column("id").to_pylist()
        data = st.load_sketch(self.work, f"{shard.index:05d}", "passages")
        p_start = self.passage_offsets[shard.index]
        p_glob = np.arange(p_start, p_start + len(data["row"]))
        passages_table = self._passages(p_glob, data["row"], data["line"], texts, doc_ids)

        extra: list[tuple[str, Removal]] = []
        if self.drop:
            texts, added = self._drop_passages(p_glob, data["row"], data["line"], texts, doc_ids, extra)
            if any(added):
                documents = replace_text(documents, texts, added)
            for row in np.flatnonzero(~self.written[glob]):
                k = int(kept[row])
                reason = f"duplicate of document {ids[k]} (similarity {float(sim[row]):.2f})"
                for line, text in enumerate(_lines(texts[row]) if texts[row] else []):
                    _removal(extra, doc_ids[row], line, text, "duplicate_document", reason, ids[k])
        for f, values in zip(DEDUP_COLUMNS, (cluster, duplicate_of, similarity), strict=True):
            documents = documents.append_column(
                f, pa.array(values, type=f.type) if isinstance(values, list) else values
            )
        if extra:
            removals = by_document(pa.concat_tables([removals, removals_table(extra)]), documents)
        if self.drop:
            documents = documents.filter(pa.array(self.written[glob]))
        signatures = self._signatures(shard, doc_ids, data, p_glob)
        return documents, removals, {"passages": passages_table, "signatures": signatures}

    def _passage_ref(self, k: int) -> tuple[str, int]:
        if k < self.n_prior["passages"]:
            return str(self.p_prior_ids[k]), int(self.p_line[k])
        return str(self.doc_ids[self.p_doc[k]]), int(self.p_line[k])

    def _passages(self, p_glob, rows, lines, texts, doc_ids) -> pa.Table:
        pk = self.kept["passages"]
        out: dict[str, list[Any]] = {f.name: [] for f in PASSAGES}
        split: dict[int, list[str]] = {}
        for g, row, line in zip(p_glob.tolist(), rows.tolist(), lines.tolist(), strict=True):
            lines_of = split.get(row)
            if lines_of is None:  # once per document: a 20 MB page has tens of thousands of passages
                lines_of = split[row] = _lines(texts[row])
            dup, head = bool(self.p_dup[g]), bool(self.p_head[g])
            kid, kindex = self._passage_ref(int(pk[g])) if dup or head else (None, None)
            out["id"].append(doc_ids[row])
            out["index"].append(line)
            out["text"].append(lines_of[line])
            out["dup_cluster"].append(f"{kid}#{kindex}" if dup or head else None)
            out["duplicate_of_id"].append(kid if dup else None)
            out["duplicate_of_index"].append(kindex if dup else None)
            out["dup_similarity"].append(float(self.similarity["passages"][g]) if dup else None)
        return pa.Table.from_pydict(out, schema=PASSAGES)

    def _drop_passages(
        self, p_glob, rows, lines, texts, doc_ids, extra: list[tuple[str, Removal]]
    ) -> tuple[list[str], list[int]]:
        gone: dict[int, set[int]] = {}
        for g, row, line in zip(p_glob.tolist(), rows.tolist(), lines.tolist(), strict=True):
            if self.p_remove[g]:
                gone.setdefault(row, set()).add(line)
        added = [0] * len(texts)
        texts = list(texts)
        pk = self.kept["passages"]
        by_line = {(row, line): g for g, row, line in zip(p_glob.tolist(), rows.tolist(), lines.tolist(), strict=True)}
        for row, drop in sorted(gone.items()):
            lines_of = _lines(texts[row])
            for line in sorted(drop):
                g = by_line[(row, line)]
                kid, kindex = self._passage_ref(int(pk[g]))
                sim = float(self.similarity["passages"][g])
                reason = f"duplicate of passage {kindex} of document {kid} (similarity {sim:.2f})"
                _removal(extra, doc_ids[row], line, lines_of[line], "duplicate_passage", reason, f"{kid}#{kindex}")
            texts[row] = "\n".join(t for i, t in enumerate(lines_of) if i not in drop)
            added[row] = len(drop)
        return texts, added

    def _signatures(self, shard: readers.Shard, doc_ids: list[str], passages_data, p_glob) -> pa.Table:
        """Signatures of this shard's kept and unique items, in an order that does not depend on how shards were cut."""
        docs = st.load_sketch(self.work, f"{shard.index:05d}", "documents")
        n_docs = len(docs["empty"])
        rows = passages_data["row"]
        # Only items a later run can be a copy of: not empty, not a duplicate (its kept member stands for it).
        doc_start = self.doc_offsets[shard.index]
        p_start = self.passage_offsets[shard.index]
        doc_sig = st.signature_rows(self.work, "documents", doc_start, doc_start + n_docs)
        passage_sig = st.signature_rows(self.work, "passages", p_start, p_start + len(rows))
        keep_d = np.flatnonzero(~docs["empty"] & ~self.doc_dup[doc_start : doc_start + n_docs])
        keep_p = np.flatnonzero(~passages_data["empty"] & ~self.p_dup[p_glob])
        # Each document's row, then its passages' rows.
        doc_key = np.arange(n_docs, dtype=np.int64) * 2
        passage_key = rows * 2 + 1
        order = np.argsort(np.concatenate((doc_key[keep_d], passage_key[keep_p])), kind="stable")
        n_d = len(keep_d)
        num_perm = self.params["documents"].num_perm
        sig = np.concatenate((doc_sig[keep_d], passage_sig[keep_p]))[order].astype("<u4")
        exact = np.concatenate((docs["exact"][keep_d], passages_data["exact"][keep_p]))[order].astype("<u8")
        level = np.asarray(["documents"] * n_d + ["passages"] * len(keep_p), dtype=object)[order]
        ids = np.asarray(
            [doc_ids[i] for i in keep_d.tolist()] + [doc_ids[r] for r in rows[keep_p].tolist()], dtype=object
        )[order]
        index = np.asarray([None] * n_d + passages_data["line"][keep_p].tolist(), dtype=object)[order]
        n = len(order)
        return pa.Table.from_arrays(
            [
                pa.array(level.tolist(), type=pa.string()),
                pa.array(ids.tolist(), type=pa.string()),
                pa.array(index.tolist(), type=pa.int32()),
                _fixed_binary(sig.tobytes(), 4 * num_perm, n),
                _fixed_binary(exact.tobytes(), 16, n),
            ],
            schema=signatures_schema(num_perm),
        )

    def summary(self, published: Counter[str]) -> dict[str, Any]:
        return self._summary

    # ------------------------------------------------------------------ the decisions, shared with the workers

    def _store(self) -> None:
        """Write the decisions ``apply`` reads as files the workers memory-map (a million documents' arrays would
        otherwise be pickled into every shard's task), and read them back the same way here: the driver holds no
        per-item array while the tables are written."""
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        for level in st.LEVELS:
            arrays[f"kept.{level}"], arrays[f"similarity.{level}"] = self.kept[level], self.similarity[level]
        save_arrays(self.work, arrays)
        del arrays
        self.__setstate__(self.__getstate__())

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in (*_ARRAYS, "kept", "similarity", "doc_ids", "p_prior_ids", "gathered"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.clear()
        self.__dict__.update(state)
        if "work" not in state:  # not prepared yet: nothing to load
            return
        names = [*_ARRAYS, *(f"{what}.{level}" for what in ("kept", "similarity") for level in st.LEVELS)]
        arrays = load_arrays(self.work, names)
        for name in _ARRAYS:
            setattr(self, name, arrays[name])
        self.kept = {level: arrays[f"kept.{level}"] for level in st.LEVELS}
        self.similarity = {level: arrays[f"similarity.{level}"] for level in st.LEVELS}
        self.doc_ids = Ids(self.work / "state.ids.arrow")
        self.p_prior_ids = Ids(self.work / "state.prior_ids.arrow")


#: The per-item decisions ``apply`` reads, besides the kept members and similarities of each level.
_ARRAYS = ("doc_dup", "doc_head", "written", "p_dup", "p_head", "p_remove", "p_doc", "p_line")


def _clusters(kept: np.ndarray, in_cluster: np.ndarray) -> int:
    """Clusters with a member among these items (this run's: a cluster may be headed by an item of the
    ``--dedup-against`` set)."""
    return len(np.unique(kept[in_cluster]))


def _fixed_binary(data: bytes, width: int, n: int) -> pa.Array:
    return pa.Array.from_buffers(pa.binary(width), n, [None, pa.py_buffer(data)])


def _starts(sizes: Sequence[int]) -> list[int]:
    out, at = [], 0
    for size in sizes:
        out.append(at)
        at += size
    return out


def _removal(
    extra: list[tuple[str, Removal]], doc_id: str, line: int, text: str, kind: str, reason: str, ref: str
) -> None:
    extra.append((doc_id, Removal(line, text, f"dedup.{kind}_v1", kind, "drop", reason, stage="dedup", ref=ref)))


def _lines(text: str) -> list[str]:
    """A document's lines (its passages are whole lines); split once per document, never once per passage."""
    return text.split("\n")
