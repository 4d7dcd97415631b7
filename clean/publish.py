"""Publish a finished run: corpus steps, bounded part files, the manifest and the dataset card.

The new dataset is written whole into the work folder first; only then are its files renamed into
OUT (each rename atomic), files of the previous run that the new one does not replace are removed
(only those the previous manifest lists: a file this tool did not write is never deleted), and the
manifest is written last, as the commit record of the run.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clean import __version__, readers
from clean.config import Config
from clean.page.model.page import HTML_MODELS, identity
from clean.schema import DOCUMENTS, REMOVALS
from clean.writers import PartWriter, write_bytes_atomic, write_json_atomic

MANIFEST = "manifest.json"
CARD = "README.md"
REPORT = "report.html"
TABLES = ("documents", "removals")

log = logging.getLogger(__name__)


def publish(
    *,
    out: Path,
    work: Path,
    shards: Sequence[readers.Shard],
    stats: dict[int, dict[str, Any]],
    config: Config,
    fingerprint: str,
    inputs: Sequence[Path],
    discover_failures: Sequence[readers.Failure],
    timings: dict[str, float],
    started: float,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    from clean.corpus.step import corpus_steps

    staging = work / "publish"
    shutil.rmtree(staging, ignore_errors=True)
    t = time.perf_counter()
    run_tasks = _task_runner(config)
    try:
        steps = corpus_steps(config, work, shards, run_tasks=run_tasks)
    finally:
        getattr(run_tasks, "close", lambda: None)()
    timings["corpus"] = time.perf_counter() - t
    timings.update({f"corpus.{name}": seconds for name, seconds in steps.timings.items()})

    t = time.perf_counter()
    writers = {
        name: PartWriter(staging / name, schema)
        for name, schema in steps.schemas(documents=DOCUMENTS, removals=REMOVALS).items()
    }
    kinds: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    try:
        for i, shard in enumerate(shards):
            for name, table in steps.apply(shard).items():
                writers[name].write(table)
                if name == "removals":  # counted as published: corpus steps and dedup add rows
                    kinds.update(table.column("kind").to_pylist())
                    rules.update(table.column("rule").to_pylist())
            if progress:
                progress("write", i + 1, len(shards))
        if discover_failures:
            from clean.runner import documents_table, failed_document

            docs = [failed_document(f, f.reason) for f in sorted(discover_failures, key=lambda f: f.source)]
            table = documents_table(docs)
            writers["documents"].write(steps.extend_documents(table))
        written = {name: w.close() for name, w in writers.items()}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    timings["write"] = time.perf_counter() - t

    previous = read_manifest(out)
    new_files: dict[str, list[str]] = {}
    for name, files in written.items():
        (out / name).mkdir(parents=True, exist_ok=True)
        new_files[name] = []
        for f in files:
            rel = f"{name}/{f.name}"
            f.replace(out / rel)
            new_files[name].append(rel)
    keep = {rel for files in new_files.values() for rel in files} | {MANIFEST, CARD, REPORT}
    for rel in _files_of(previous):
        if rel not in keep:
            (out / rel).unlink(missing_ok=True)

    manifest = build_manifest(
        config=config,
        fingerprint=fingerprint,
        inputs=inputs,
        shards=shards,
        stats=stats,
        discover_failures=discover_failures,
        files=new_files,
        extra=steps.summary(),
        removals=(kinds, rules),
    )
    timings["total"] = time.perf_counter() - started
    manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    write_bytes_atomic(out / CARD, dataset_card(manifest).encode("utf-8"))
    _write_report(out, manifest)
    write_json_atomic(out / MANIFEST, manifest)
    shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _task_runner(config: Config):
    """Where corpus-step tasks run: Ray tasks on the Ray engine; else heavy tasks on one process pool when there
    are several workers, and everything else (numpy over whole columns) in this process."""
    if config.engine == "ray":
        from clean.ray import run_tasks_on_ray

        return lambda fn, args, heavy=False: run_tasks_on_ray(fn, args, config)
    from clean.runner import TaskPool

    return TaskPool(config.workers or os.cpu_count() or 1)


def _write_report(out: Path, manifest: dict[str, Any]) -> None:
    """``OUT/report.html``, listed in the manifest's files; the dataset is published whatever becomes of it."""
    from clean.audit.report import write_report

    try:
        write_report(out, manifest)
    except Exception:
        log.exception("could not write %s; the dataset itself is complete", out / REPORT)
        return
    manifest["files"]["report"] = [REPORT]


