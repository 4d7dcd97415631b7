"""Corpus steps: the only code that sees more than one document.

They run between cleaning (per shard) and publishing (per shard again): each first reads what the
shards wrote and computes something corpus-wide (lines that recur on many pages of a site, duplicate
clusters), then changes each shard's tables on the way out. Steps keep their state in numpy arrays and
files, not in per-line Python objects, so memory grows with the number of distinct lines, not pages.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from clean import readers
from clean.config import Config
from clean.page.text import fold, is_prose
from clean.schema import REMOVALS


class CorpusStep:
    """One corpus-wide step: ``prepare`` sees every shard once, ``apply`` changes one shard's tables."""

    name = "step"

    def prepare(self, tables: Sequence[tuple[pa.Table, pa.Table]] | Any) -> None:  # pragma: no cover - interface
        """Read every shard's (documents, removals) once; keep only compact state."""

    def apply(self, documents: pa.Table, removals: pa.Table) -> tuple[pa.Table, pa.Table]:
        return documents, removals

    def schemas(self, schemas: dict[str, pa.Schema]) -> dict[str, pa.Schema]:
        return schemas

    def summary(self) -> dict[str, Any]:
        return {}


def _site_key(site: str | None, source: str) -> str:
    """The group a page's chrome is shared with: its site, else the folder its file sits in."""
    if site:
        return f"site:{site.lower()}"
    return "dir:" + source.rsplit("/", 1)[0] if "/" in source else "dir:"


def _line_hash(group: str, line: str) -> int:
    return xxhash.xxh64_intdigest(f"{group}\x00{fold(line)}".encode())


