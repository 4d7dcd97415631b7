"""The ``clean`` command: the edge where errors become one line and exit codes.

The library raises plain exceptions and logs through ``logging``; only this module prints. One command, three
uses, told apart by options so that any folder name (even "rules") still works as INPUT:

- ``clean INPUT... OUT`` cleans (progress on stderr when it is a terminal, a summary at the end);
- ``clean --explain ID OUT`` shows one document of an earlier OUT, every removal marked on its page;
- ``clean --list-rules`` prints the line rules.

Exit codes: 0 all inputs done, 2 usage error (also: ID not in OUT), 3 finished but some inputs failed,
1 anything else, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from clean.config import HTML_MODEL_CHOICES, load
from clean.errors import UsageError
from clean.logs import FORMAT, quiet_peers, share_level
from clean.printable import printable
from clean.version import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EPILOG = """\b
Exit codes: 0 all inputs done; 2 usage error (also: --explain ID not in OUT);
3 finished but some inputs failed (see OUT/manifest.json); 1 anything else;
130 interrupted (rerun the same command to resume).

\b
Options come from defaults, then --config FILE, then CLEAN_<OPTION> environment
variables (CLEAN_WORKERS=4, CLEAN_DEDUP=false), then flags.

\b
Examples:
  clean seeds/ out/                     clean a folder; open out/report.html
  clean pages/ crawl.jsonl.gz out/ --workers 4 --config clean.toml
  clean --explain 004_bf6ca3c3fed56fed.txt out/ --color | less -R
  clean --list-rules
