"""A run: plan the shards, clean them on the engine, run the corpus steps, write the tables, publish.

The unit of work is a shard (``clean.readers``): ``clean.shard.run_shard`` reads, cleans and writes one shard's
results plus a done marker into the work folder (``clean.layout``), on whichever engine the configuration chose
(``clean.engines``). The corpus steps then see every shard once and change each on its way out; the tables are
written by the workers in pieces of consecutive shards (``clean.corpus.parts``), so the bytes do not depend on how
many workers ran; a rerun
after a crash finds the done markers and does only the rest.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clean import readers
from clean.audit.report import build_report
from clean.config import Config
from clean.corpus import CorpusSteps, corpus_steps
from clean.corpus.duplicates import check_against, params_from
from clean.corpus.parts import number_parts, pieces, write_piece
from clean.engines import Engine, engine_for
from clean.errors import UsageError
from clean.layout import (
    STATE_DIR,
    done_markers,
    interrupted_manifest_path,
    other_work_dirs,
    plan_path,
    shard_leftovers,
    shard_paths,
    split_dir,
    staging_dir,
    state_dir,
    work_dir,
)
from clean.manifest import build_manifest, dataset_card
from clean.outlock import OutLock
from clean.page.model.page import HTML_MODELS, identity
from clean.publish import check_out, generation, publish, published_names
from clean.schema import DOCUMENTS, REMOVALS, documents_table
from clean.shard import failed_document, run_shard_job
from clean.version import __version__
from clean.writers import file_sha256, write_json_atomic

log = logging.getLogger(__name__)

#: Seen by the progress display: where a run of these options keeps its work.
__all__ = ["STATE_DIR", "Interrupted", "RunResult", "check_paths", "run", "work_fingerprint"]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: what was finished is kept in the work folder for the next run to resume."""

    def __init__(self, done: int, total: int, work: Path) -> None:
        super().__init__(f"interrupted with {done} of {total} shards done (kept)")
        self.done, self.total, self.work = done, total, work


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
    def all_skipped(self) -> bool:
        """Every input file was of a kind ``clean`` does not read: nothing was cleaned."""
        return bool(self.counts.get("files_skipped")) and not self.counts.get("documents")

    @property
    def exit_code(self) -> int:
        return 3 if self.failed or self.all_skipped else 0


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
        if p.is_relative_to(out_r):
            raise UsageError(
                f"INPUT {path} is inside OUT {out}; its own output would be read as input; choose another OUT"
            )


def _work_dir(out: Path, fingerprint: str, config: Config) -> Path:
    """The work folder for this configuration; refuse to mix with an unfinished run of another one."""
    work = work_dir(out, fingerprint)
    others = other_work_dirs(out, work)
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
        check_against(Path(config.dedup_against), params_from(config))
    timings: dict[str, float] = {}

    fingerprint = work_fingerprint(config)
    check_out(out, config.force)
    out.mkdir(parents=True, exist_ok=True)
    lock = OutLock(out).acquire()
    try:
        return _run_locked(paths, out, config, fingerprint, progress, started, timings)
    finally:
        lock.release()
        with contextlib.suppress(OSError):
            state_dir(out).rmdir()


def _run_locked(
    paths: list[Path],
    out: Path,
    config: Config,
    fingerprint: str,
    progress: Callable[[str, int, int], None] | None,
    started: float,
    timings: dict[str, float],
) -> RunResult:
    """The run, OUT locked: plan, clean, corpus steps, tables, publish."""
    work = _work_dir(out, fingerprint, config)
    t = time.perf_counter()
    found = readers.discover(paths, exclude=out.resolve())
    files, discover_failures = found.files, found.failures
    shards = readers.plan_shards(
        files,
        target_bytes=int(config.shard_mb * (1 << 20)),
        max_docs=config.shard_docs,
        split_dir=split_dir(work),
    )
    timings["plan"] = time.perf_counter() - t
    _write_plan(work, config, fingerprint, shards)

    engine = engine_for(config)
    try:
        t = time.perf_counter()
        try:
            stats = _run_shards(engine, shards, config, work, progress)
        except KeyboardInterrupt:
            engine.close(abandon=True)
            raise _interrupted(work, config, fingerprint, len(shards)) from None
        timings["clean"] = time.perf_counter() - t

        t = time.perf_counter()
        steps = corpus_steps(config, work, shards, engine)
        timings["corpus"] = time.perf_counter() - t
        timings.update({f"corpus.{name}": seconds for name, seconds in steps.timings.items()})

        t = time.perf_counter()
        staged, digests, removals = _write_tables(
            staging_dir(work), shards, stats, steps, engine, discover_failures, progress
        )
        timings["write"] = time.perf_counter() - t
    except BaseException:
        engine.close(abandon=True)
        raise
    engine.close()
    gen = generation([f"{name}:{d}" for name, ds in digests.items() for d in ds])
    names = published_names(staged, gen)
    manifest = build_manifest(
        config=config,
        fingerprint=fingerprint,
        inputs=paths,
        shards=shards,
        stats=stats,
        discover_failures=discover_failures,
        files=names,
        extra=steps.summary(removals[1]),
        removals=removals,
        skipped=found.skipped,
    )
    timings["total"] = time.perf_counter() - started
    manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    manifest["generation"] = gen
    manifest["sha256"] = {rel: d for name in names for rel, d in zip(names[name], digests[name], strict=True)}
    with _interrupt_deferred():
        publish(out, staged, manifest, dataset_card(manifest), build_report)
    shutil.rmtree(work, ignore_errors=True)
    return RunResult(out=out, manifest=manifest, counts=manifest["counts"])


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Ctrl-C while the new run is published waits until it is: the publish takes a moment (renames and the
    manifest), and stopping it half-way would leave the new tables in OUT beside the previous run's until the next
    run. The run then ends as a finished one, with a warning."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        log.warning("Ctrl-C while publishing: the new run was published whole first")


