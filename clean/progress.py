"""What a run shows on stderr: a progress bar while it works, and a short summary when it is done.

``Progress`` is the ``progress(stage, done, total)`` callback ``run()`` accepts. Shards are the unit the runner
reports, so the bar counts shards (they are cut to similar sizes, which keeps the time left honest); files and
documents done are read from the done markers the shards leave in the work folder (``runner`` documents the
layout), at most a few times a second. Off when stderr is not a terminal.

``format_summary`` turns a finished run's manifest into a few lines: documents in and out by status, removals
by kind, what the corpus steps and dedup found, failures, time, and where the output is.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq
from tqdm import tqdm

from clean.config import Config
from clean.layout import done_markers, plan_path, work_dir
from clean.runner import work_fingerprint

#: Seconds between two reads of the work folder's done markers.
SCAN_INTERVAL = 0.25
_TITLES = {"clean": "cleaning", "write": "writing"}
#: What a stage counts; a stage added later (a corpus step) shows plain counts.
_UNITS = {"clean": " shards", "write": " shards"}


class Progress:
    """A tqdm bar per stage on stderr: shards, files and documents done, documents a second, time left."""

    def __init__(self, out: str | Path, config: Config, *, enabled: bool | None = None, file: IO[str] | None = None):
        self.file = file or sys.stderr
        self.enabled = self.file.isatty() if enabled is None else enabled
        self.work = work_dir(Path(out), work_fingerprint(config))
        self.bar: tqdm | None = None
        self.stage: str | None = None
        self.documents = 0
        self.files_total = 0
        self.files_done = 0
        self._counted: set[int] = set()
        self._left: dict[str, int] = {}
        self._sources: dict[int, list[str]] = {}
        self._started = 0.0
        self._fresh = 0
        self._scanned: float | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self._open(stage, done, total)
        if stage == "clean":
            self._scan(final=done == total)
        assert self.bar is not None
        self.bar.n = done
        self.bar.set_postfix_str(self._postfix(stage), refresh=False)
        self.bar.refresh()

    def _open(self, stage: str, done: int, total: int) -> None:
        self.close()
        self.stage = stage
        self.bar = tqdm(
            total=total,
            initial=done,  # shards a resumed run had already done do not count toward the rate
            desc=_TITLES.get(stage, stage),
            file=self.file,
            dynamic_ncols=True,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}" + _UNITS.get(stage, "")
            + " [{elapsed}<{remaining}]{postfix}",
        )
        self._started = time.perf_counter()
        if stage == "clean":
            self._read_plan()

    def _read_plan(self) -> None:
        try:
            plan = json.loads(plan_path(self.work).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        for shard in plan.get("shards", []):
            sources = sorted({p["file"]["source"] for p in shard.get("pieces", [])})
            self._sources[shard["index"]] = sources
            for source in sources:
                self._left[source] = self._left.get(source, 0) + 1
        self.files_total = len(self._left)

    def _scan(self, *, final: bool) -> None:
        """Count the documents and files of shards whose done marker is new since the last look."""
        now = time.perf_counter()
        if not final and self._scanned is not None and now - self._scanned < SCAN_INTERVAL:
            return
        # the first look (made when the bar opens) finds the shards a resumed run had already done
        first = self._scanned is None
        self._scanned = now
        try:
            names = [p.name for p in done_markers(self.work)]
        except OSError:
            return
        for name in names:
            try:
                index = int(name.split(".", 1)[0])
            except ValueError:
                continue
            if index in self._counted:
                continue
            try:
                stats = json.loads((self.work / "shards" / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a marker is written atomically; an unreadable one is read next time
            self._counted.add(index)
            self.documents += int(stats.get("documents", 0))
            if not first:
                self._fresh += int(stats.get("documents", 0))
            for source in self._sources.get(index, []):
                self._left[source] -= 1
                if self._left[source] == 0:
                    self.files_done += 1

    def _postfix(self, stage: str) -> str:
        if stage != "clean":
            return ""
        elapsed = time.perf_counter() - self._started
        rate = f", {self._fresh / elapsed:,.0f} docs/s" if elapsed > 0 and self._fresh else ""
        files = f"{self.files_done:,}/{self.files_total:,} files, " if self.files_total else ""
        return f"{files}{self.documents:,} docs{rate}"

    def close(self) -> None:
        """Take the bar off the screen (the summary follows)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _written(out: Path, manifest: dict[str, Any]) -> int | None:
    """Rows in the published documents table, from the Parquet footers."""
    try:
        return sum(pq.ParquetFile(out / rel).metadata.num_rows for rel in manifest["files"].get("documents", []))
    except (OSError, KeyError, ValueError):
        return None


