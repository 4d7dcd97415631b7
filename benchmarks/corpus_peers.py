#!/usr/bin/env python3
"""Peer HTML extractors on every page of the labelled corpus: the peers' side of issue 16's benchmark.

Usage: python benchmarks/corpus_peers.py [--corpus ../shared/corpus/pages] [--out /tmp/peers.parquet]
                                          [--sources wcxb,dragnet] [--limit N] [--timeout 120]
       python benchmarks/corpus_peers.py --report [--out /tmp/peers.parquet]

Why it exists (issue 16): the page model is scored leave-one-source-out on the corpus of
``../shared/corpus`` (12 hand-labelled sets, 5,101 pages), and its README asks for those figures per source
and per ``page_type`` beside trafilatura's on the same pages. This script produces the peers' column of
that table once, so that each run of the model is compared with stored peer outputs instead of re-running
the extractors (the peers are not trained, so leave-one-source-out changes nothing for them).

Tools, each on each page (one process, one page at a time; every call timed with ``time.perf_counter``
including its own decoding, wrapped in try/except: a crash or a timeout gives empty text and its error):

- ``trafilatura``: ``trafilatura.extract(page, include_comments=False, include_tables=True)``, defaults;
- ``trafilatura_precision``: the same with ``favor_precision=True``;
- ``trafilatura_recall``: the same with ``favor_recall=True``;
- ``readability``: readability-lxml ``Document(page).summary()``, then its visible text as lines with
  ``html_text.extract_text(lxml.html.fromstring(summary), guess_layout=True)``;
- ``resiliparse``: ``extract_plain_text(HTMLTree.parse(page), main_content=True)``;
- ``everything``: ``html_text.extract_text(lxml.html.fromstring(html_bytes), guess_layout=True)``, the
  corpus README's text form of a page (every visible line: the recall ceiling and the precision floor).

``page`` is the page's bytes decoded with resiliparse's ``detect_encoding`` (uchardet, WHATWG names) and
``bytes_to_str``, the same string for the five extractors; ``everything`` gets the bytes and lets lxml
honour ``<meta charset>``, as the README prescribes. On a 280-page sample (25 a set), trafilatura on
the decoded string scored F1 0.865 against 0.860 when given the bytes (it then guesses the charset
itself), and readability 0.855 against 0.853, so the decoded string is used for all variants.

Output: one row per page and tool, columns id, source (as the set records it: ``cleaneval_final``,
``msv_big5_05``, ...), set (the corpus file's name, the unit of leave-one-source-out), domain, page_type,
tool, text, seconds, error (empty when the call succeeded); the library versions are kept in the file's
metadata. Written atomically (temporary file, then ``os.replace``).

``--report`` reads that file and prints, per set and per tool (and per wcxb ``page_type``), the mean
precision, the mean recall and the F1 of the two means, with the metric of ``../shared/tools/score_pages.py``
(imported, not re-implemented: a page with an empty prediction is left out of the precision mean), then the
seconds, pages/s and crashes per tool.

Run with (printed again at start): trafilatura 2.3.1, readability-lxml 0.9, resiliparse 2.0.1,
html-text 0.7.1, lxml 6.1.3, pyarrow 26.0.1, Python 3 of ``.venv``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import json
import os
import platform
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_CORPUS = SHARED / "corpus" / "pages"
SCORE_TOOLS = SHARED / "tools"

TOOLS = ("trafilatura", "trafilatura_precision", "trafilatura_recall", "readability", "resiliparse", "everything")
PACKAGES = ("trafilatura", "readability-lxml", "resiliparse", "html-text", "lxml", "pyarrow")
SHORT = {"trafilatura": "traf", "trafilatura_precision": "traf_precision", "trafilatura_recall": "traf_recall"}
COLUMNS = ("id", "source", "set", "domain", "page_type", "tool", "text", "seconds", "error")


def versions() -> dict[str, str]:
    """The installed version of each library this script runs (and Python's)."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def decode(html: bytes) -> str:
    """The page as text: resiliparse's charset guess (uchardet, WHATWG names) and its tolerant decoder."""
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    return bytes_to_str(html, detect_encoding(html))


def run_trafilatura(html: bytes, **options) -> str:
    import trafilatura

    return trafilatura.extract(decode(html), include_comments=False, include_tables=True, **options) or ""


def run_readability(html: bytes) -> str:
    import html_text
    import lxml.html
    from readability import Document

    summary = Document(decode(html)).summary()
    return html_text.extract_text(lxml.html.fromstring(summary), guess_layout=True)


def run_resiliparse(html: bytes) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(decode(html)), main_content=True)