class RepeatedLines(CorpusStep):
    """Lines that recur on many pages of one site are its chrome (CCNet's observation), whatever they say.

    Thresholds: a short line must recur on ``min_docs`` pages of the site; a prose sentence on at least
    ``min_docs_prose`` pages and on a tenth of the site's pages, so that a sentence two or three articles
    quote (a statement, a wire paragraph) always stays. Counts are of documents, not occurrences.
    """

    name = "repeated_lines"

    def __init__(self, min_docs: int = 5, min_docs_prose: int = 20, prose_share: float = 0.1) -> None:
        self.min_docs = min_docs
        self.min_docs_prose = min_docs_prose
        self.prose_share = prose_share
        self._boiler: np.ndarray = np.empty(0, dtype=np.uint64)
        self._site_docs: dict[str, int] = {}
        self.removed = 0

    def prepare(self, tables) -> None:
        hashes: list[np.ndarray] = []
        for documents, _ in tables:
            for text, site, source, status in zip(
                documents.column("text").to_pylist(),
                documents.column("site").to_pylist(),
                documents.column("source").to_pylist(),
                documents.column("status").to_pylist(),
                strict=True,
            ):
                if status != "ok":
                    continue
                group = _site_key(site, source)
                self._site_docs[group] = self._site_docs.get(group, 0) + 1
                doc_hashes = {_line_hash(group, line) for line in text.split("\n")}
                hashes.append(np.fromiter(doc_hashes, dtype=np.uint64, count=len(doc_hashes)))
        if not hashes:
            return
        values, counts = np.unique(np.concatenate(hashes), return_counts=True)
        # Keep every line seen on min_docs pages; the stricter test for prose is made per line in apply(),
        # where the text is at hand, so only the counts of candidates are kept.
        keep = counts >= self.min_docs
        self._boiler = values[keep]
        self._counts = counts[keep]

    def _boilerplate_counts(self, groups: Sequence[str], lines: Sequence[str]) -> np.ndarray:
        """For each line (of its group), how many pages carry it when it is a candidate, else 0.

        One vectorised lookup per shard: a lookup per line through numpy scalars cost more than the hashing.
        """
        hashes = np.fromiter(
            (_line_hash(g, line) for g, line in zip(groups, lines, strict=True)), dtype=np.uint64, count=len(lines)
        )
        at = np.minimum(np.searchsorted(self._boiler, hashes), len(self._boiler) - 1)
        return np.where(self._boiler[at] == hashes, self._counts[at], 0)

    def _is_boilerplate(self, group: str, line: str, count: int) -> bool:
        if count == 0:
            return False
        if is_prose(line):
            return count >= self.min_docs_prose and count >= self.prose_share * self._site_docs.get(group, 0)
        return True

    def apply(self, documents: pa.Table, removals: pa.Table) -> tuple[pa.Table, pa.Table]:
        if not len(self._boiler) or documents.num_rows == 0:
            return documents, removals
        texts = documents.column("text").to_pylist()
        statuses = documents.column("status").to_pylist()
        groups = [
            _site_key(site, source)
            for site, source in zip(
                documents.column("site").to_pylist(), documents.column("source").to_pylist(), strict=True
            )
        ]
        split = [text.split("\n") if status == "ok" else [] for text, status in zip(texts, statuses, strict=True)]
        counts = self._boilerplate_counts(
            [g for g, lines in zip(groups, split, strict=True) for _ in lines], [x for lines in split for x in lines]
        )
        if not counts.any():
            return documents, removals
        per_line = counts.tolist()
        new_texts, n_removed = [], []
        extra: dict[str, list[Any]] = {f.name: [] for f in REMOVALS}
        at = 0
        for doc_id, text, group, lines, status in zip(
            documents.column("id").to_pylist(), texts, groups, split, statuses, strict=True
        ):
            if status != "ok":
                new_texts.append(text)
                n_removed.append(0)
                continue
            kept, gone = [], 0
            for n, line in enumerate(lines):
                count = per_line[at]
                at += 1
                if self._is_boilerplate(group, line, count):
                    gone += 1
                    for key, value in (
                        ("id", doc_id),
                        ("stage", "corpus"),
                        ("line", n),
                        ("start", 0),
                        ("text", line),
                        ("rule", "corpus.repeated_line_v1"),
                        ("kind", "boilerplate"),
                        ("action", "drop"),
                        ("reason", "recurs on many pages of the same site"),
                        ("field", None),
                        ("ref", None),
                    ):
                        extra[key].append(value)
                else:
                    kept.append(line)
            new_texts.append("\n".join(kept))
            n_removed.append(gone)
            self.removed += gone
        if not any(n_removed):
            return documents, removals
        documents = _replace_text(documents, new_texts, n_removed)
        removals = pa.concat_tables([removals, pa.Table.from_pydict(extra, schema=REMOVALS)])
        return documents, by_document(removals, documents)

    def summary(self) -> dict[str, Any]:
        return {"repeated_lines": {"lines_removed": self.removed, "distinct_boilerplate_lines": len(self._boiler)}}


def by_document(removals: pa.Table, documents: pa.Table) -> pa.Table:
    """Removals grouped by document in the documents' order, each document's rows in the order they came.

    Rows a corpus step adds go after the document's own, so the table is the same however shards were cut.
    """
    position = {doc_id: i for i, doc_id in enumerate(documents.column("id").to_pylist())}
    keys = np.fromiter(
        (position.get(i, len(position)) for i in removals.column("id").to_pylist()),
        dtype=np.int64,
        count=removals.num_rows,
    )
    return removals.take(pa.array(np.argsort(keys, kind="stable")))