"""

LOG_FORMAT = FORMAT
RESUME = "rerun the same command to resume"
LOG_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100, "terminal_width": 100},
    epilog=EPILOG,
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="INPUT... OUT")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    help="TOML file of options: top-level keys or a [clean] table, named as the flags (shard-mb = 8).",
)
@click.option("--workers", type=click.IntRange(min=0), default=None, help="Worker processes (default: one per core).")
@click.option(
    "--force",
    is_flag=True,
    default=None,
    help="Discard an unfinished run in OUT made with other options, and write into an OUT that holds other files "
    "(they are left alone), instead of refusing.",
)
@click.option(
    "--max-doc-mb",
    type=click.FloatRange(min=0.001),
    default=None,
    help="Documents larger than this many MB fail (default 20).",
)
@click.option(
    "--doc-timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds one document may take before it fails (default 60; 0: no limit).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default=None,
    help="Where shards run: local processes (default) or Ray tasks (pip install '.[ray]').",
)
@click.option("--ray-address", default=None, help="Ray cluster to join (auto, ray://HEAD:10001); default: a local Ray.")
@click.option(
    "--shard-mb",
    type=click.FloatRange(min=0.001),
    default=None,
    help="Target input size of one unit of work, in MB (default 32).",
)
@click.option(
    "--shard-docs",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many documents in one unit of work (default 2000).",
)
@click.option(
    "--html-model",
    type=click.Choice(HTML_MODEL_CHOICES),
    default=None,
    help="HTML page model: accurate (default; five extractors' verdicts) or fast (two; about 2.5x the pages/s).",
)
@click.option("--no-dedup", is_flag=True, default=None, help="Skip duplicate detection.")
@click.option(
    "--dedup-threshold",
    type=click.FloatRange(0.05, 1.0),
    default=None,
    help="Estimated Jaccard similarity at which two texts count as near duplicates (default 0.5).",
)
@click.option(
    "--drop-duplicates",
    is_flag=True,
    default=None,
    help="Write only kept documents and remove duplicate passages (each recorded as a removal).",
)
@click.option(
    "--dedup-against",
    type=click.Path(path_type=Path),
    default=None,
    help="An earlier OUT: flag what duplicates documents or passages it already published.",
)
@click.option("--dedup-ngram", type=click.IntRange(min=1), default=None, help="Expert: words per shingle.")
@click.option("--dedup-num-perm", type=click.IntRange(min=8), default=None, help="Expert: MinHash permutations.")
@click.option("--dedup-bands", type=click.IntRange(min=1), default=None, help="Expert: LSH bands.")
@click.option("--dedup-rows", type=click.IntRange(min=1), default=None, help="Expert: LSH rows per band.")
@click.option(
    "--explain",
    "explain_id",
    metavar="ID",
    default=None,
    help="Instead of cleaning, show document ID of an existing OUT (give only OUT): its page with each "
    "removed line marked with rule, kind and reason, its metadata and duplicates.",
)
@click.option(
    "--list-rules",
    is_flag=True,
    help="Instead of cleaning, print every line rule with its kind, reason and an example (no INPUT or OUT).",
)
@click.option(
    "--color/--no-color",
    "color",
    default=None,
    help="Colour --explain and --list-rules output (default: when stdout is a terminal).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors: no progress bar, no summary.")
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug); also shows tracebacks.")
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Append log records to this file too (INFO and up; DEBUG with -vv).",
)
@click.version_option(__version__, prog_name="clean")
def command(
    paths: tuple[Path, ...],
    config_file: Path | None,
    workers: int | None,
    force: bool | None,
    max_doc_mb: float | None,
    doc_timeout: float | None,
    engine: str | None,
    ray_address: str | None,
    shard_mb: float | None,
    shard_docs: int | None,
    html_model: str | None,
    no_dedup: bool | None,
    dedup_threshold: float | None,
    drop_duplicates: bool | None,
    dedup_against: Path | None,
    dedup_ngram: int | None,
    dedup_num_perm: int | None,
    dedup_bands: int | None,
    dedup_rows: int | None,
    explain_id: str | None,
    list_rules: bool,
    color: bool | None,
    quiet: bool,
    verbose: int,
    log_file: Path | None,
) -> None:
    """Clean news pages in INPUT (folders or files) into an audited Parquet dataset in OUT.

    INPUT holds .txt, .html/.htm, .jsonl and .parquet files (and .gz of each). OUT receives
    documents/, removals/, manifest.json, a dataset card (README.md) and report.html, a page
    that shows what was removed and why.
    """
    _setup_logging(quiet, verbose, log_file)
    if list_rules or explain_id is not None:
        _show(paths, explain_id, list_rules, color)
        return
    if len(paths) < 2:
        raise click.UsageError("give INPUT (a folder or files) and OUT, e.g. `clean seeds/ out/`")
    *inputs, out = paths
    # Loaded once a run is asked for (0.4 s): --help and usage errors answer without it.
    from clean.progress import Progress, format_summary  # noqa: PLC0415
    from clean.runner import run  # noqa: PLC0415

    log = logging.getLogger("clean.cli")
    progress = None
    try:
        config = load(
            config_file,
            workers=workers,
            force=force,
            max_doc_mb=max_doc_mb,
            doc_timeout=doc_timeout,
            engine=engine,
            ray_address=ray_address,
            shard_mb=shard_mb,
            shard_docs=shard_docs,
            html_model=html_model,
            dedup=False if no_dedup else None,
            dedup_threshold=dedup_threshold,
            drop_duplicates=drop_duplicates,
            dedup_against=str(dedup_against) if dedup_against else None,
            dedup_ngram=dedup_ngram,
            dedup_num_perm=dedup_num_perm,
            dedup_bands=dedup_bands,
            dedup_rows=dedup_rows,
        )
        log.info("clean %s: %s -> %s with %s", __version__, ", ".join(map(str, inputs)), out, config.to_dict())
        progress = Progress(out, config, enabled=False if quiet else None)
        result = run(inputs, out, config, progress=progress)
    except UsageError as exc:
        _close(progress)
        click.echo(printable(f"clean: error: {exc}", lines=False), err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt as exc:
        _close(progress)
        click.echo(printable(f"clean: {str(exc) or 'interrupted'}; {out} unchanged; {RESUME}", lines=False), err=True)
        _exit_abandoning_workers(EXIT_INTERRUPTED)
    except Exception as exc:
        _close(progress)
        log.debug("run failed", exc_info=True)
        full = _no_space(exc)
        if full is not None:
            where = full.filename or out
            click.echo(
                printable(
                    f"clean: error: no space left on {_device(Path(where))} while writing {where}; "
                    "OUT's published files are unchanged",
                    lines=False,
                ),
                err=True,
            )
            sys.exit(EXIT_ERROR)
        if verbose:
            raise
        click.echo(
            printable(f"clean: error: {type(exc).__name__}: {exc} (rerun with -v for details)", lines=False), err=True
        )
        sys.exit(EXIT_ERROR)
    _close(progress)
    summary = format_summary(out, result.manifest)
    log.info("finished: %s", " ".join(summary.split()))
    if not quiet:
        click.echo(printable(summary), err=True, nl=False)
    for entry in result.manifest["input_files"]:
        if entry["status"] != "ok":
            click.echo(printable(f"clean: {entry['source']}: {entry['error']}", lines=False), err=True)
    if result.all_skipped:
        skipped = result.manifest["skipped_files"]
        click.echo(
            printable(
                f"clean: every input was skipped: {len(skipped)} file{'s' if len(skipped) != 1 else ''} of a kind "
                f"clean does not read, such as {skipped[0]['source']}: {skipped[0]['reason']}",
                lines=False,
            ),
            err=True,
        )
    sys.exit(result.exit_code)


def _no_space(exc: BaseException) -> OSError | None:
    """The out-of-space error behind ``exc`` (raised here or in a worker, by Python, numpy or Arrow), if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and (
            exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc)
        ):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _device(path: Path) -> str:
    """The device holding ``path`` and where it is mounted (``/dev/vda (/)``), for an out-of-space message."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    mount = path
    with contextlib.suppress(OSError):
        dev = mount.stat().st_dev
        while mount != mount.parent and mount.parent.stat().st_dev == dev:
            mount = mount.parent
    device = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace").splitlines():
            fields = line.split()
            if len(fields) > 1 and fields[1].replace("\\040", " ") == str(mount):
                device = fields[0]  # the last mount at a point is the one in use
    return f"{device} ({mount})" if device else str(mount)


def _show(paths: tuple[Path, ...], explain_id: str | None, list_rules: bool, color: bool | None) -> None:
    """--list-rules and --explain: print to stdout, in colour on a terminal or when asked."""
    from clean.audit.explain import explain_all  # noqa: PLC0415 - as for a run
    from clean.audit.show import format_explanation, format_rules  # noqa: PLC0415

    colour = not click.utils.should_strip_ansi(sys.stdout, color)
    if list_rules:
        if explain_id is not None or paths:
            raise click.UsageError("--list-rules takes no ID, INPUT or OUT: `clean --list-rules`")
        click.echo(format_rules(color=colour), nl=False, color=colour)
        return
    if len(paths) != 1:
        raise click.UsageError("--explain takes one OUT, the folder of an earlier run: `clean --explain ID OUT`")
    try:
        found = explain_all(paths[0], explain_id)
        text = "\n".join(format_explanation(e, color=colour) for e in found)
        if len(found) > 1:
            text = (
                f"{len(found)} documents match {printable(explain_id, lines=False)}: the input had this id more than "
                "once, and each later one was renamed <id>@<its place in the input>.\n\n" + text
            )
    except UsageError as exc:
        click.echo(printable(f"clean: error: {exc}", lines=False), err=True)
        sys.exit(EXIT_USAGE)
    click.echo(text, nl=False, color=colour)


def _setup_logging(quiet: bool, verbose: int, log_file: Path | None) -> None:
    """WARNING on stderr (ERROR with -q, INFO with -v, DEBUG with -vv); a log file gets INFO or DEBUG."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO)[verbose] if verbose < 2 else logging.DEBUG
    root = logging.getLogger()
    stream = _TqdmHandler()
    stream.setLevel(level)
    stream.setFormatter(logging.Formatter(LOG_FORMAT))
    handlers: list[logging.Handler] = [stream]
    if log_file is not None:
        try:
            handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"cannot open the log file {log_file}: {exc.strerror or exc}") from None
        handler.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
        handler.setFormatter(logging.Formatter(LOG_FILE_FORMAT))
        handlers.append(handler)
    root.handlers = handlers
    root.setLevel(min(h.level for h in handlers))
    quiet_peers(level)
    share_level(level)


class _TqdmHandler(logging.Handler):
    """Log records on stderr through ``tqdm.write``, so a record printed while a progress bar shows does not tear it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(printable(self.format(record)), file=sys.stderr)
        except Exception:
            self.handleError(record)


def _close(progress) -> None:
    if progress is not None:
        progress.close()


def _exit_abandoning_workers(code: int) -> None:
    """Exit now, everything written and flushed, without the interpreter's exit-time join of worker pools.

    An interrupted run stops its workers mid-shard and shuts their pool down without waiting; the interpreter
    can then hang at exit joining the pool's manager thread (CPython gh-83386, open): about one Ctrl-C in
    twenty-five did, in the test that interrupts a two-worker run. The interrupted manifest is already on disk.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: click's usage errors become one line and exit 2, like every other usage error."""
    try:
        code = command.main(args=argv, prog_name="clean", standalone_mode=False)
    except click.UsageError as exc:
        click.echo(printable(f"clean: error: {exc.format_message()} (see clean --help)", lines=False), err=True)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        click.echo(f"clean: interrupted; {RESUME}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code or 0)
