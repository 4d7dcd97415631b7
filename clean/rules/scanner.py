"""Many patterns run over a page's bytes in one pass, by Hyperscan, each match reported with its pattern.

RE2 builds its automaton lazily, state by state, on the text it meets: on a worker's first pages that
building was a third of the line rules' time, and asking its set about each line cost a call per line.
Hyperscan compiles every pattern ahead of time and scans a whole page in one call. The price is compile
time (about a second for the built-in rules), so a compiled database is kept on disk, named by a hash of
its patterns and Hyperscan's version, and every later process loads it in a millisecond. The cache is
only ever a shortcut: a file that is missing, unreadable or from another build is compiled again, and
only the most recently used databases are kept.

Patterns must be in Hyperscan's syntax; ``prefilter`` translates the rules' widened patterns.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import platform
import threading
from collections.abc import Sequence
from pathlib import Path

from clean.atomic import write_bytes_atomic

try:  # where a wheel of it installs (pyproject's marker); elsewhere the prefilter runs on RE2's sets
    import hyperscan
except ImportError:  # pragma: no cover - only where no hyperscan wheel installs
    hyperscan = None

#: Lines joined by newlines: ``^``/``$`` mark line edges. UTF-8, so classes and case folding are by
#: character. Empty matches allowed: a widened pattern may match the empty line.
FLAGS = 0 if hyperscan is None else hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_ALLOWEMPTY


def cache_dir() -> Path:
    """Where compiled databases are kept: ``$CLEAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/clean``, else
    ``~/.cache/clean``."""
    chosen = os.environ.get("CLEAN_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path("~/.cache").expanduser()) / "clean"


class Scanner:
    """A compiled set of patterns: ``scan`` gives the (end offset, pattern id) of every match in a text.

    ``refused`` holds the ids of patterns Hyperscan would not compile; they are not in the database (and
    when none compiles there is no database: ``database`` is None and ``scan`` finds nothing).
    """

    def __init__(self, expressions: Sequence[str], ids: Sequence[int]) -> None:
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        self.database, self.refused = _database(tuple(expressions), tuple(ids))
        self._local = threading.local()  # scratch space is per thread: a scan in use cannot share it

    def scan(self, data: bytes) -> list[tuple[int, int]]:
        """Every match in ``data`` (valid UTF-8) as (end offset, pattern id), in order of end offset.

        A pattern reports each offset where one of its matches ends, so it may appear several times.
        """
        if self.database is None:
            return []
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        hits: list[tuple[int, int]] = []
        add = hits.append
        self.database.scan(data, match_event_handler=lambda id_, _start, end, _flags, _context: add((end, id_)),
                           scratch=scratch)
        hits.sort()  # reported in order of end offset, ties by pattern: sorting says so rather than trusts it
        return hits


@functools.lru_cache(maxsize=8)
def _database(expressions: tuple[str, ...], ids: tuple[int, ...]):
    """The compiled database of ``expressions`` and the ids it refused: from this process's memory, the disk
    cache, or compiled now (and cached)."""
    digest = hashlib.sha256(
        repr((getattr(hyperscan, "__version__", "?"), platform.machine(), FLAGS, expressions, ids)).encode("utf-8")
    ).hexdigest()[:32]
    path = cache_dir() / f"rules-{digest}.hsdb"
    try:
        database = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        # A scan proves it whole and runnable here: a home folder shared by machines of another processor
        # may hold a database this one cannot run.
        database.scan(b"", match_event_handler=lambda *_: None, scratch=hyperscan.Scratch(database))
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: pruning keeps the most recently used
        return database, ()
    except Exception:  # missing, unreadable, truncated, from another version or processor: compile instead
        pass
    try:
        return _store(_compile(expressions, ids), path), ()
    except hyperscan.error:  # some pattern Hyperscan cannot take: find which, compile the others
        refused = tuple(i for e, i in zip(expressions, ids, strict=True) if not _compiles(e))
        kept = [(e, i) for e, i in zip(expressions, ids, strict=True) if i not in refused]
        return (_compile([e for e, _ in kept], [i for _, i in kept]) if kept else None), refused


def _compile(expressions: Sequence[str], ids: Sequence[int]):
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=[e.encode("utf-8") for e in expressions], ids=list(ids),
                     elements=len(expressions), flags=FLAGS)
    return database


def _compiles(expression: str) -> bool:
    try:
        _compile([expression], [0])
    except hyperscan.error:
        return False
    return True


#: Databases the cache folder keeps, the most recently used: each change of the rules (an upgrade, a custom
#: rule set) compiles a new one of about 2 MB, and the folder must not grow without end.
KEEP = 16


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used databases in ``folder`` (a file in use stays readable)."""
    try:
        found = sorted(folder.glob("rules-*.hsdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:  # a file went while listing (another process pruning): next time
        return
    for old in found[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _store(database, path: Path):
    """Write ``database`` to ``path`` atomically (a reader never sees half a file); a cache that cannot be
    written is no error, only slower next time."""
    try:
        write_bytes_atomic(path, hyperscan.dumpb(database))
    except OSError:
        return database
    _prune(path.parent, KEEP)
    return database
