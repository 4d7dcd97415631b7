#!/usr/bin/env python3
"""Leave-one-source-out quality of the page model on the labelled corpus, beside the peers, in one run.

Usage: python benchmarks/corpus_quality.py [--pages ../shared/corpus/pages] [--peers /tmp/peers.parquet]
       [--cache /tmp/corpus-examples.pkl] [--html-cache /tmp/corpus-html.pkl] [--sources a,b] [--rounds N]
       [--decoder STICKINESS,BIAS] [--no-html] [--no-text] [--no-html-rules] [--html-model accurate|fast]

For each of the corpus' sources, the page model is trained on the other sources (``clean.train.fit.loso``)
and scores this one's pages; nothing is tuned on the source it scores. Pages are the corpus README's text form
of each page (every visible block on a line), the hard ``.txt`` input. Beside it, on the same pages:

- ``keep all``: the whole text form (recall's ceiling, precision's floor);
- ``rules+zones``: the cleaners before the page model (``CleanOptions(page_model=False)``), whose rules and
  thresholds were tuned on ``../shared/eval/news-pages`` (not on this corpus);
- ``model (html)``: the HTML page model, leave-one-source-out the same way, on each page's HTML (decoded as a
  run decodes it; its blocks as lines, with DOM features and the peers' verdicts: ``clean.page.model.html_page``);
- ``rules (html)``: clean's HTML path without the model (trafilatura with favor_precision, then the rules);
- HTML peers, from ``benchmarks/corpus_peers.py``'s output when ``--peers`` names it: trafilatura (default,
  favor_precision, favor_recall), readability-lxml, resiliparse, each on the page's HTML.

Figures: the benchmark's metric (``clean.evaluate``: 4-token shingles, precision and recall averaged over
pages, F1 from the means), per source, per ``page_type`` of wcxb, and the mean over sources.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clean.config import HTML_MODEL_CHOICES  # noqa: E402
from clean.evaluate import means, page_score  # noqa: E402
from clean.train.corpus import DEFAULT_PAGES, read_pages  # noqa: E402
from clean.train.fit import ROUNDS, cached, loso  # noqa: E402


def prepared(pages, path: Path | None, kind: str) -> list:
    """``cached``'s pages; a cache of another kind ends the run with its one-line reason (exit 2)."""
    try:
        return cached(pages, path, kind)
    except ValueError as exc:
        print(f"corpus_quality: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def loso_scores(data, rounds: int, held: set[str] | None, decoder: str | None) -> dict[str, tuple]:
    """Each page's (precision, recall) from the model trained on the other sources (``decoder``: "S,B" or None)."""
    fixed = tuple(float(v) for v in decoder.split(",")) if decoder else None
    out = {}
    for rows in loso(data, rounds, log=lambda s: print(s, flush=True), sources=held, decoder=fixed).values():
        for ex, p, r in rows:
            out[ex.id] = (p, r)
    return out


def rules_and_zones(data) -> dict[str, tuple]:
    """The pipeline without the page model, on each example's text form."""
    from clean.page.pipeline import CleanOptions, clean_texts

    options = CleanOptions(page_model=False)
    out = {}
    for i in range(0, len(data), 32):
        batch = data[i : i + 32]
        for ex, cleaned in zip(batch, clean_texts([ex.text for ex in batch], options=options), strict=True):
            out[ex.id] = page_score(ex.gold, cleaned.text)
    return out


def clean_on_html(pages) -> dict[str, tuple]:
    """``clean_html`` on each page's HTML (decoded as lxml would: the page's own charset, else UTF-8)."""
    from clean.encoding import decode
    from clean.page.pipeline import CleanOptions
    from clean.page.records import clean_html

    options = CleanOptions(page_model=False)  # the shipped HTML model saw every source: only LOSO scores it
    out = {}
    for page in pages:
        try:
            text = clean_html(decode(page.html, source=page.id, html=True)[0], options=options).text
        except Exception:  # a page that cannot be decoded or extracted scores as empty output, as a failure would
            text = ""
        out[page.id] = page_score(page.gold, text)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    ap.add_argument("--peers", type=Path, default=None, help="corpus_peers.py's output (HTML peers' texts)")
    ap.add_argument("--cache", type=Path, default=None, help="keep the prepared pages here between runs")
    ap.add_argument("--sources", default=None, help="only these sources (comma-separated)")
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--no-html", action="store_true", help="skip clean's HTML paths (the model's and the rules')")
    ap.add_argument("--html-cache", type=Path, default=None, help="keep the prepared HTML pages here between runs")
    ap.add_argument("--html-decoder", default=None, metavar="STICKINESS,BIAS", help="as --decoder, for the HTML model")
    ap.add_argument("--no-text", action="store_true", help="skip the text model and rules+zones (HTML only)")
    ap.add_argument("--no-html-rules", action="store_true",
                    help="skip clean's HTML path without the model (the slowest column; the models' figures alone)")
    ap.add_argument("--html-model", choices=HTML_MODEL_CHOICES, default="accurate",
                    help="which HTML page model to score (fast: trafilatura and resiliparse as its only peers)")
    ap.add_argument("--decoder", default=None, metavar="STICKINESS,BIAS",
                    help="fix the decoder's settings instead of tuning them inside each fold (faster; they must "
                         "then come from elsewhere, e.g. the shipped model's card)")
    args = ap.parse_args()
    if not args.pages.is_dir():
        print(f"no corpus at {args.pages}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    pages = list(read_pages(args.pages))
    held = set(args.sources.split(",")) if args.sources else None
    scores: dict[str, dict[str, tuple]] = defaultdict(dict)
    chosen = []
    if not args.no_text:
        data = prepared(pages, args.cache, "text")
        print(f"{len(data)} pages prepared in {time.perf_counter() - t:.0f} s", flush=True)
        print("leave-one-source-out (train on the other sources, score this one):", flush=True)
        scores["model (text)"] = loso_scores(data, args.rounds, held, args.decoder)
        chosen = [ex for ex in data if held is None or ex.source in held]
        for ex in chosen:
            scores["keep all (text)"][ex.id] = page_score(ex.gold, "\n".join(ex.all_lines))
        scores["rules+zones (text)"] = rules_and_zones(chosen)
    if not args.no_html:
        t_html = time.perf_counter()
        html_data = prepared(pages, args.html_cache, "html_fast" if args.html_model == "fast" else "html")
        print(f"{len(html_data)} HTML pages prepared in {time.perf_counter() - t_html:.0f} s", flush=True)
        print("leave-one-source-out, HTML:", flush=True)
        scores["model (html)"] = loso_scores(html_data, args.rounds, held, args.html_decoder)
        chosen = chosen or [ex for ex in html_data if held is None or ex.source in held]
        ids = {ex.id for ex in chosen}
        if not args.no_html_rules:
            scores["rules (html)"] = clean_on_html([p for p in pages if p.id in ids])
    if args.peers and args.peers.exists():
        import pyarrow.parquet as pq

        golds = {ex.id: ex.gold for ex in chosen}
        for row in pq.read_table(args.peers, columns=["id", "tool", "text"]).to_pylist():
            if row["id"] in golds and row["tool"] != "everything":
                scores[f"{row['tool']} (html)"][row["id"]] = page_score(golds[row["id"]], row["text"] or "")

    report(chosen, scores)
    print(f"total {time.perf_counter() - t:.0f} s")
    return 0


def report(data, scores: dict[str, dict[str, tuple]]) -> None:
    """Per source, per wcxb page type, and the mean over sources, for every tool."""
    tools = list(scores)
    groups: dict[str, list[str]] = defaultdict(list)
    for ex in data:
        groups[ex.source].append(ex.id)
        if ex.page_type:
            groups[f"{ex.source}/{ex.page_type}"].append(ex.id)
    print()
    print("F1 (P / R) per source; pages in brackets; nothing was tuned on the source a row scores")
    print(f"{'source':28s} " + " ".join(f"{t:>22s}" for t in tools))
    per_source: dict[str, list[float]] = defaultdict(list)
    for group in sorted(groups, key=lambda g: ("/" in g, g)):
        ids = groups[group]
        cells = []
        for tool in tools:
            got = [scores[tool][i] for i in ids if i in scores[tool]]
            f1, p, r = means(got) if got else (float("nan"),) * 3
            cells.append(f"{f1:.3f} ({p:.3f}/{r:.3f})")
            if "/" not in group and got:
                per_source[tool].append(f1)
        print(f"{group + f' [{len(ids)}]':28s} " + " ".join(f"{c:>22s}" for c in cells))
    print(f"{'mean over sources':28s} " + " ".join(
        f"{sum(per_source[t]) / len(per_source[t]):>22.3f}" if per_source[t] else f"{'-':>22s}" for t in tools
    ))


if __name__ == "__main__":
    sys.exit(main())