def run_everything(html: bytes) -> str:
    import html_text
    import lxml.html

    return html_text.extract_text(lxml.html.fromstring(html), guess_layout=True)


EXTRACTORS = {
    "trafilatura": run_trafilatura,
    "trafilatura_precision": lambda html: run_trafilatura(html, favor_precision=True),
    "trafilatura_recall": lambda html: run_trafilatura(html, favor_recall=True),
    "readability": run_readability,
    "resiliparse": run_resiliparse,
    "everything": run_everything,
}


class CallTimeout(Exception):
    """A tool call ran past --timeout seconds."""


def _on_alarm(signum, frame):
    raise CallTimeout


@contextlib.contextmanager
def deadline(seconds: float):
    """Interrupt the block after ``seconds`` (SIGALRM: main thread, and only between Python bytecodes)."""
    if seconds <= 0:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_tool(tool: str, html: bytes, timeout: float) -> tuple[str, float, str]:
    """(text, seconds, error) of one tool on one page; a crash or timeout gives empty text and its error."""
    start = time.perf_counter()
    try:
        with deadline(timeout):
            text = EXTRACTORS[tool](html)
        error = ""
    except CallTimeout:
        text, error = "", f"timeout after {timeout:g}s"
    except Exception as exc:  # any crash of a peer is a result to record, not a reason to stop
        text, error = "", f"{type(exc).__name__}: {exc}"[:500]
    return text, time.perf_counter() - start, error


def corpus_files(corpus: Path, sources: list[str] | None) -> list[Path]:
    files = sorted(corpus.glob("*.parquet"))
    if sources:
        unknown = set(sources) - {f.stem for f in files}
        if unknown:
            raise SystemExit(f"unknown sources: {', '.join(sorted(unknown))} (have {', '.join(f.stem for f in files)})")
        files = [f for f in files if f.stem in sources]
    return files


