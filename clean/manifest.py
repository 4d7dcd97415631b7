"""The manifest and the dataset card of a run: what accounts for every input, and what a loader reads first.

The manifest (``OUT/manifest.json``) lists every input file with its status, every published file, the counts
by status, kind and rule of removal, the configuration, the models' identities and the timings; the card
(``OUT/README.md``) holds only stable facts, so that it is the same for the same input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clean import readers
from clean.config import Config
from clean.page.model.page import HTML_MODELS, PEERS_OF, identity
from clean.version import __version__


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
    skipped: Sequence[str] = (),
) -> dict[str, Any]:
    """Account for every input: per file, per status, per kind and rule of removal; files skipped for their kind
    are listed with the reason (``skipped``), so that a folder of files ``clean`` does not read never looks done."""
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
    known = {p.origin.source: p.origin for s in shards for p in s.pieces}
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
        "files_skipped": len(skipped),
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
        "skipped_files": [
            {"source": source, "reason": f"unknown format (expected {readers.KNOWN})"} for source in skipped
        ],
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
    # This run's files only: while a run publishes, or if it was killed before its commit, the folder holds the
    # previous run's files too (``clean.publish``).
    gen = f"-{manifest['generation']}" if manifest.get("generation") else ""
    lines = ["---", "configs:"]
    for i, name in enumerate(tables):
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {name}/*{gen}.parquet"]
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
