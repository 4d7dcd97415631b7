"""Discovery: walk the INPUT paths once and name every file with a unique, stable ``source``."""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from clean.errors import UsageError
from clean.readers.files import _os_reason
from clean.readers.plan import Failure, InputFile, file_stamp

#: Extension (lower-cased) to format; matching is case-insensitive so ``PAGE.HTM`` reads too.
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".parquet": "parquet"}
#: Compression suffix to its name; a compressed file is read as a stream (cut into pieces at planning if it is JSONL).
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}
#: The first bytes of each compressed stream: a file is read by what it holds, whatever its suffix says.
MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
#: The suffixes a message lists.
KNOWN = ".txt, .html, .htm, .jsonl or .parquet, optionally .gz, .bz2, .xz or .zst"


@dataclass(frozen=True, slots=True)
class Discovery:
    """What ``discover`` found: files to read, inputs that failed, and sources skipped for their extension.

    Unpacks as ``files, failures = discover(...)``; ``skipped`` is there for the manifest to list.
    """

    files: list[InputFile]
    failures: list[Failure]
    skipped: list[str]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.files, self.failures))


# --------------------------------------------------------------------------------------------- discover


def format_of(name: str) -> tuple[str, str | None] | None:
    """The ``(format, compression)`` a file name asks for, or None for an unknown extension."""
    lower = name.lower()
    compression = None
    for suffix, comp in COMPRESSIONS.items():
        if lower.endswith(suffix):
            lower, compression = lower[: -len(suffix)], comp
            break
    fmt = FORMATS.get(PurePath(lower).suffix)
    return (fmt, compression) if fmt else None


def sniff(path: str) -> str | None:
    """The compression a file's first bytes announce (a ``.jsonl`` that is really gzip, a ``.gz`` that is zstd), or
    None for a plain file or one that cannot be read (reading it then says why)."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(6)
    except OSError:
        return None
    if head.startswith(b"BZh") and head[3:4] not in b"123456789":  # bzip2's block size: a text could start "BZh"
        return None
    return next((name for magic, name in MAGIC if head.startswith(magic)), None)


@dataclass(slots=True)
class _Found:
    """A discovered entry before its source is final: ``root`` parents can extend ``rel`` on a clash."""

    path: str
    root: tuple[str, ...]
    rel: tuple[str, ...]
    kind: str  # "file", "failure" or "skipped"
    format: str = ""
    compression: str | None = None
    size: int = 0
    reason: str = ""
    depth: int = 0
    stamp: str = ""

    def source(self) -> str:
        parts = self.root[len(self.root) - self.depth :] if self.depth else ()
        return "/".join(_printable(p) for p in (*parts, *self.rel))


def discover(inputs: Sequence[str | Path], *, exclude: str | Path | None = None) -> Discovery:
    """Find the input files under the INPUT paths.

    Folders are walked recursively in sorted order, skipping names that start with a dot; symlinks are
    followed, and a link back to an enclosing folder is a failure, not an endless walk. Files with an
    unknown extension inside a folder are skipped (and listed); a file given directly with an unknown
    extension is a failure. Unreadable files and folders, broken links and loops are failures; the walk
    goes on. The same file reached twice through the inputs is read once.

    Sources: for one INPUT folder, the path relative to it; for a file given directly, its name; with
    several INPUTs, a folder's files are prefixed with the folder's name, so ``clean crawl-a crawl-b OUT``
    gives ``crawl-a/...`` and ``crawl-b/...`` whatever the folders hold. Sources that still clash (two
    ``page.txt`` from different folders, two folders named ``data``) take parent folder names, nearest
    first, until they differ. Everything comes back sorted by source.

    Args:
        inputs: INPUT paths as the user gave them.
        exclude: a folder never to walk into (the OUT folder, when it sits inside an INPUT).

    Raises:
        UsageError: an INPUT path does not exist.
    """
    if not inputs:
        raise UsageError("no INPUT given")
    for given in inputs:
        if not Path(given).exists():
            raise UsageError(f"INPUT does not exist: {given}")
    excluded = _dir_key(exclude) if exclude is not None else None
    found: list[_Found] = []
    for given in inputs:
        # abspath, not resolve(): sources keep the names the user typed, even through symlinks.
        absolute = os.path.abspath(given)  # noqa: PTH100
        parts = tuple(p for p in absolute.split(os.sep) if p)  # noqa: PTH206 - a str split stays a str
        if Path(absolute).is_dir():
            prefix = parts[-1:] if len(inputs) > 1 else ()
            root = parts[:-1] if prefix else parts
            _walk(absolute, root=root, rel=prefix, ancestors=frozenset(), excluded=excluded, found=found)
        else:
            _add_file(absolute, parts[:-1], parts[-1:], found, given_directly=True)
    unique: dict[str, _Found] = {}
    for entry in found:
        unique.setdefault(os.path.normpath(entry.path), entry)
    entries = list(unique.values())
    _disambiguate(entries)
    entries.sort(key=lambda e: e.source().split("/"))
    files, failures, skipped = [], [], []
    for e in entries:
        if e.kind == "file":
            files.append(InputFile(e.path, e.source(), e.format, e.compression, e.size, e.stamp))
        elif e.kind == "failure":
            failures.append(Failure(e.source(), e.source(), e.format, e.reason))
        else:
            skipped.append(e.source())
    return Discovery(files, failures, skipped)


def _dir_key(path: str | Path) -> tuple[int, int] | None:
    """Device and inode of a folder, to recognise it through any path; None if it does not exist."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _walk(
    folder: str,
    *,
    root: tuple[str, ...],
    rel: tuple[str, ...],
    ancestors: frozenset[tuple[int, int]],
    excluded: tuple[int, int] | None,
    found: list[_Found],
) -> None:
    """Walk one folder in sorted order, appending what it holds to ``found``."""
    key = _dir_key(folder)
    if key is not None and key in ancestors:
        found.append(_Found(folder, root, rel, "failure", reason="symlink loop (links back to an enclosing folder)"))
        return
    if key is not None and key == excluded:
        return
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        found.append(_Found(folder, root, rel or (Path(folder).name,), "failure", reason=_os_reason(exc)))
        return
    inner = ancestors | {key} if key is not None else ancestors
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child_rel = (*rel, os.fsdecode(entry.name))
        try:
            st = entry.stat()  # follows symlinks, like the walk
        except OSError as exc:
            reason = _os_reason(exc, link=entry.is_symlink())
            found.append(_Found(entry.path, root, child_rel, "failure", reason=reason))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(entry.path, root=root, rel=child_rel, ancestors=inner, excluded=excluded, found=found)
        else:
            _add_file(entry.path, root, child_rel, found, given_directly=False, st=st)


