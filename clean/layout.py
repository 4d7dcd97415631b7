"""Every path of the output folder, and its manifest, read and written in one place.

What a reader of OUT sees (all of it listed in the manifest, which is written last)::

    OUT/manifest.json                 the commit record of the run: counts, files, configuration, timings
    OUT/README.md                     the dataset card (``datasets.load_dataset(OUT, "documents")``)
    OUT/report.html                   the run's report
    OUT/<table>/part-NNNNN-GGGGGGGG.parquet    documents, removals, passages, signatures; G: the generation

What a run keeps while it works (hidden; removed once the dataset is published)::

    OUT/.clean/lock                                        held by the run (flock), with its pid

    OUT/.clean/work-<fingerprint>/plan.json                the shard plan and configuration
    OUT/.clean/work-<fingerprint>/manifest.json            written only when a run is interrupted
    OUT/.clean/work-<fingerprint>/inputs/*.jsonl.gz        pieces of large compressed JSONL inputs
    OUT/.clean/work-<fingerprint>/shards/NNNNN.*.parquet   per-shard results
    OUT/.clean/work-<fingerprint>/shards/NNNNN.where.parquet  each document's place in its input
    OUT/.clean/work-<fingerprint>/shards/NNNNN.done.json   written last: the shard is finished
    OUT/.clean/work-<fingerprint>/dedup/                   the dedup stages' files (``clean.dedup.stages``)
    OUT/.clean/work-<fingerprint>/applied/NNNNN.*.parquet  per-shard tables once the corpus steps changed them
    OUT/.clean/work-<fingerprint>/publish/<table>/         the new tables, before they are moved into OUT
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STATE_DIR = ".clean"
MANIFEST = "manifest.json"
CARD = "README.md"
REPORT = "report.html"
#: Files at OUT's top that a run writes (besides its tables' folders).
TOP_FILES = (MANIFEST, CARD, REPORT)
#: The tables' folders a run may write.
TABLES = ("documents", "removals", "passages", "signatures")
#: Held by the run writing into OUT (``clean.outlock``).
LOCK = "lock"


def state_dir(out: Path) -> Path:
    return out / STATE_DIR


def lock_path(out: Path) -> Path:
    return state_dir(out) / LOCK


def work_dir(out: Path, fingerprint: str) -> Path:
    """The work folder of a run with this fingerprint (its options, code and model)."""
    return state_dir(out) / f"work-{fingerprint}"


def other_work_dirs(out: Path, work: Path) -> list[Path]:
    """Work folders of unfinished runs with other options."""
    state = state_dir(out)
    return sorted(p for p in state.glob("work-*") if p.is_dir() and p != work) if state.is_dir() else []


def plan_path(work: Path) -> Path:
    return work / "plan.json"


def interrupted_manifest_path(work: Path) -> Path:
    return work / MANIFEST


def shard_paths(work: Path, index: int) -> dict[str, Path]:
    """One shard's results: its documents and removals tables, and the done marker written after them."""
    base = work / "shards"
    return {
        "documents": base / f"{index:05d}.documents.parquet",
        "removals": base / f"{index:05d}.removals.parquet",
        "where": base / f"{index:05d}.where.parquet",
        "done": base / f"{index:05d}.done.json",
    }


def done_markers(work: Path) -> list[Path]:
    return sorted((work / "shards").glob("*.done.json"))


def shard_leftovers(work: Path) -> list[Path]:
    """Temporary files of a run that was killed while writing a shard (never mistaken for results)."""
    return sorted((work / "shards").glob(".*.tmp-*"))


def split_dir(work: Path) -> Path:
    """Where the pieces of large compressed JSONL inputs are written while the run plans its shards."""
    return work / "inputs"


def lines_dir(work: Path) -> Path:
    """Each shard's line counts, for the repeated-lines step to sum by ranges of line hashes."""
    return work / "lines"


def renames_dir(work: Path) -> Path:
    """Each shard's documents whose id an earlier shard's document already had, and their new ids."""
    return work / "renames"


def dedup_dir(work: Path) -> Path:
    return work / "dedup"


def staging_dir(work: Path) -> Path:
    return work / "publish"


def read_manifest(out: Path) -> dict[str, Any] | None:
    """OUT's manifest when it is one this tool wrote, else None."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("created_by") == "clean" else None


def files_of(manifest: dict[str, Any] | None) -> list[str]:
    """The files (relative to OUT) a manifest lists; never a path that leaves OUT."""
    if not manifest:
        return []
    return [
        rel
        for files in manifest.get("files", {}).values()
        for rel in files
        if isinstance(rel, str) and ".." not in Path(rel).parts and not Path(rel).is_absolute()
    ]


def table_paths(out: Path, manifest: dict[str, Any], name: str) -> list[Path]:
    """The Parquet files of table ``name`` that the manifest lists (never a stray file in the folder)."""
    return [out / rel for rel in manifest.get("files", {}).get(name, []) if str(rel).endswith(".parquet")]