def _scalars(section: dict[str, Any]) -> str:
    """The plain values of a manifest section, as ``name value`` pairs (nested tables are left to the manifest)."""
    pairs = []
    for key, value in section.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            continue
        name = key.replace("_", " ")
        pairs.append(f"{name} {value:,}" if isinstance(value, int) else f"{name} {value}")
    return ", ".join(pairs)


def _dedup_line(d: dict[str, Any]) -> str:
    text = (
        f"{d['duplicate_documents']:,} of {d['documents']:,} documents ({d['exact_duplicate_documents']:,} exact) "
        f"in {d['document_clusters']:,} clusters; {d['duplicate_passages']:,} of {d['passages']:,} passages in "
        f"{d['passage_clusters']:,} clusters"
    )
    if d.get("against"):
        text += f"; against {d['against']} ({d['against_documents']:,} documents)"
    if d.get("dropped_documents") or d.get("removed_passages"):
        text += f"; dropped {d['dropped_documents']:,} documents and {d['removed_passages']:,} passages"
    return text


def format_summary(out: str | Path, manifest: dict[str, Any], *, kinds_shown: int = 6) -> str:
    """A few lines saying what a finished run did, from its manifest."""
    out = Path(out)
    c = manifest.get("counts", {})
    lines = []
    written = _written(out, manifest)
    wrote = f"{written:,} written" if written is not None else "written"
    lines.append(
        f"documents   {c.get('documents', 0):,} in, {wrote}: {c.get('ok', 0):,} ok, {c.get('empty', 0):,} empty, "
        f"{c.get('failed', 0):,} failed"
    )
    chars_in, chars_out = c.get("chars_in", 0), c.get("chars_out", 0)
    if chars_in:
        lines.append(f"text        {chars_in:,} -> {chars_out:,} characters ({(chars_out - chars_in) / chars_in:+.1%})")
    kinds = manifest.get("removals_by_kind", {})
    shown = ", ".join(f"{k} {v:,}" for k, v in list(kinds.items())[:kinds_shown])
    more = f", {len(kinds) - kinds_shown} more kinds" if len(kinds) > kinds_shown else ""
    lines.append(f"removals    {c.get('removals', 0):,}" + (f": {shown}{more}" if shown else ""))
    repeated = manifest.get("repeated_lines")
    if isinstance(repeated, dict) and repeated.get("lines_removed"):
        lines.append(f"repeated    {_scalars(repeated)}")
    dedup = manifest.get("dedup")
    if isinstance(dedup, dict) and "duplicate_documents" in dedup:
        lines.append(f"duplicates  {_dedup_line(dedup)}")
    elif isinstance(dedup, dict):
        lines.append(f"duplicates  {_scalars(dedup) or 'none found'}")
    elif not manifest.get("config", {}).get("dedup", True):
        lines.append("duplicates  not looked for (--no-dedup)")
    else:
        lines.append("duplicates  no dedup run")
    failed = [f for f in manifest.get("input_files", []) if f.get("status") != "ok"]
    if failed:
        lines.append(f"failures    {len(failed):,} input files ({c.get('failed', 0):,} documents); listed below and in "
                     "manifest.json")
    else:
        lines.append("failures    none")
    if c.get("files_skipped"):
        lines.append(f"skipped     {c['files_skipped']:,} files of a kind clean does not read; listed in manifest.json")
    timings = manifest.get("timings", {})
    steps = ", ".join(f"{k} {_seconds(v)}" for k, v in timings.items() if k != "total" and "." not in k)
    lines.append(f"time        {_seconds(timings.get('total', 0.0))}" + (f" ({steps})" if steps else ""))
    files = [name + "/" for name, rels in manifest.get("files", {}).items() if any("/" in r for r in rels)]
    files += [rel for rels in manifest.get("files", {}).values() for rel in rels if "/" not in rel]
    lines.append(f"output      {out}: {', '.join([*files, 'manifest.json', 'README.md'])}")
    return "clean: done\n" + "\n".join("  " + line for line in lines) + "\n"
