"""Publish a finished run so that a reader sees the whole previous run or the whole new one, never a mix.

Each run's files carry a generation in their names (``documents/part-00000-<generation>.parquet``), a hash of their
bytes, so the new files never overwrite the previous run's (the same bytes give the same names, and replacing a file
by itself changes nothing). Publishing is then:

1. the new tables are renamed into OUT beside the previous ones (each rename atomic; the previous run is untouched);
2. ``manifest.json`` is written (atomically): the commit. A reader that follows the manifest, as ``--explain``,
   ``--dedup-against`` and the report do, sees the new run from this instant and the previous one before it;
3. the dataset card (whose ``data_files`` name this generation's files, so ``datasets`` follows it too) and the
   report are written;
4. the previous run's files are removed, and any left by a publish that was killed before its commit.

A run killed anywhere leaves OUT's manifest naming one whole run. Readers that glob ``OUT/documents/*.parquet``
see only the new run once the command has returned; while it publishes, or after it was killed mid-publish, they
should follow the manifest or the card (``docs/architecture.md``).

OUT may hold other files: a run refuses such a folder unless ``--force`` (``foreign_files``), and never changes or
removes a file it did not write.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clean.atomic import write_bytes_atomic, write_json_atomic
from clean.errors import UsageError
from clean.layout import CARD, MANIFEST, REPORT, STATE_DIR, TABLES, TOP_FILES, files_of, read_manifest

log = logging.getLogger(__name__)

#: A table file this tool writes: ``part-NNNNN-<generation>.parquet`` (the previous version's ``part-NNNNN.parquet``
#: are known by the manifest that lists them).
PART_FILE = re.compile(r"part-\d{5}-[0-9a-f]{8}\.parquet")
#: What an atomic write killed half-way leaves beside its destination (``clean.atomic``).
_LEFTOVER = re.compile(r"\.(?:part-\d{5}.*\.parquet|manifest\.json|README\.md|report\.html)\.tmp-\w+")
#: Files an operating system drops into any folder it shows.
_OS_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def generation(digests: Sequence[str]) -> str:
    """Eight hex digits naming a run's files: a hash of every file's sha256, in table and part order."""
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()[:8]


def published_names(staged: dict[str, list[Path]], gen: str) -> dict[str, list[str]]:
    """Where each staged file will stand in OUT, relative to it (``<table>/part-NNNNN-<gen>.parquet``)."""
    return {name: [f"{name}/{f.stem}-{gen}{f.suffix}" for f in files] for name, files in staged.items()}


def foreign_files(out: Path) -> list[str]:
    """What OUT holds that this tool did not write (relative paths, sorted): a run refuses such a folder unless
    forced, so that pointing ``clean`` at the wrong folder cannot litter it or replace a ``README.md``."""
    if not out.is_dir():
        return []
    previous = read_manifest(out)
    ours = set(files_of(previous)) | (set(TOP_FILES) if previous else set())
    tables = set(TABLES) | set((previous or {}).get("files", {}))
    found = []
    for entry in sorted(out.iterdir()):
        name = entry.name
        if name == STATE_DIR or name in _OS_FILES or _LEFTOVER.fullmatch(name) or name in ours:
            continue
        if name in tables and entry.is_dir() and not entry.is_symlink():
            found += [
                f"{name}/{sub.name}"
                for sub in sorted(entry.iterdir())
                if f"{name}/{sub.name}" not in ours and not PART_FILE.fullmatch(sub.name)
                and not _LEFTOVER.fullmatch(sub.name) and sub.name not in _OS_FILES
            ]
            continue
        found.append(name)
    return found


def check_out(out: Path, force: bool) -> None:
    """Refuse an OUT holding files this tool did not write (unless ``force``), and, even with ``force``, one where
    such a file stands where a run writes (its ``README.md``, ``manifest.json``, ``report.html``)."""
    foreign = foreign_files(out)
    if not foreign:
        return
    taken = [rel for rel in foreign if rel in TOP_FILES or rel in TABLES]
    if taken:
        raise UsageError(
            f"OUT {out} holds {', '.join(taken)}, not written by clean, where clean writes its own; move "
            f"{'it' if len(taken) == 1 else 'them'} away or choose another OUT"
        )
    if not force:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise UsageError(
            f"OUT {out} holds files clean did not write ({shown}); choose an empty or new folder, or add --force "
            "to write beside them (they are left alone)"
        )


def publish(
    out: Path,
    staged: dict[str, list[Path]],
    manifest: dict[str, Any],
    card: str,
    report: Callable[[Path, dict[str, Any]], str] | None = None,
) -> dict[str, Any]:
    """Move ``staged`` (table name -> its files, in order) into OUT under the names ``manifest["files"]`` gives them
    (``published_names``) and commit ``manifest``. ``report(out, manifest)`` renders ``OUT/report.html`` from the
    new tables; the dataset is published whatever becomes of it."""
    previous = read_manifest(out)
    for name, files in staged.items():
        (out / name).mkdir(parents=True, exist_ok=True)
        for f, rel in zip(files, manifest["files"][name], strict=True):
            f.replace(out / rel)
    page = None
    if report is not None:
        try:
            page = report(out, manifest).encode("utf-8")
        except Exception:
            log.exception("could not write %s; the dataset itself is complete", out / REPORT)
        else:
            manifest["files"]["report"] = [REPORT]
    write_json_atomic(out / MANIFEST, manifest)
    write_bytes_atomic(out / CARD, card.encode("utf-8"))
    if page is not None:
        write_bytes_atomic(out / REPORT, page)
        log.info("wrote %s (%d KB)", out / REPORT, len(page) // 1024)
    _remove_stale(out, previous, manifest)
    return manifest


def _remove_stale(out: Path, previous: dict[str, Any] | None, manifest: dict[str, Any]) -> None:
    """The previous run's files the new one does not list, and table files of a publish killed before its commit."""
    keep = set(files_of(manifest)) | set(TOP_FILES)
    for rel in files_of(previous):
        if rel not in keep:
            (out / rel).unlink(missing_ok=True)
    tables = set(TABLES) | set((previous or {}).get("files", {}))
    for name in sorted(tables):
        folder = out / name
        if not folder.is_dir() or folder.is_symlink():
            continue
        for f in folder.iterdir():
            if (PART_FILE.fullmatch(f.name) or _LEFTOVER.fullmatch(f.name)) and f"{name}/{f.name}" not in keep:
                f.unlink(missing_ok=True)
        if name not in manifest["files"]:
            with contextlib.suppress(OSError):  # a table this run does not write, left empty; a user's file keeps it
                folder.rmdir()
    for f in out.iterdir():
        if _LEFTOVER.fullmatch(f.name):
            f.unlink(missing_ok=True)