def _write_plan(work: Path, config: Config, fingerprint: str, shards: Sequence[readers.Shard]) -> None:
    """The plan a resumed run must share with this one; a stale plan (the inputs changed) needs --force."""
    plan = {
        "version": __version__,
        "fingerprint": fingerprint,
        "config": config.output_fields(),
        "shards": [s.to_json() for s in shards],
    }
    path = plan_path(work)
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous.get("shards") != plan["shards"]:
            if not config.force:
                raise UsageError(f"the inputs changed since the unfinished run in {work}; add --force to start over")
            for entry in work.iterdir():  # all but the pieces this plan has just written
                if entry.is_dir() and entry != split_dir(work):
                    shutil.rmtree(entry)
                elif entry.is_file():
                    entry.unlink()
    work.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_json_atomic(path, plan)
    for leftover in shard_leftovers(work):  # from a run that was killed while writing
        leftover.unlink(missing_ok=True)


def _interrupted(work: Path, config: Config, fingerprint: str, total: int) -> Interrupted:
    """Ctrl-C while cleaning: say in the work folder what is done, for the user and the next run."""
    done = len(done_markers(work))
    write_json_atomic(
        interrupted_manifest_path(work),
        {
            "created_by": "clean",
            "version": __version__,
            "status": "interrupted",
            "fingerprint": fingerprint,
            "shards_done": done,
            "shards": total,
            "config": config.to_dict(),
            "resume": "rerun the same command; finished shards are kept",
        },
    )
    return Interrupted(done, total, work)


def _run_shards(
    engine: Engine,
    shards: Sequence[readers.Shard],
    config: Config,
    work: Path,
    progress: Callable[[str, int, int], None] | None,
) -> dict[int, dict[str, Any]]:
    """Run every shard without a done marker on the engine; return the stats of all shards in order."""
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
    jobs = [(shard.to_json(), config, str(work)) for shard in todo]
    for i, shard_stats in engine.map_unordered(run_shard_job, jobs):
        stats[todo[i].index] = shard_stats
        if progress:
            progress("clean", len(stats), total)
    return {i: stats[i] for i in sorted(stats)}


def _write_tables(
    staging: Path,
    shards: Sequence[readers.Shard],
    stats: dict[int, dict[str, Any]],
    steps: CorpusSteps,
    engine: Engine,
    discover_failures: Sequence[readers.Failure],
    progress: Callable[[str, int, int], None] | None,
) -> tuple[dict[str, list[Path]], dict[str, list[str]], tuple[Counter[str], Counter[str]]]:
    """Every table of the new dataset, written by the engine's workers a piece at a time (``corpus.parts``: runs
    of consecutive shards through the corpus steps), then numbered in order here; returns the files per table, their
    sha256 in the same order, and the removals counted by kind and by rule as published."""
    shutil.rmtree(staging, ignore_errors=True)
    schemas = steps.schemas(documents=DOCUMENTS, removals=REMOVALS)
    tail = None
    if discover_failures:
        docs = [failed_document(f, f.reason) for f in sorted(discover_failures, key=lambda f: f.source)]
        tail = steps.extend_documents(documents_table(docs))
    # No shard at all (every input failed to open): one piece of no shards carries the failed inputs' rows.
    runs = pieces(shards, [stats[s.index].get("chars_out", 0) for s in shards]) or ([[]] if tail is not None else [])
    jobs = [
        (
            str(steps.work),
            [s.to_json() for s in run],
            steps.steps,
            str(staging),
            i,
            schemas,
            tail if i == len(runs) - 1 else None,
        )
        for i, run in enumerate(runs)
    ]
    kinds: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    found: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for i, (files, piece_kinds, piece_rules) in engine.map_unordered(write_piece, jobs):
        found[i] = files
        kinds.update(piece_kinds)
        rules.update(piece_rules)
        if progress:
            progress("write", len(found), len(jobs))
    written: dict[str, list[Path]] = {}
    digests: dict[str, list[str]] = {}
    for name, schema in schemas.items():
        hashed = [(Path(f), digest) for i in sorted(found) for f, digest in found[i][name]]
        written[name] = number_parts(staging / name, [f for f, _ in hashed], schema)
        digests[name] = [d for _, d in hashed] if hashed else [file_sha256(f) for f in written[name]]
    return written, digests, (kinds, rules)
