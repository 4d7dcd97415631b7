"""The ``clean`` command: the edge where errors become one line and exit codes.

The library raises plain exceptions; only this module prints. Exit codes: 0 all inputs done, 2 usage
error, 3 finished but some inputs failed, 1 anything else (130 when interrupted).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import __version__
from .config import load
from .errors import UsageError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EPILOG = """\b
Exit codes: 0 all inputs done; 2 usage error; 3 finished but some inputs failed
(see OUT/manifest.json); 1 anything else; 130 interrupted.

\b
Example:
  clean seeds/ out/
  clean pages/ crawl.jsonl.gz out/ --workers 4
"""


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="INPUT... OUT")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    help="TOML file of options (defaults < file < CLEAN_* environment < flags).",
)
@click.option("--workers", type=click.IntRange(min=0), default=None, help="Worker processes (default: one per core).")
@click.option(
    "--force",
    is_flag=True,
    default=None,
    help="Discard an unfinished run in OUT made with other options instead of refusing.",
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
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug).")
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
    no_dedup: bool | None,
    dedup_threshold: float | None,
    drop_duplicates: bool | None,
    dedup_against: Path | None,
    dedup_ngram: int | None,
    dedup_num_perm: int | None,
    dedup_bands: int | None,
    dedup_rows: int | None,
    quiet: bool,
    verbose: int,
) -> None:
    """Clean news pages in INPUT (folders or files) into an audited Parquet dataset in OUT.

    INPUT holds .txt, .html/.htm, .jsonl and .parquet files (and .gz of each). OUT receives
    documents/, removals/, manifest.json and a dataset card (README.md).
    """
    logging.basicConfig(
        level=logging.WARNING if quiet or not verbose else (logging.INFO if verbose == 1 else logging.DEBUG),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if len(paths) < 2:
        raise click.UsageError("give INPUT (a folder or files) and OUT, e.g. `clean seeds/ out/`")
    *inputs, out = paths
    from .runner import run

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
            dedup=False if no_dedup else None,
            dedup_threshold=dedup_threshold,
            drop_duplicates=drop_duplicates,
            dedup_against=str(dedup_against) if dedup_against else None,
            dedup_ngram=dedup_ngram,
            dedup_num_perm=dedup_num_perm,
            dedup_bands=dedup_bands,
            dedup_rows=dedup_rows,
        )
        result = run(inputs, out, config)
    except UsageError as exc:
        click.echo(f"clean: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt as exc:
        click.echo(f"clean: {exc or 'interrupted; rerun the same command to resume'}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if verbose:
            raise
        click.echo(f"clean: error: {type(exc).__name__}: {exc} (rerun with -v for details)", err=True)
        sys.exit(EXIT_ERROR)
    c = result.counts
    if not quiet:
        click.echo(
            f"clean: {c['documents']} documents ({c['ok']} ok, {c['empty']} empty, {c['failed']} failed), "
            f"{c['removals']} removals -> {out}",
            err=True,
        )
    for entry in result.manifest["input_files"]:
        if entry["status"] != "ok":
            click.echo(f"clean: {entry['source']}: {entry['error']}", err=True)
    sys.exit(result.exit_code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: click's usage errors become one line and exit 2, like every other usage error."""
    try:
        code = command.main(args=argv, prog_name="clean", standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"clean: error: {exc.format_message()} (see clean --help)", err=True)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        click.echo("clean: interrupted; rerun the same command to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code or 0)
