"""A run: plan shards, clean each shard, run the corpus steps, publish the dataset and its manifest.

The unit of work is a shard (see ``readers``). ``run_shard`` reads, cleans and writes one shard's
results plus a done marker into the work folder, and is the same function in the process pool and on
Ray. Publishing streams the shard results in shard order into bounded part files, so the bytes do not
depend on how many workers ran; a rerun after a crash finds the done markers and does only the rest.

Layout of OUT while a run works (hidden, removed once the dataset is published)::

    OUT/.clean/work-<fingerprint>/plan.json               the shard plan and configuration
    OUT/.clean/work-<fingerprint>/shards/NNNNN.*.parquet  per-shard results
    OUT/.clean/work-<fingerprint>/shards/NNNNN.done.json  written last: the shard is finished
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clean import __version__, readers
from clean.config import Config
from clean.document import Document, Metadata, RawRecord
from clean.errors import InputError, UsageError
from clean.page.model.page import HTML_MODELS, identity
from clean.page.pipeline import CleanOptions, clean_record, clean_records, settle_heap, warm_up
from clean.schema import DOCUMENTS, REMOVALS
from clean.writers import write_json_atomic, write_table_atomic

log = logging.getLogger(__name__)

STATE_DIR = ".clean"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: what was finished is kept in the work folder for the next run to resume."""

    def __init__(self, done: int, total: int, work: Path) -> None:
        super().__init__(f"interrupted with {done} of {total} shards done; rerun the same command to resume")
        self.done, self.total, self.work = done, total, work


class DocumentTimeout(Exception):
    """One document took longer than ``doc_timeout``."""


@dataclass
class RunResult:
    """What a run did: the manifest's counts, where the output is, and the exit status it implies."""

    out: Path
    manifest: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0) + self.counts.get("files_failed", 0)

    @property
    def exit_code(self) -> int:
        return 3 if self.failed else 0


# ---------------------------------------------------------------- one shard