def _add_file(
    path: str,
    root: tuple[str, ...],
    rel: tuple[str, ...],
    found: list[_Found],
    *,
    given_directly: bool,
    st: os.stat_result | None = None,
) -> None:
    """Classify one file: readable input, failure, or skipped for its extension."""
    kind = format_of(rel[-1])
    if kind is None:
        if given_directly:
            reason = f"unknown format (expected {KNOWN})"
            found.append(_Found(path, root, rel, "failure", reason=reason))
        else:
            found.append(_Found(path, root, rel, "skipped"))
        return
    fmt, compression = kind
    try:
        st = st or Path(path).stat()
    except OSError as exc:
        found.append(_Found(path, root, rel, "failure", fmt, compression, reason=_os_reason(exc)))
        return
    if not stat.S_ISREG(st.st_mode):
        found.append(_Found(path, root, rel, "failure", fmt, compression, reason="not a regular file"))
    elif not os.access(path, os.R_OK):
        found.append(_Found(path, root, rel, "failure", fmt, compression, reason="permission denied"))
    else:
        compression = sniff(path) or compression
        found.append(_Found(path, root, rel, "file", fmt, compression, st.st_size, stamp=file_stamp(st)))


def _disambiguate(entries: list[_Found]) -> None:
    """Give clashing sources parent folder names, nearest first, until every source is unique."""
    while True:
        groups: dict[str, list[_Found]] = defaultdict(list)
        for e in entries:
            groups[e.source()].append(e)
        grew = False
        for group in groups.values():
            if len(group) < 2:
                continue
            for e in group:
                if e.depth < len(e.root):
                    e.depth += 1
                    grew = True
        if not grew:
            break
    seen: dict[str, int] = defaultdict(int)
    for e in entries:  # only identical absolute paths can still clash (impossible after de-duplication)
        seen[e.source()] += 1
        if seen[e.source()] > 1:
            e.rel = (*e.rel[:-1], f"{e.rel[-1]}~{seen[e.source()]}")


def _printable(name: str) -> str:
    """A file name as valid text: undecodable bytes in a name become U+FFFD, the path keeps them."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