def _replace_text(documents: pa.Table, texts: list[str], added: list[int]) -> pa.Table:
    """New text, sizes, removal counts and status for a documents table after a corpus step removed lines."""

    def set_col(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
        return table.set_column(table.schema.get_field_index(name), table.schema.field(name), values)

    text = pa.array(texts, type=pa.string())
    documents = set_col(documents, "text", text)
    documents = set_col(documents, "n_chars_out", pc.utf8_length(text).cast(pa.int64()))
    n_removed = pc.add(documents.column("n_removed"), pa.array(added, type=pa.int32()))
    documents = set_col(documents, "n_removed", n_removed)
    status = [
        ("empty" if s == "ok" and not t else s)
        for s, t in zip(documents.column("status").to_pylist(), texts, strict=True)
    ]
    return set_col(documents, "status", pa.array(status, type=pa.string()))


class CorpusSteps:
    """The configured steps, prepared over all shards, applied shard by shard while publishing.

    A step with ``prepare_shards`` (dedup) plans its own tasks, run through ``run_tasks`` (a loop, a process
    pool or Ray tasks); each task re-reads a shard and applies the earlier steps to it itself. A step with
    ``apply_shard`` is told which shard it is changing and may return more tables (``passages``).
    """

    def __init__(self, work: Path, steps: Sequence[CorpusStep], run_tasks=None) -> None:
        self.work = work
        self.steps = list(steps)
        self.run_tasks = run_tasks
        #: Seconds per step (and per stage where a step reports them), for the manifest's timings.
        self.timings: dict[str, float] = {}

    def tables(self, shard: readers.Shard) -> tuple[pa.Table, pa.Table]:
        from clean.runner import shard_paths

        paths = shard_paths(self.work, shard.index)
        return pq.read_table(paths["documents"]), pq.read_table(paths["removals"])

    def applied(self, shard: readers.Shard) -> tuple[pa.Table, pa.Table]:
        """One shard's tables with every step applied (steps here must not need ``apply_shard``)."""
        documents, removals = self.tables(shard)
        for step in self.steps:
            documents, removals = step.apply(documents, removals)
        return documents, removals

    def prepare(self, shards: Sequence[readers.Shard]) -> None:
        from clean.corpus.duplicates import run_inline

        for i, step in enumerate(self.steps):
            started = time.perf_counter()
            staged = getattr(step, "prepare_shards", None)
            if staged:
                staged(shards, self.work, self.steps[:i], self.run_tasks or run_inline)
            else:
                step.prepare(self._applied(shards, self.steps[:i]))
            self.timings[step.name] = time.perf_counter() - started
            for stage, seconds in getattr(step, "stage_timings", {}).items():
                self.timings[f"{step.name}.{stage}"] = seconds

    def _applied(self, shards: Sequence[readers.Shard], before: Sequence[CorpusStep]):
        """Every shard's tables with the earlier steps applied: each step sees what the previous left."""
        for shard in shards:
            documents, removals = self.tables(shard)
            for step in before:
                documents, removals = step.apply(documents, removals)
            yield documents, removals

    def schemas(self, **base: pa.Schema) -> dict[str, pa.Schema]:
        schemas = dict(base)
        for step in self.steps:
            schemas = step.schemas(schemas)
        return schemas

    def apply(self, shard: readers.Shard) -> dict[str, pa.Table]:
        documents, removals = self.tables(shard)
        out: dict[str, pa.Table] = {}
        for step in self.steps:
            per_shard = getattr(step, "apply_shard", None)
            if per_shard:
                documents, removals, extra = per_shard(shard, documents, removals)
                out.update(extra)
            else:
                documents, removals = step.apply(documents, removals)
        out["documents"] = documents
        out["removals"] = removals
        return out

    def extend_documents(self, table: pa.Table) -> pa.Table:
        for step in self.steps:
            extend = getattr(step, "extend_documents", None)
            if extend:
                table = extend(table)
        return table

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for step in self.steps:
            out.update(step.summary())
        return out


def corpus_steps(config: Config, work: Path, shards: Sequence[readers.Shard], run_tasks=None) -> CorpusSteps:
    """The corpus steps this configuration asks for, prepared and ready to apply per shard."""
    steps: list[CorpusStep] = []
    if config.mine_common_lines:
        steps.append(RepeatedLines())
    if config.dedup:
        from clean.corpus.duplicates import Duplicates

        steps.append(Duplicates(config))
    runner = CorpusSteps(work, steps, run_tasks)
    runner.prepare(shards)
    return runner