def clean_options(config: Config, common_lines: frozenset[str] = frozenset()) -> CleanOptions:
    return CleanOptions(
        zones=config.zones,
        repeated_lines=config.repeated_lines,
        detect_language=config.detect_language,
        html_model=config.html_model,
        common_lines=common_lines,
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


def documents_table(docs: Sequence[Document]) -> pa.Table:
    cols: dict[str, list[Any]] = {f.name: [] for f in DOCUMENTS}
    for d in docs:
        m = d.meta
        cols["id"].append(d.id)
        cols["source"].append(d.source)
        cols["format"].append(d.format)
        cols["url"].append(m.url)
        cols["title"].append(m.title)
        cols["author"].append(m.author)
        cols["date"].append(m.date)
        cols["site"].append(m.site)
        cols["language"].append(m.language)
        cols["text"].append(d.text)
        cols["n_chars_in"].append(d.n_chars_in)
        cols["n_chars_out"].append(d.n_chars_out)
        cols["n_removed"].append(d.n_removed)
        cols["status"].append(d.status)
        cols["error"].append(d.error)
    return pa.Table.from_pydict(cols, schema=DOCUMENTS)


def removals_table(docs: Sequence[Document]) -> pa.Table:
    cols: dict[str, list[Any]] = {f.name: [] for f in REMOVALS}
    for d in docs:
        for r in d.removals:
            cols["id"].append(d.id)
            cols["stage"].append(r.stage)
            cols["line"].append(r.line)
            cols["start"].append(r.start)
            cols["text"].append(r.text)
            cols["rule"].append(r.rule)
            cols["kind"].append(r.kind)
            cols["action"].append(r.action)
            cols["reason"].append(r.reason)
            cols["field"].append(r.field)
            cols["ref"].append(r.ref)
    return pa.Table.from_pydict(cols, schema=REMOVALS)


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


def shard_paths(work: Path, index: int) -> dict[str, Path]:
    base = work / "shards"
    return {
        "documents": base / f"{index:05d}.documents.parquet",
        "removals": base / f"{index:05d}.removals.parquet",
        "done": base / f"{index:05d}.done.json",
    }


def run_shard(
    shard: readers.Shard, config: Config, work: Path, common_lines: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Read, clean and write one shard, then its done marker. The same function on every engine."""
    started = time.perf_counter()
    options = clean_options(config, common_lines)
    warm_up(options)  # compile the rules and load the language model outside any document's time limit
    settle_heap()
    items = readers.read_shard(shard, max_doc_bytes=int(config.max_doc_mb * (1 << 20)))
    docs = [doc for batch in in_batches(items) for doc in clean_items(batch, config, options)]
    paths = shard_paths(work, shard.index)
    write_table_atomic(paths["documents"], documents_table(docs))
    write_table_atomic(paths["removals"], removals_table(docs))
    stats = shard_stats(docs)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    write_json_atomic(paths["done"], {"shard": shard.index, **stats})
    return stats


def _run_shard_job(shard_json: dict[str, Any], config: Config, work: str) -> dict[str, Any]:
    """Process-pool entry point: plain arguments in, plain stats out."""
    return run_shard(readers.Shard.from_json(shard_json), config, Path(work))


# ---------------------------------------------------------------- a run


def check_paths(inputs: Sequence[Path], out: Path) -> None:
    """Usage errors about INPUT and OUT, raised before any work is done."""
    if not inputs:
        raise UsageError("give at least one INPUT (a folder or files) and an OUT folder")
    out_r = out.resolve()
    if out_r.exists() and not out_r.is_dir():
        raise UsageError(f"OUT {out} is an existing file, not a folder")
    for path in inputs:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"INPUT {path} does not exist")
        p = path.resolve()
        if p == out_r:
            raise UsageError(f"OUT {out} is the same folder as INPUT {path}; choose another OUT")
        if p.is_dir() and out_r.is_relative_to(p):
            raise UsageError(f"OUT {out} is inside INPUT {path}; its output would be read as input next time")
        if p.is_relative_to(out_r / STATE_DIR):
            raise UsageError(f"INPUT {path} is inside OUT's work folder")


def _work_dir(out: Path, fingerprint: str, config: Config) -> Path:
    """The work folder for this configuration; refuse to mix with an unfinished run of another one."""
    state = out / STATE_DIR
    work = state / f"work-{fingerprint}"
    others = [p for p in state.glob("work-*") if p.is_dir() and p != work] if state.is_dir() else []
    if others:
        if not config.force:
            raise UsageError(
                f"OUT {out} holds an unfinished run with different options ({others[0].name}); "
                "rerun with the same options to resume it, or add --force to discard it"
            )
        for other in others:
            shutil.rmtree(other, ignore_errors=True)
    return work


def work_fingerprint(config: Config) -> str:
    """What names a run's work folder: the options that change the output, the code's version and the page
    model's weights (a resumed run never mixes shards cleaned by two models)."""
    html = identity(HTML_MODELS[config.html_model])["weights_sha256"]
    return config.fingerprint(f"{__version__}+{identity()['weights_sha256']}+{html}")


def run(
    inputs: str | Path | Sequence[str | Path],
    out: str | Path,
    config: Config | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    **options: Any,
) -> RunResult:
    """Clean INPUT (folders or files) into the dataset OUT: what the ``clean`` command does.

    Args:
        inputs: a folder, a file, or several of them.
        out: the output folder; created if needed. Files in it that this tool did not write are left alone.
        config: a resolved ``Config``; ``options`` override single fields (``workers=2``, ``dedup=False``).
        progress: called as ``progress(stage, done, total)`` while shards finish.

    Returns:
        A ``RunResult`` with the manifest; ``exit_code`` is 3 when some inputs failed.

    Raises:
        UsageError: the inputs or options are wrong; nothing was written.
    """
    started = time.perf_counter()
    config = (config or Config()).replace(**options) if options else (config or Config())
    paths = [Path(inputs)] if isinstance(inputs, (str, Path)) else [Path(p) for p in inputs]
    out = Path(out)
    check_paths(paths, out)
    if config.dedup_against:
        if not config.dedup:
            raise UsageError("--dedup-against needs dedup; drop --no-dedup")
        from clean.corpus.duplicates import check_against, params_from

        check_against(Path(config.dedup_against), params_from(config))
    timings: dict[str, float] = {}

    t = time.perf_counter()
    found = readers.discover(paths, exclude=out.resolve())
    files, discover_failures = found.files, found.failures
    shards = readers.plan_shards(files, target_bytes=int(config.shard_mb * (1 << 20)), max_docs=config.shard_docs)
    timings["plan"] = time.perf_counter() - t
    fingerprint = work_fingerprint(config)
    out.mkdir(parents=True, exist_ok=True)
    work = _work_dir(out, fingerprint, config)
    plan = {
        "version": __version__,
        "fingerprint": fingerprint,
        "config": config.output_fields(),
        "shards": [s.to_json() for s in shards],
    }
    plan_path = work / "plan.json"
    if plan_path.exists():
        import json

        previous = json.loads(plan_path.read_text(encoding="utf-8"))
        if previous.get("shards") != plan["shards"]:
            if not config.force:
                raise UsageError(f"the inputs changed since the unfinished run in {work}; add --force to start over")
            shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    if not plan_path.exists():
        write_json_atomic(plan_path, plan)

    for leftover in work.glob("shards/.*.tmp-*"):  # from a run that was killed while writing
        leftover.unlink(missing_ok=True)
    t = time.perf_counter()
    try:
        stats = _run_shards(shards, config, work, progress)
    except KeyboardInterrupt:
        done = len(list(work.glob("shards/*.done.json")))
        write_json_atomic(
            work / "manifest.json",
            {
                "created_by": "clean",
                "version": __version__,
                "status": "interrupted",
                "fingerprint": fingerprint,
                "shards_done": done,
                "shards": len(shards),
                "config": config.to_dict(),
                "resume": "rerun the same command; finished shards are kept",
            },
        )
        raise Interrupted(done, len(shards), work) from None
    timings["clean"] = time.perf_counter() - t

    from clean.publish import publish

    t = time.perf_counter()
    manifest = publish(
        out=out,
        work=work,
        shards=shards,
        stats=stats,
        config=config,
        fingerprint=fingerprint,
        inputs=paths,
        discover_failures=discover_failures,
        timings=timings,
        started=started,
        progress=progress,
    )
    shutil.rmtree(work, ignore_errors=True)
    with contextlib.suppress(OSError):
        (out / STATE_DIR).rmdir()
    return RunResult(out=out, manifest=manifest, counts=manifest["counts"])


def _run_shards(
    shards: Sequence[readers.Shard], config: Config, work: Path, progress: Callable[[str, int, int], None] | None
) -> dict[int, dict[str, Any]]:
    """Run every shard without a done marker; return the stats of all shards in order."""
    import json

    stats: dict[int, dict[str, Any]] = {}
    todo = []
    for shard in shards:
        done = shard_paths(work, shard.index)["done"]
        if done.exists():
            stats[shard.index] = json.loads(done.read_text(encoding="utf-8"))
        else:
            todo.append(shard)
    total = len(shards)
    if progress:
        progress("clean", len(stats), total)
    workers = config.workers or os.cpu_count() or 1
    if config.engine == "ray":
        from clean.ray import run_shards_on_ray

        for shard_index, shard_stats_ in run_shards_on_ray(todo, config, work):
            stats[shard_index] = shard_stats_
            if progress:
                progress("clean", len(stats), total)
    elif workers <= 1 or len(todo) <= 1:
        for shard in todo:
            stats[shard.index] = run_shard(shard, config, work)
            if progress:
                progress("clean", len(stats), total)
    else:
        ctx = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx, initializer=_worker_init)
        try:
            pending = {pool.submit(_run_shard_job, s.to_json(), config, str(work)): s.index for s in todo}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    index = pending.pop(fut)
                    stats[index] = fut.result()
                    if progress:
                        progress("clean", len(stats), total)
        except BaseException:
            # Ctrl-C or a crash: abandon the shards under way (their files are temporary until renamed,
            # so nothing half-written looks finished) and stop the workers now, not after their shards.
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    return {i: stats[i] for i in sorted(stats)}


class TaskPool:
    """Corpus-step tasks (``[fn(*a) for a in args]``) on one spawn-safe process pool, reused by every stage.

    Heavy tasks (a shard's sketch, a band of a large level) go to the pool; light ones run here, since a
    spawned worker costs about a second before it does anything. The pool starts on first use, so a run
    that has no heavy batch of two or more tasks never pays for it.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], heavy: bool = False) -> list[Any]:
        if not heavy or self.workers < 2 or len(args) < 2:
            return [fn(*a) for a in args]
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_worker_init)
        futures = [self._pool.submit(fn, *a) for a in args]
        try:
            return [f.result() for f in futures]
        except BaseException:
            self.close(abandon=True)
            raise

    def close(self, abandon: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if abandon:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown()


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which decides what to keep."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def iter_shard_tables(work: Path, shards: Iterable[readers.Shard], name: str) -> Iterable[pa.Table]:
    for shard in shards:
        yield pq.read_table(shard_paths(work, shard.index)[name])
