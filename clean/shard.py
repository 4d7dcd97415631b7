"""One shard: read it, clean its documents in batches, write its tables and its done marker.

``run_shard`` is the same function in the process pool and on Ray (``clean.engines``); it reads its input and
writes its results as files (``clean.layout.shard_paths``), so what a worker returns is only counts. A bad
document becomes a ``failed`` row with a one-line reason and never costs the others.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from clean import readers
from clean.config import Config
from clean.document import Document, Metadata, RawRecord
from clean.errors import InputError
from clean.layout import shard_paths
from clean.page.pipeline import CleanOptions, settle_heap, warm_up
from clean.page.records import clean_record, clean_records
from clean.schema import documents_table, removals_of
from clean.writers import write_json_atomic, write_table_atomic

log = logging.getLogger(__name__)


class DocumentTimeout(Exception):
    """One document took longer than ``doc_timeout``."""


def clean_options(config: Config) -> CleanOptions:
    return CleanOptions(
        zones=config.zones,
        repeated_lines=config.repeated_lines,
        detect_language=config.detect_language,
        html_model=config.html_model,
    )


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise DocumentTimeout after ``seconds`` (main thread only; elsewhere no limit applies)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise DocumentTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def failed_document(item: readers.Failure | RawRecord, reason: str) -> Document:
    return Document(
        id=item.id, source=item.source, format=item.format, text="", meta=Metadata(), status="failed", error=reason
    )


def clean_item(item: RawRecord | readers.Failure, config: Config, options: CleanOptions) -> Document:
    """Clean one reader item; a bad document becomes a ``failed`` row with a one-line reason."""
    if isinstance(item, readers.Failure):
        return failed_document(item, item.reason)
    try:
        with _time_limit(config.doc_timeout):
            return clean_record(item, options)
    except DocumentTimeout:
        return failed_document(item, f"cleaning took longer than {config.doc_timeout:g} s (--doc-timeout)")
    except (InputError, ValueError, UnicodeError) as exc:
        return failed_document(item, _one_line(exc))
    except TimeoutError as exc:  # the regex module's per-pattern timeout
        return failed_document(item, f"a rule ran too long on this document ({_one_line(exc)})")
    except RecursionError:
        return failed_document(item, "document is nested too deeply to parse")
    except MemoryError:
        return failed_document(item, "out of memory while cleaning this document")
    except Exception as exc:  # a bug: keep the run going, name the document, keep the type
        log.exception("internal error on %s", item.id)
        return failed_document(item, f"internal error: {type(exc).__name__}: {_one_line(exc)}")


#: Documents a worker cleans together (see ``pipeline.clean_texts``): 16 to 88 measured the same.
BATCH = 32
#: Characters of input a batch holds at most: a batch keeps every page's lines and removals until its last step,
#: so large documents (up to --max-doc-mb) are cleaned in smaller batches, a very large one alone.
BATCH_CHARS = 1_000_000


def clean_items(items: Sequence[RawRecord | readers.Failure], config: Config, options: CleanOptions) -> list[Document]:
    """``clean_item`` of each item, the records cleaned together as one batch.

    The batch gets one document's time limit. If it runs over, or any record in it raises, every record is
    cleaned again on its own with its own limit, so that the failure lands on the document that caused it
    and the others come out as they would have alone (cleaning is deterministic, so nothing differs).
    """
    records = [item for item in items if isinstance(item, RawRecord)]
    if len(records) < 2:
        return [clean_item(item, config, options) for item in items]
    try:
        with _time_limit(config.doc_timeout):
            cleaned = iter(clean_records(records, options))
    except Exception:  # any failure (DocumentTimeout included): retried one by one, where it is reported properly
        return [clean_item(item, config, options) for item in items]
    return [
        failed_document(item, item.reason) if isinstance(item, readers.Failure) else next(cleaned) for item in items
    ]


def in_batches(items: Iterable[Any], size: int = BATCH, max_chars: int = BATCH_CHARS) -> Iterator[list[Any]]:
    """``items`` in order, in lists of at most ``size`` that hold at most ``max_chars`` of text or HTML between
    them (a single larger item makes a list of its own)."""
    batch: list[Any] = []
    chars = 0
    for item in items:
        n = len(getattr(item, "html", None) or getattr(item, "text", None) or "")
        if batch and chars + n > max_chars:
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += n
        if len(batch) == size:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def shard_stats(docs: Sequence[Document]) -> dict[str, Any]:
    """Counts a shard contributes to the manifest; plain JSON so it can sit in the done marker."""
    status = Counter(d.status for d in docs)
    kinds: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    files: dict[str, dict[str, Any]] = {}
    for d in docs:
        kinds.update(r.kind for r in d.removals)
        rules.update(r.rule for r in d.removals)
        entry = files.setdefault(d.source, {"documents": 0, "ok": 0, "empty": 0, "failed": 0, "errors": []})
        entry["documents"] += 1
        entry[d.status] += 1
        if d.error and len(entry["errors"]) < 5:
            entry["errors"].append(d.error if d.id == d.source or d.error.startswith(d.id) else f"{d.id}: {d.error}")
    return {
        "documents": len(docs),
        "status": dict(status),
        "kinds": dict(kinds),
        "rules": dict(rules),
        "files": files,
        "chars_in": sum(d.n_chars_in for d in docs),
        "chars_out": sum(d.n_chars_out for d in docs),
    }


def run_shard(shard: readers.Shard, config: Config, work: Path) -> dict[str, Any]:
    """Read, clean and write one shard, then its done marker. The same function on every engine.

    A shard that runs out of memory (a record file too large to cut, a worker short of RAM) fails alone: each of
    its pieces becomes a failed document naming the input and the error, and the run publishes everything else.
    """
    started = time.perf_counter()
    options = clean_options(config)
    warm_up(options)  # compile the rules and load the language model outside any document's time limit
    settle_heap()
    paths = shard_paths(work, shard.index)
    try:
        items = readers.read_shard(shard, max_doc_bytes=int(config.max_doc_mb * (1 << 20)))
        docs, wheres = [], []
        for batch in in_batches(items):
            docs += clean_items(batch, config, options)
            wheres += [getattr(item, "where", "") or item.id for item in batch]
        _unique_ids(docs, wheres)
        write_table_atomic(paths["documents"], documents_table(docs))
        write_table_atomic(paths["removals"], removals_of(docs))
    except MemoryError as exc:  # pyarrow's ArrowMemoryError is one too
        docs = None
        reason = f"out of memory while reading or cleaning this input ({type(exc).__name__}: {_one_line(exc)})"
        log.error("shard %d: %s", shard.index, reason)
    if docs is None:
        docs = [_failed_piece(piece, reason) for piece in shard.pieces]
        wheres = [d.id for d in docs]
        write_table_atomic(paths["documents"], documents_table(docs))
        write_table_atomic(paths["removals"], removals_of(docs))
    write_table_atomic(paths["where"], pa.table({"where": pa.array(wheres, type=pa.string())}))
    stats = shard_stats(docs)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    write_json_atomic(paths["done"], {"shard": shard.index, **stats})
    return stats


def _unique_ids(docs: Sequence[Document], wheres: Sequence[str]) -> None:
    """Ids told apart within the shard until ``corpus.unique_ids`` names them: a document whose id an earlier one of
    the shard has gets ``<id>\\0<where>`` (its place in the input), removals and all, so that each row's removals stay
    its own; the corpus step, seeing every shard, gives it its published id."""
    seen: set[str] = set()
    for doc, where in zip(docs, wheres, strict=True):
        if doc.id in seen:
            doc.id = f"{doc.id}{PROVISIONAL}{where}"
        seen.add(doc.id)


#: Between an id and a document's place in the input while the shard waits for its published id.
PROVISIONAL = "\x00"


def _failed_piece(piece: readers.Piece, reason: str) -> Document:
    """A failed document standing for a piece of input that could not be cleaned: the file, or where its piece
    starts (``<source>:<first line>``) when the file was cut into pieces."""
    origin = piece.origin
    whole = piece.part_of is None and piece.start == 0 and piece.stop is None
    where = origin.source if whole else f"{origin.source}:{piece.first_line}"
    return Document(id=where, source=origin.source, format=origin.format, text="", meta=Metadata(), status="failed",
                    error=reason)


def run_shard_job(shard_json: dict[str, Any], config: Config, work: str) -> dict[str, Any]:
    """An engine's entry point: plain arguments in (the shard as JSON, the work folder as a string), plain stats out."""
    return run_shard(readers.Shard.from_json(shard_json), config, Path(work))
