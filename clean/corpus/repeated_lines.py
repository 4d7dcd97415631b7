"""Lines that recur on many pages of one site: its chrome, whatever they say (a corpus step)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import xxhash

from clean import readers
from clean.atomic import atomic_path
from clean.corpus.step import Applied, CorpusStep, applied, by_document, replace_text
from clean.document import Removal
from clean.engines import Engine
from clean.layout import lines_dir
from clean.page.text import fold, is_prose
from clean.schema import removals_table

RULE = "corpus.repeated_line_v1"
REASON = "recurs on many pages of the same site"


def _site_key(site: str | None, source: str) -> str:
    """The group a page's chrome is shared with: its site, else the folder its file sits in."""
    if site:
        return f"site:{site.lower()}"
    return "dir:" + source.rsplit("/", 1)[0] if "/" in source else "dir:"


def _line_hash(group: str, line: str) -> int:
    return xxhash.xxh64_intdigest(f"{group}\x00{fold(line)}".encode())


class RepeatedLines:
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
        self.stage_timings: dict[str, float] = {}

    def prepare(
        self, shards: Sequence[readers.Shard], work: Path, before: Sequence[CorpusStep], engine: Engine
    ) -> None:
        """Count, for every line of every site, the pages that carry it: each shard counted by a task of its own
        (distinct lines per page, then per shard, kept in a file), then the counts summed by tasks that each take
        one range of line hashes across every shard's file, so no process holds every distinct line of the corpus
        (at a million news pages, six million of them)."""
        folder = lines_dir(work)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        jobs = [(str(work), s.to_json(), list(before)) for s in shards]
        counted = engine.map(_count_lines, jobs, heavy=True)
        for site_docs, _ in counted:
            for group, n in site_docs.items():
                self._site_docs[group] = self._site_docs.get(group, 0) + n
        distinct = sum(n for _, n in counted)
        if not distinct:
            return
        parts = [str(_counts_path(folder, s.index)) for s in shards]
        n_ranges = max(1, -(-distinct // RANGE_LINES))
        summed = engine.map(
            _sum_range, [(parts, r, n_ranges, self.min_docs) for r in range(n_ranges)], heavy=n_ranges > 1
        )
        # Ranges in order of hash value: the candidates come out sorted, as the lookups in apply() need.
        self._boiler = np.concatenate([values for values, _ in summed])
        self._counts = np.concatenate([counts for _, counts in summed])

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

    def apply(self, shard: readers.Shard, documents: pa.Table, removals: pa.Table) -> Applied:
        if not len(self._boiler) or documents.num_rows == 0:
            return documents, removals, {}
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
            return documents, removals, {}
        per_line = counts.tolist()
        new_texts, n_removed = [], []
        extra: list[tuple[str, Removal]] = []
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
                    extra.append((doc_id, Removal(n, line, RULE, "boilerplate", "drop", REASON, stage="corpus")))
                else:
                    kept.append(line)
            new_texts.append("\n".join(kept))
            n_removed.append(gone)
        if not any(n_removed):
            return documents, removals, {}
        documents = replace_text(documents, new_texts, n_removed)
        removals = pa.concat_tables([removals, removals_table(extra)])
        return documents, by_document(removals, documents), {}

    def schemas(self, schemas: dict[str, pa.Schema]) -> dict[str, pa.Schema]:
        return schemas

    def extend_documents(self, table: pa.Table) -> pa.Table:
        return table

    def summary(self, published: Counter[str]) -> dict[str, Any]:
        lines = {"lines_removed": published.get(RULE, 0), "distinct_boilerplate_lines": len(self._boiler)}
        return {"repeated_lines": lines}


#: Distinct lines (summed over shards) per summing task: about 16 bytes each, twice over while they are summed.
RANGE_LINES = 1 << 21


def _counts_path(folder: Path, index: int) -> Path:
    return folder / f"{index:05d}.npy"


def _count_lines(work: str, shard_json: dict[str, Any], before: Sequence[CorpusStep]) -> tuple[dict[str, int], int]:
    """Task: one shard's pages per site, and its distinct line hashes with the number of its pages carrying each,
    saved sorted by hash as one ``(2, n)`` array in ``layout.lines_dir``; returns the pages per site and ``n``."""
    shard = readers.Shard.from_json(shard_json)
    documents, _ = applied(Path(work), shard, before)
    site_docs: dict[str, int] = {}
    hashes: list[np.ndarray] = []
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
        site_docs[group] = site_docs.get(group, 0) + 1
        doc_hashes = {_line_hash(group, line) for line in text.split("\n")}
        hashes.append(np.fromiter(doc_hashes, dtype=np.uint64, count=len(doc_hashes)))
    values, counts = np.unique(np.concatenate(hashes), return_counts=True) if hashes else (np.empty(0, np.uint64), [])
    with atomic_path(_counts_path(lines_dir(Path(work)), shard.index)) as tmp, tmp.open("wb") as fh:
        np.save(fh, np.stack((values, np.asarray(counts, dtype=np.uint64))))
    return site_docs, len(values)


def _sum_range(parts: Sequence[str], r: int, n_ranges: int, min_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Task: the lines of the ``r``-th of ``n_ranges`` equal ranges of hash values, their page counts summed over
    every shard; returns those on ``min_docs`` pages or more (the candidates), sorted by hash."""
    low, high = (r << 64) // n_ranges, ((r + 1) << 64) // n_ranges
    values, counts = [], []
    for path in parts:
        rows = np.load(path, mmap_mode="r")
        start = int(np.searchsorted(rows[0], np.uint64(low))) if r else 0
        end = int(np.searchsorted(rows[0], np.uint64(high))) if high < 1 << 64 else rows.shape[1]
        values.append(np.array(rows[0, start:end]))
        counts.append(np.array(rows[1, start:end]))
        del rows
    if not values:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    unique, inverse = np.unique(np.concatenate(values), return_inverse=True)
    summed = np.bincount(inverse, weights=np.concatenate(counts), minlength=len(unique)).astype(np.int64)
    keep = summed >= min_docs
    return unique[keep], summed[keep]
