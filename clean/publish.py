"""Publish a finished run: the staged tables moved into OUT, the previous run's leftovers removed, manifest last.

The new dataset is written whole into the work folder first (``layout.staging_dir``); only then are its files
renamed into OUT (each rename atomic), files of the previous run that the new one does not replace are removed
(only those the previous manifest lists: a file this tool did not write is never deleted), the card and the
report are written, and the manifest is written last, as the commit record of the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clean.atomic import write_bytes_atomic, write_json_atomic
from clean.layout import CARD, MANIFEST, REPORT, TOP_FILES, files_of, read_manifest

log = logging.getLogger(__name__)


def published_names(staged: dict[str, list[Path]]) -> dict[str, list[str]]:
    """Where each staged file will stand in OUT, relative to it (``<table>/<file name>``)."""
    return {name: [f"{name}/{f.name}" for f in files] for name, files in staged.items()}


def publish(
    out: Path,
    staged: dict[str, list[Path]],
    manifest: dict[str, Any],
    card: str,
    report: Callable[[Path, dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """Move ``staged`` (table name -> its files, in order) into OUT and commit ``manifest`` (whose ``files`` are
    ``published_names(staged)``). ``report(out, manifest)`` writes ``OUT/report.html`` once the tables are in
    place; the dataset is published whatever becomes of it."""
    previous = read_manifest(out)
    for name, files in staged.items():
        (out / name).mkdir(parents=True, exist_ok=True)
        for f in files:
            f.replace(out / name / f.name)
    keep = {rel for files in published_names(staged).values() for rel in files} | set(TOP_FILES)
    for rel in files_of(previous):
        if rel not in keep:
            (out / rel).unlink(missing_ok=True)
    write_bytes_atomic(out / CARD, card.encode("utf-8"))
    if report is not None:
        try:
            report(out, manifest)
        except Exception:
            log.exception("could not write %s; the dataset itself is complete", out / REPORT)
        else:
            manifest["files"]["report"] = [REPORT]
    write_json_atomic(out / MANIFEST, manifest)
    return manifest