def read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("created_by") == "clean" else None


def _files_of(manifest: dict[str, Any] | None) -> list[str]:
    if not manifest:
        return []
    return [
        rel
        for files in manifest.get("files", {}).values()
        for rel in files
        if isinstance(rel, str) and ".." not in Path(rel).parts and not Path(rel).is_absolute()
    ]


def build_manifest(
    *,
    config: Config,
    fingerprint: str,
    inputs: Sequence[Path],
    shards: Sequence[readers.Shard],
    stats: dict[int, dict[str, Any]],
    discover_failures: Sequence[readers.Failure],
    files: dict[str, list[str]],
    extra: dict[str, Any],
    removals: tuple[Counter[str], Counter[str]] | None = None,
) -> dict[str, Any]:
    """Account for every input: per file, per status, per kind and rule of removal."""
    status: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    per_file: dict[str, dict[str, Any]] = {}
    chars_in = chars_out = 0
    for s in stats.values():
        status.update(s["status"])
        kinds.update(s["kinds"])
        rules.update(s["rules"])
        chars_in += s.get("chars_in", 0)
        chars_out += s.get("chars_out", 0)
        for source, entry in s["files"].items():
            merged = per_file.setdefault(source, {"documents": 0, "ok": 0, "empty": 0, "failed": 0, "errors": []})
            for key in ("documents", "ok", "empty", "failed"):
                merged[key] += entry[key]
            merged["errors"].extend(entry["errors"][: 5 - len(merged["errors"])])
    for f in discover_failures:
        per_file[f.source] = {"documents": 1, "ok": 0, "empty": 0, "failed": 1, "errors": [f.reason]}
        status["failed"] += 1
    known = {p.file.source: p.file for s in shards for p in s.pieces}
    input_files = []
    for source in sorted(per_file):
        entry = per_file[source]
        f = known.get(source)
        state = "ok" if entry["failed"] == 0 else ("failed" if entry["failed"] == entry["documents"] else "partial")
        input_files.append(
            {
                "source": source,
                "format": f.format if f else None,
                "bytes": f.size if f else None,
                "status": state,
                "documents": entry["documents"],
                "ok": entry["ok"],
                "empty": entry["empty"],
                "failed": entry["failed"],
                "error": entry["errors"][0] if entry["errors"] else None,
                "errors": entry["errors"],
            }
        )
    for f in known.values():
        if f.source not in per_file:
            input_files.append(
                {
                    "source": f.source,
                    "format": f.format,
                    "bytes": f.size,
                    "status": "ok",
                    "documents": 0,
                    "ok": 0,
                    "empty": 0,
                    "failed": 0,
                    "error": None,
                    "errors": [],
                }
            )
    input_files.sort(key=lambda e: e["source"])
    if removals is not None:
        kinds, rules = removals
    documents = sum(status.values())
    counts = {
        "documents": documents,
        "ok": status.get("ok", 0),
        "empty": status.get("empty", 0),
        "failed": status.get("failed", 0),
        "files": len(input_files),
        "files_failed": sum(1 for e in input_files if e["status"] != "ok"),
        "removals": sum(kinds.values()),
        "chars_in": chars_in,
        "chars_out": chars_out,
    }
    return {
        "created_by": "clean",
        "version": __version__,
        "model": identity(),
        "html_model": identity(HTML_MODELS[config.html_model]),
        "fingerprint": fingerprint,
        "inputs": [str(p) for p in inputs],
        "config": config.to_dict(),
        "counts": counts,
        "removals_by_kind": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "removals_by_rule": dict(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
        **extra,
        "files": files,
        "input_files": input_files,
        "shards": [s.to_json() for s in shards],
    }


_COLUMNS = {
    "documents": [
        ("id", "the record's own id, else the source path (one-document files), else `<source>:<line or row>`"),
        ("source", "input path relative to INPUT, `/`-separated"),
        ("format", "txt, html, jsonl or parquet"),
        ("url / title / author / date / site / language", "metadata given or lifted from the page; date is a date32"),
        ("text", "the cleaned body: one paragraph per line, no title line, no blank lines"),
        ("n_chars_in / n_chars_out / n_removed", "sizes before and after, and the number of removals"),
        ("status / error", "`ok`, `empty` (nothing left) or `failed` (with its one-line reason)"),
        ("dup_cluster / duplicate_of / dup_similarity", "near-duplicate cluster, kept member's id, similarity"),
    ],
    "passages": [
        ("id / index", "the document, and the passage's line in its text before duplicate passages were dropped"),
        ("text", "the paragraph (8 words or more)"),
        ("dup_cluster", "`<id>#<index>` of the cluster's kept passage; null when unique"),
        ("duplicate_of_id / duplicate_of_index / dup_similarity", "the kept passage it copies, and how closely"),
    ],
    "signatures": [
        ("level / id / index", "documents or passages; which one"),
        ("signature / exact", "MinHash row (uint32 little-endian) and 128-bit hash of the words, for --dedup-against"),
    ],
    "removals": [
        ("id", "the document's id"),
        ("stage", "decode, repair, clean or dedup; `line` counts lines of the text that stage received"),
        ("line / start", "0-based line, and character offset within it"),
        ("text", "exactly what was removed, joined or moved"),
        ("rule / kind / reason", "the versioned rule, the kind of noise, and why"),
        (
            "action / field / ref",
            "drop, strip, join, to_metadata (into `field`) or replace; `ref` names what a duplicate copies",
        ),
    ],
}


def dataset_card(manifest: dict[str, Any]) -> str:
    """A dataset card whose ``configs:`` lets ``datasets.load_dataset(OUT, "documents")`` find each table.

    Without the configs, the JSON manifest beside the Parquet makes the loader pick the JSON builder.
    Only stable facts go in (no timings), so the card is the same for the same input.
    """
    tables = [name for name in manifest["files"] if manifest["files"][name]]
    lines = ["---", "configs:"]
    for i, name in enumerate(tables):
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {name}/*.parquet"]
        if i == 0:
            lines.append("  default: true")
    lines += [
        "---",
        "",
        "# Cleaned news dataset",
        "",
        f"Made by `clean` {manifest['version']} from {manifest['counts']['files']} input files.",
        "",
    ]
    if manifest.get("model"):
        model = manifest["model"]
        lines += [
            f"Which lines of a page are content was decided by the page model `{model['rule']}` (weights "
            f"sha256 {model['weights_sha256']}) after the line rules; its removals name it as their rule.",
            "",
        ]
    if manifest.get("html_model"):
        from clean.page.model.html_page import PEERS_OF  # trafilatura and the peers: only when the card is written

        model = manifest["html_model"]
        lines += [
            f"On HTML pages, every visible block was a line and the page model `{model['rule']}` (weights sha256 "
            f"{model['weights_sha256']}) decided, with each block's place in the page and what other extractors "
            f"({', '.join(PEERS_OF.get(model['name'], ()))}) kept as its evidence.",
            "",
        ]
    c = manifest["counts"]
    lines += [
        f"- documents: {c['documents']} ({c['ok']} ok, {c['empty']} empty, {c['failed']} failed)",
        f"- removals: {c['removals']}",
        "",
    ]
    lines += [
        'Load it with `datasets.load_dataset("path/to/OUT", "documents")`, DuckDB '
        "(`select * from 'OUT/documents/*.parquet'`), Polars or Spark.",
        "",
    ]
    for name in tables:
        lines += [f"## {name}", "", "| column | meaning |", "|---|---|"]
        lines += [f"| {col} | {meaning} |" for col, meaning in _COLUMNS.get(name, [])]
        lines.append("")
    if manifest.get("removals_by_kind"):
        lines += ["## Removals by kind", "", "| kind | removals |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in manifest["removals_by_kind"].items()]
        lines.append("")
    return "\n".join(lines)