def write_atomic(rows: dict[str, list], out: Path, metadata: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(rows).replace_schema_metadata({"peers_versions": json.dumps(metadata)})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        tmp.replace(out)  # os.replace: atomic on one filesystem
    finally:
        tmp.unlink(missing_ok=True)


def extract(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    for module in ("trafilatura", "readability", "resiliparse.extract.html2text", "html_text", "lxml.html"):
        importlib.import_module(module)  # here, so that no tool's first timed call pays for its imports
    found = versions()
    print("versions: " + ", ".join(f"{k} {v}" for k, v in found.items()), flush=True)
    files = corpus_files(args.corpus, args.sources)
    rows: dict[str, list] = {c: [] for c in COLUMNS}
    totals: dict[str, float] = defaultdict(float)
    crashes: dict[str, int] = defaultdict(int)
    pages = 0
    began = time.perf_counter()
    for path in files:
        table = pq.read_table(path, columns=["id", "source", "domain", "page_type", "html"])
        if args.limit:
            table = table.slice(0, args.limit)
        set_began = time.perf_counter()
        for page in table.to_pylist():
            html = page["html"] or b""
            for tool in TOOLS:
                text, seconds, error = run_tool(tool, html, args.timeout)
                for column, value in (("id", page["id"]), ("source", page["source"]), ("set", path.stem),
                                      ("domain", page["domain"] or ""), ("page_type", page["page_type"] or ""),
                                      ("tool", tool), ("text", text), ("seconds", seconds), ("error", error)):
                    rows[column].append(value)
                totals[tool] += seconds
                crashes[tool] += bool(error)
            pages += 1
        print(f"{path.stem}: {table.num_rows} pages in {time.perf_counter() - set_began:.0f}s "
              f"(total {pages} pages, {time.perf_counter() - began:.0f}s)", flush=True)
    write_atomic(rows, args.out, found)
    print(f"wrote {args.out}: {pages} pages x {len(TOOLS)} tools in {time.perf_counter() - began:.0f}s")
    for tool in TOOLS:
        rate = pages / totals[tool] if totals[tool] else 0.0
        print(f"  {tool:<22} {totals[tool]:8.1f}s  {rate:7.1f} pages/s  crashes {crashes[tool]}")
    return 0


def means(scores: list[tuple[float | None, float]]) -> tuple[float, float, float]:
    """(F1, P, R) as score_pages.py reports them: F1 of the mean precision and the mean recall."""
    precisions = [p for p, _ in scores if p is not None]
    recalls = [r for _, r in scores]
    mp = sum(precisions) / len(precisions) if precisions else 0.0
    mr = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    return f1, mp, mr


def print_table(title: str, groups: dict[str, dict[str, list]], tools: list[str]) -> None:
    print(f"\n{title}: F1 (P/R) per tool")
    print(f"{'':<20}{'pages':>6}  " + "  ".join(f"{SHORT.get(t, t):>17}" for t in tools))
    for name, by_tool in groups.items():
        n = max(len(v) for v in by_tool.values())
        cells = []
        for tool in tools:
            f1, mp, mr = means(by_tool.get(tool, []))
            cells.append(f"{f1:.3f} ({mp:.2f}/{mr:.2f})")
        print(f"{name:<20}{n:>6}  " + "  ".join(f"{c:>17}" for c in cells))


def report(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    sys.path.insert(0, str(SCORE_TOOLS))
    from score_pages import score

    peers = pq.read_table(args.out)
    meta = (peers.schema.metadata or {}).get(b"peers_versions")
    if meta:
        print("versions: " + ", ".join(f"{k} {v}" for k, v in json.loads(meta).items()))
    wanted = sorted(set(peers.column("set").to_pylist()))
    gold: dict[str, str] = {}
    for path in corpus_files(args.corpus, wanted):
        for row in pq.read_table(path, columns=["id", "gold"]).to_pylist():
            gold[row["id"]] = row["gold"] or ""
    tools = [t for t in TOOLS if t in set(peers.column("tool").to_pylist())]
    by_set: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    by_type: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    seconds: dict[str, float] = defaultdict(float)
    crashes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pages: dict[str, set] = defaultdict(set)
    for row in peers.select(["id", "set", "page_type", "tool", "text", "seconds", "error"]).to_pylist():
        s = score(gold[row["id"]], row["text"] or "")
        tool = row["tool"]
        by_set[row["set"]][tool].append(s)
        by_set["ALL (page mean)"][tool].append(s)
        if row["set"] == "wcxb":
            by_type[f"wcxb/{row['page_type']}"][tool].append(s)
        seconds[tool] += row["seconds"]
        pages[tool].add(row["id"])
        if row["error"]:
            crashes[tool][row["error"].split(":")[0][:40]] += 1
    groups = {k: by_set[k] for k in [*sorted(k for k in by_set if not k.startswith("ALL")), "ALL (page mean)"]}
    print_table("per source", groups, tools)
    if by_type:
        print_table("wcxb per page_type", dict(sorted(by_type.items())), tools)
    macro = {tool: [means(by_set[k][tool]) for k in groups if not k.startswith("ALL")] for tool in tools}
    print("\nmacro mean over sources, F1: " + "  ".join(
        f"{tool} {sum(m[0] for m in macro[tool]) / len(macro[tool]):.3f}" for tool in tools))
    print("\ntime and crashes per tool")
    for tool in tools:
        rate = len(pages[tool]) / seconds[tool] if seconds[tool] else 0.0
        errors = ", ".join(f"{k} x{v}" for k, v in sorted(crashes[tool].items())) or "none"
        print(f"  {tool:<22} {seconds[tool]:8.1f}s  {rate:7.1f} pages/s  crashes: {errors}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of <source>.parquet files")
    ap.add_argument("--out", type=Path, default=Path("/tmp/peers.parquet"), help="peer outputs (written or read)")
    ap.add_argument("--sources", type=lambda s: [x for x in s.split(",") if x], default=None,
                    help="comma-separated corpus file names (wcxb,dragnet,...); default all")
    ap.add_argument("--limit", type=int, default=0, help="first N pages of each source (quick tries)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per tool call before it counts as crashed")
    ap.add_argument("--report", action="store_true", help="score --out against the gold and print the tables")
    args = ap.parse_args()
    return report(args) if args.report else extract(args)


if __name__ == "__main__":
    sys.exit(main())
