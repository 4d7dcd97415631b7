#!/usr/bin/env python3
"""Cleaning quality and speed on the dev pages, side by side with C4's line rules and trafilatura.

Usage: python benchmarks/quality.py [--set ../shared/eval/news-pages]

Prints, in one run on the same pages:
- F1, precision and recall per input kind (full-page text, HTML) for `clean`, C4's line rules
  (datatrove's C4QualityFilter, line rules only: no document-level drop) and trafilatura;
- per kind of noise, on how many pages a line of that kind survives. Noise lines are the input lines that
  are not in the article a person marked; a broad classifier, separate from our rules, names their kind;
- MB/s per core of the text cleaners beside C4's line rules, the pages cleaned as the runner cleans them
  (``clean_texts`` on batches of ``runner.BATCH``): on a worker's first pages (every cache empty, the
  dev pages from 88 sites being its first) and in its stride (after 500 other news pages from --warm,
  per-line caches still empty, so every dev line is new to them; the median of three runs, as is C4's
  figure); and
  ``clean_text`` one page at a time, as a library caller might (the same output, checked).

Needs the bench extra (`pip install -e '.[bench]'`: datatrove) for the C4 column.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clean.document import RawRecord  # noqa: E402
from clean.evaluate import page_scores as score  # noqa: E402
from clean.page.pipeline import CleanOptions, clean_text, clean_texts, clear_caches, settle_heap, warm_up  # noqa: E402
from clean.page.records import clean_record  # noqa: E402
from clean.page.repair import normalise_line  # noqa: E402
from clean.shard import BATCH  # noqa: E402

#: A classifier of noise lines, deliberately independent of clean's rules (broad cues, no context), so
#: the count measures what survives, not what our own rules define as noise.
NOISE_KINDS = {
    "byline": re.compile(r"^(by|von|por|par|door|reviewed by|written by)\s+\S|^author:", re.I),
    "source line": re.compile(r"^(source|sources|quelle|fuente|fonte)\s*:", re.I),
    "photo credit": re.compile(r"(photo|image|picture|foto|credit)s?\s*(:|by)|getty images|shutterstock|ap photo"
                               r"|reuters/|/afp|istock", re.I),
    "share label": re.compile(r"^(share|tweet|email|print|facebook|twitter|linkedin|whatsapp|pinterest|reddit)"
                              r"(\s+(this|on|via|article|story))?\b.{0,30}$", re.I),
    "promo": re.compile(r"subscribe|sign up|newsletter|read more|click here|free trial|download (the|our) app"
                        r"|buy or sell", re.I),
    "related links": re.compile(r"^(related|more from|more on|you may also like|recommended|read next|must read"
                                r"|most popular|trending|see also|also read|top stories)\b", re.I),
    "copyright/cookie": re.compile(r"©|copyright|all rights reserved|cookie|privacy policy|terms of (use|service)",
                                   re.I),
    "ad label": re.compile(r"^[-\s\[(]*(advertisement|advertising|ad|sponsored|anzeige|publicidad|publicité)"
                           r"[-\s\])]*$", re.I),
    "lone numeral": re.compile(r"^\[?\d{1,4}\]?$"),
}


def c4_lines(text: str):
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters.c4_filters import C4QualityFilter
    except ImportError:
        return None
    flt = C4QualityFilter(split_paragraph=True, min_num_sentences=-1)
    doc = Document(text=text, id="x")
    kept = flt.filter(doc)
    return doc.text if kept is True or (isinstance(kept, tuple) and kept[0]) else ""


def noise_survivors(page: str, gold: str, output: str) -> set[str]:
    """Kinds of noise with at least one line on the page, outside the gold body, still in the output."""
    gold_lines = {normalise_line(x) for x in gold.splitlines()}
    out_lines = {normalise_line(x) for x in output.splitlines()}
    kinds = set()
    for raw in page.splitlines():
        line = normalise_line(raw)
        if not line or line in gold_lines or line not in out_lines:
            continue
        for kind, pattern in NOISE_KINDS.items():
            if pattern.search(line):
                kinds.add(kind)
    return kinds


#: Timed runs of what can be repeated (a worker's stride, C4), of which the median is printed: this shared
#: machine's speed drifts by 10-15% within minutes.
REPEATS = 3


def as_a_worker(pages: list[str], options: CleanOptions | None = None) -> list[str]:
    """The pages cleaned as a worker cleans a shard: ``BATCH`` at a time (``clean.shard.clean_items``)."""
    return [c.text for i in range(0, len(pages), BATCH) for c in clean_texts(pages[i : i + BATCH], options=options)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", type=Path, default=ROOT.parent / "shared" / "eval" / "news-pages")
    ap.add_argument("--warm", type=Path, default=ROOT.parent / "shared" / "eval" / "dedup" / "bbc_docs.jsonl.gz",
                    help="JSON lines of other pages (a 'text' field) a worker in its stride has cleaned")
    args = ap.parse_args()
    if not (args.set / "gold").is_dir():
        print(f"no evaluation set at {args.set}; pass --set")
        return 2
    golds = {p.stem: p.read_text(encoding="utf-8") for p in sorted((args.set / "gold").glob("*.txt"))}
    texts = {k: (args.set / "text" / f"{k}.txt").read_text(encoding="utf-8") for k in golds}
    htmls = {k: gzip.decompress((args.set / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8", "replace")
             for k in golds}
    text_mb = sum(len(t.encode("utf-8")) for t in texts.values()) / 1e6

    rows = []
    warm_up()  # rules compiled and the language model loaded: one-time costs, not per-page ones
    settle_heap()  # as every worker does after warm-up
    clear_caches()  # pages from 88 sites: time lines seen for the first time, as in a new corpus
    pages = list(texts.values())
    started = time.process_time()
    ours_text = dict(zip(texts, as_a_worker(pages), strict=True))
    ours_seconds = time.process_time() - started
    rows.append(("clean", "text", *score([(golds[k], ours_text[k]) for k in golds])))
    clear_caches()
    started = time.process_time()
    alone = [clean_text(t).text for t in pages]
    alone_seconds = time.process_time() - started
    assert alone == list(ours_text.values()), "pages cleaned together must come out as cleaned alone"
    clear_caches()
    started = time.process_time()
    as_a_worker(pages, CleanOptions(detect_language=False))
    ours_nolang_seconds = time.process_time() - started
    stride_seconds = None
    if args.warm.is_file():
        with gzip.open(args.warm, "rt", encoding="utf-8") as fh:
            others = [json.loads(line)["text"] for _, line in zip(range(500), fh, strict=False)]
        clear_caches()
        as_a_worker(others)
        runs = []
        for _ in range(REPEATS):  # a stride repeats; first pages, by definition, happen once
            clear_caches(automata=False)
            started = time.process_time()
            as_a_worker(pages)
            runs.append(time.process_time() - started)
        stride_seconds = statistics.median(runs)

    c4_text = {}
    c4_seconds = None
    if c4_lines("probe") is not None:
        runs = []
        for _ in range(REPEATS):
            started = time.process_time()
            c4_text = {k: c4_lines(t) for k, t in texts.items()}
            runs.append(time.process_time() - started)
        c4_seconds = statistics.median(runs)
        rows.append(("C4 line rules (datatrove)", "text", *score([(golds[k], c4_text[k]) for k in golds])))
    rows.append(("keep everything", "text", *score([(golds[k], texts[k]) for k in golds])))

    import trafilatura

    html_seconds: dict[str, float] = {}

    def timed(name: str, fn) -> dict[str, str]:
        started = time.process_time()
        out = {k: fn(h) for k, h in htmls.items()}
        html_seconds[name] = time.process_time() - started
        return out

    no_model = CleanOptions(page_model=False)
    ours_html = timed("clean", lambda h: clean_record(RawRecord(id="p", source="p", format="html", html=h)).text)
    fast = CleanOptions(html_model="fast")
    fast_html = timed("fast", lambda h: clean_record(RawRecord(id="p", source="p", format="html", html=h),
                                                       fast).text)
    rules_html = timed("rules", lambda h: clean_record(RawRecord(id="p", source="p", format="html", html=h),
                                                         no_model).text)
    traf = timed("trafilatura", lambda h: trafilatura.extract(h) or "")
    rows.append(("clean (HTML page model)", "html", *score([(golds[k], ours_html[k]) for k in golds])))
    rows.append(("clean (HTML page model, fast)", "html", *score([(golds[k], fast_html[k]) for k in golds])))
    rows.append(("clean without the model", "html", *score([(golds[k], rules_html[k]) for k in golds])))
    rows.append(("trafilatura (default)", "html", *score([(golds[k], traf[k]) for k in golds])))
    if c4_text:
        c4_html = {k: c4_lines(traf[k]) for k in golds}
        rows.append(("trafilatura + C4 line rules", "html", *score([(golds[k], c4_html[k]) for k in golds])))

    print(f"{len(golds)} pages\n")
    print(f"{'tool':32s} {'input':6s} {'F1':>6s} {'P':>6s} {'R':>6s}")
    for tool, kind, f1, p, r in rows:
        print(f"{tool:32s} {kind:6s} {f1:6.3f} {p:6.3f} {r:6.3f}")

    print("\nPages where a line of each kind of noise survives (text input; lower is better, target <= 5):")
    survivors = {"clean": Counter(), "C4": Counter(), "input": Counter()}
    for k in golds:  # noqa: PLC0206 - four dicts share the key
        survivors["clean"].update(noise_survivors(texts[k], golds[k], ours_text[k]))
        survivors["input"].update(noise_survivors(texts[k], golds[k], texts[k]))
        if c4_text:
            survivors["C4"].update(noise_survivors(texts[k], golds[k], c4_text[k]))
    print(f"{'kind':20s} {'in input':>9s} {'clean':>7s} {'C4':>7s}")
    for kind in NOISE_KINDS:
        c4 = str(survivors["C4"][kind]) if c4_text else "-"
        print(f"{kind:20s} {survivors['input'][kind]:9d} {survivors['clean'][kind]:7d} {c4:>7s}")

    print(f"\nText cleaning speed on {text_mb:.2f} MB ({len(texts)} pages), one core (CPU time):")
    print(f"  clean, a worker's first pages       {text_mb / ours_seconds:6.2f} MB/s  (all cleaners + language id,"
          f" batches of {BATCH} as the runner cleans them)")
    if stride_seconds:
        print(f"  clean, a worker in its stride       {text_mb / stride_seconds:6.2f} MB/s  (after"
              f" {len(others)} other pages)")
    print(f"  clean, without language id          {text_mb / ours_nolang_seconds:6.2f} MB/s  (first pages)")
    print(f"  clean_text, one page at a time      {text_mb / alone_seconds:6.2f} MB/s  (first pages; the same output)")
    if c4_seconds:
        print(f"  C4 line rules (datatrove)           {text_mb / c4_seconds:6.2f} MB/s")
        print(f"  ratio clean / C4                    {c4_seconds / ours_seconds:6.2f}x")
    n = len(htmls)
    print(f"\nHTML speed on {n} pages, one core (CPU time, one pass each after the text runs warmed the cleaners):")
    for name, label in (("clean", "clean, HTML page model"), ("fast", "clean, HTML page model, fast"),
                        ("rules", "clean without the model"), ("trafilatura", "trafilatura.extract alone")):
        print(f"  {label:34s}  {n / html_seconds[name]:6.1f} pages/s")
    print(f"  ratio trafilatura / clean             {html_seconds['clean'] / html_seconds['trafilatura']:6.2f}x slower")
    print(f"  ratio trafilatura / clean, fast       {html_seconds['fast'] / html_seconds['trafilatura']:6.2f}x slower")
    return 0


if __name__ == "__main__":
    sys.exit(main())
