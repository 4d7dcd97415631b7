"""Train the page model on the labelled corpus: ``python -m clean.train`` (or ``clean-train``).

Reproducible and deterministic: pages are read in file then row order, LightGBM runs with a fixed seed,
``deterministic=True`` and row-wise histograms, and the weights are written byte-stable, so the same corpus and
code give the same files. Steps:

1. Each page's text form (``corpus.text_form``), cleaned up to the model's step (``pipeline.model_inputs``):
   the lines the model will judge, with the context the rules and lifters left.
2. Labels: the page's gold text aligned to its repaired lines (``align.labels``).
3. A LightGBM classifier on ``features.NAMES``; each line weighted by its share of its page's words, so that
   every page counts the same and, inside a page, a paragraph counts more than a label (the metric counts
   words).
4. The Markov chain of the decoder, counted on the label sequences.

``--loso`` also scores leave-one-source-out (train on eleven sources, score the twelfth with the benchmark's
metric) and writes the figures into the model card (``docs/model.md``).
"""

from __future__ import annotations

import argparse
import functools
import pickle
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from clean.atomic import write_bytes_atomic
from clean.document import Metadata
from clean.evaluate import means, shingles
from clean.evaluate import page_score as score
from clean.page.model.decode import Chain, viterbi
from clean.page.model.features import NAMES
from clean.page.model.page import DEFAULT_NAME, HTML_FAST_NAME, HTML_NAME, feature_names, save
from clean.page.model.step import _features, _headline, settle
from clean.page.pipeline import CleanOptions, model_inputs
from clean.page.records import html_inputs
from clean.page.repair import repair
from clean.train.align import labels
from clean.train.corpus import DEFAULT_PAGES, Page, decoded, read_pages, text_form

if TYPE_CHECKING:
    from clean.page.model.html_page import HtmlView

#: The model each ``--kind`` trains.
KINDS = {"text": DEFAULT_NAME, "html": HTML_NAME, "html_fast": HTML_FAST_NAME}
#: The version written into each model's weights; bump it when its features, labels or training change.
VERSIONS = {DEFAULT_NAME: "v2", HTML_NAME: "v5", HTML_FAST_NAME: "v4"}
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
ROUNDS = 300
#: Folds by source for the out-of-fold probabilities the decoder is tuned on inside a leave-one-source-out fold
#: (``loso`` without a fixed decoder: a cheap estimate of the shipped choice, not the shipped choice itself).
INNER_FOLDS = 3
WEIGHTS = Path(__file__).resolve().parents[1] / "page" / "model" / "weights"


@dataclass
class Example:
    """One page ready to learn from: its model-step lines, their features and labels."""

    id: str
    source: str
    domain: str
    page_type: str
    lines: list[str]
    x: np.ndarray
    y: np.ndarray
    gold: str
    #: The page's text form, and its lines as repaired (what the cleaners received), for comparisons.
    text: str = ""
    all_lines: tuple[str, ...] = ()
    #: Each line's number among the repaired lines, and the headline's (if the lifters found one).
    ns: tuple[int, ...] = ()
    headline: int | None = None

    def weights(self) -> np.ndarray:
        """Each line's share of the page's words (one word at least), scaled so a page sums to 100."""
        words = np.array([max(1, len(line.split())) for line in self.lines], dtype=np.float64)
        return words / words.sum() * 100 if len(words) else words


def _examples(pages: Sequence[Page], kind: str = "text") -> list[Example]:
    """Pages made ready to learn from, read as the cleaners read them: as their text form (``text``), or as
    HTML (``html``: the page decoded, its blocks as lines, the DOM and the peers' verdicts as features)."""
    options = CleanOptions()
    metas: list[Metadata] | None = None
    views: list[HtmlView | None] | None = None
    width = len(NAMES)
    if kind in KINDS and kind != "text":
        width = len(feature_names(KINDS[kind]))
        html_options = CleanOptions(html_model="fast" if kind == "html_fast" else "accurate")
        texts, metas, views = [], [], []
        for page in pages:
            try:
                one = html_inputs([decoded(page.html, page.id)], [Metadata()], html_options)
                (text,), (meta,), (view,), options = one
            except ValueError:  # a page trafilatura or lxml cannot read: nothing to learn from
                text, meta, view = "", Metadata(), None
            texts.append(text)
            metas.append(meta)
            views.append(view)
    else:
        texts = [text_form(page.html) for page in pages]
    out = []
    for page, text, (lines, ctx) in zip(pages, texts, model_inputs(texts, options, metas, views), strict=True):
        repaired = repair(text).lines
        share = labels(repaired, page.gold)
        x = _features(lines, ctx) if lines else np.zeros((0, width))
        y = np.array([share[line.n] for line in lines], dtype=bool)
        out.append(Example(page.id, page.source, page.domain, page.page_type, [ln.text for ln in lines], x, y,
                           page.gold, text, tuple(repaired), tuple(ln.n for ln in lines), _headline(ctx)))
    return out


def cached(pages: Sequence[Page], path: Path | None, kind: str = "text", workers: int = 2) -> list[Example]:
    """The pages made ready for the model of ``kind``: read from ``path`` when it exists (a pickle this module
    wrote), else prepared and, when ``path`` is given, kept there (written whole or not at all). Preparing takes
    15 minutes for the accurate HTML model on 2 cores; training and the benchmarks share the file.

    Raises:
        ValueError: ``path`` holds pages prepared for another kind (their columns are another model's).
    """
    if path and path.exists():
        data = pickle.loads(path.read_bytes())
        print(f"read {len(data)} prepared pages from {path}", flush=True)
        if data and data[0].x.shape[1] != len(feature_names(KINDS[kind])):
            raise ValueError(f"{path} holds pages prepared for another --kind than {kind}")
        return data
    data = examples(pages, workers, kind=kind)
    if path:
        write_bytes_atomic(path, pickle.dumps(data))
    return data


def examples(pages: Iterable[Page], workers: int = 2, batch: int = 32, kind: str = "text") -> list[Example]:
    """Every page made ready to learn from, in the pages' order (``workers`` processes)."""
    pages = list(pages)
    batches = [pages[i : i + batch] for i in range(0, len(pages), batch)]
    work = functools.partial(_examples, kind=kind)
    if workers <= 1:
        return [ex for b in batches for ex in work(b)]
    with ProcessPoolExecutor(workers) as pool:
        return [ex for done in pool.map(work, batches) for ex in done]


def fit(train: Sequence[Example], rounds: int = ROUNDS) -> tuple[object, Chain]:
    """A booster and a chain learnt from ``train`` (text or HTML examples: the width of ``x`` says which)."""
    import lightgbm

    x = np.vstack([ex.x for ex in train])
    y = np.concatenate([ex.y for ex in train]).astype(np.int32)
    w = np.concatenate([ex.weights() for ex in train])
    names = next((n for n in map(feature_names, KINDS.values()) if len(n) == x.shape[1]), None)
    if names is None:  # an experiment's own columns
        names = tuple(f"f{i}" for i in range(x.shape[1]))
    data = lightgbm.Dataset(x, y, weight=w, feature_name=list(names), free_raw_data=True)
    booster = lightgbm.train(PARAMS, data, num_boost_round=rounds)
    chain = Chain.count([list(ex.y) for ex in train])
    return booster, chain


def kept(ex: Example, probs: np.ndarray, chain: Chain, bias: float = 0.0, stickiness: float = 1.0) -> str:
    """The text the model keeps of one page, given its lines' probabilities: as the cleaner decides
    (``step.settle``; a page where nothing reads as content is left whole), apart from the rounds that judge
    the kept lines again."""
    if not len(ex.lines):
        return ""
    keep, _ = settle(viterbi(probs, chain, bias, stickiness), ex.x, ex.ns, ex.headline)
    if not any(keep):
        return "\n".join(ex.lines)
    return "\n".join(line for line, k in zip(ex.lines, keep, strict=True) if k)


def source_folds(data: Sequence[Example], k: int) -> list[set[str]]:
    """Sources dealt into ``k`` groups of similar size (largest first, each to the smallest group so far)."""
    sizes: dict[str, int] = {}
    for ex in data:
        sizes[ex.source] = sizes.get(ex.source, 0) + 1
    groups: list[set[str]] = [set() for _ in range(min(k, len(sizes)))]
    totals = [0] * len(groups)
    for source in sorted(sizes, key=lambda s: (-sizes[s], s)):
        i = totals.index(min(totals))
        groups[i].add(source)
        totals[i] += sizes[source]
    return groups


def out_of_fold(data: Sequence[Example], k: int, rounds: int = ROUNDS) -> dict[str, np.ndarray]:
    """Each page's probabilities from a booster that never saw its source (``k`` folds by source)."""
    probs: dict[str, np.ndarray] = {}
    for group in source_folds(data, k):
        booster, _ = fit([ex for ex in data if ex.source not in group], rounds)
        for ex in data:
            if ex.source in group and len(ex.lines):
                probs[ex.id] = booster.predict(ex.x, num_threads=1)
    return probs


#: What the decoder's two settings are chosen from (see ``tune``).
STICKINESS = (0.1, 0.25, 0.5, 1.0)
BIAS = (-0.5, 0.0, 0.5)


def tune(data: Sequence[Example], probs: dict[str, np.ndarray], chain: Chain) -> tuple[float, float, dict]:
    """The decoder's ``stickiness`` and ``bias`` that give the best mean F1 over sources on out-of-fold
    probabilities (no page is scored by a booster that saw its source). Returns both and the whole grid."""
    golds = {ex.id: shingles(ex.gold) for ex in data}  # the same for every setting: counted once

    def score(ex: Example, pred: str) -> tuple[float | None, float]:
        g, p = golds[ex.id], shingles(pred)
        shared = sum((g & p).values())
        return (shared / sum(p.values()) if p else None), (shared / sum(g.values()) if g else 1.0)

    grid = {}
    for stickiness in STICKINESS:
        for bias in BIAS:
            by_source: dict[str, list] = {}
            for ex in data:
                pred = kept(ex, probs[ex.id], chain, bias, stickiness) if ex.id in probs else ""
                by_source.setdefault(ex.source, []).append(score(ex, pred))
            grid[f"{stickiness}/{bias}"] = sum(means(v)[0] for v in by_source.values()) / len(by_source)
    stickiness, bias = chosen(grid)
    return stickiness, bias, grid


#: Decoder settings whose out-of-fold F1 is within this of the best count as equal: differences of a tenth of a
#: point are the noise of an estimate over twelve sources (the HTML grid's top three span 0.0009).
TIE = 0.001


def chosen(grid: dict[str, float]) -> tuple[float, float]:
    """The decoder setting to ship from ``tune``'s grid: of those within ``TIE`` of the best, the least sticky
    (the decoder that overrides the classifier least), then the best scoring."""
    top = max(grid.values())
    near = [key for key, score in grid.items() if score >= top - TIE]
    best = min(near, key=lambda key: (float(key.split("/")[0]), -grid[key], key))
    stickiness, bias = (float(v) for v in best.split("/"))
    return stickiness, bias


def decoder_for(data: Sequence[Example], rounds: int = ROUNDS) -> tuple[float, float, dict]:
    """The decoder to ship with a booster trained on ``data``: ``tune`` on leave-one-source-out probabilities.

    One fold per source, because the shipped booster learns from every source and a fold's booster should be as
    close to it as can be: boosters trained on three quarters of the sources are less sure of an unseen one's
    content, and the decoder chosen on them kept doubtful lines (html v4: bias +0.5 from four folds, -0.5 from
    twelve; leave-one-source-out 0.894 and 0.899 at the two).
    """
    folds = len({ex.source for ex in data})
    return tune(data, out_of_fold(data, folds, rounds), Chain.count([list(ex.y) for ex in data]))


def loso(
    data: Sequence[Example],
    rounds: int = ROUNDS,
    log: Callable[[str], object] = print,
    sources: set[str] | None = None,
    decoder: tuple[float, float] | None = None,
) -> dict[str, list[tuple[Example, float | None, float]]]:
    """Leave-one-source-out: for each source (of ``sources``, default all), train on the others and score its
    pages (precision or None, recall). The decoder's (stickiness, bias) are tuned on the others by inner folds,
    unless ``decoder`` fixes them (four times faster; then say where they came from)."""
    results: dict[str, list] = {}
    for source in sorted({ex.source for ex in data} & (sources or {ex.source for ex in data})):
        train = [ex for ex in data if ex.source != source]
        booster, chain = fit(train, rounds)
        if decoder is None:
            stickiness, bias, _ = tune(train, out_of_fold(train, INNER_FOLDS, rounds), chain)
        else:
            stickiness, bias = decoder
        results[source] = [
            (ex, *score(ex.gold, kept(ex, booster.predict(ex.x, num_threads=1) if len(ex.lines) else np.zeros(0),
                                      chain, bias, stickiness)))
            for ex in data
            if ex.source == source
        ]
        how = "fixed" if decoder else "tuned on the others"
        log(f"  {source}: {summary(results[source])} (decoder {how}: stickiness {stickiness}, bias {bias})")
    return results


def summary(rows: Sequence[tuple]) -> str:
    f1, p, r = means([(row[-2], row[-1]) for row in rows])
    return f"F1 {f1:.3f} (P {p:.3f} R {r:.3f}) on {len(rows)} pages"


def _first_of_each(pages: Sequence[Page], n: int) -> list[Page]:
    """The first ``n`` pages of each source, in order."""
    seen: dict[str, int] = {}
    out = []
    for page in pages:
        seen[page.source] = seen.get(page.source, 0) + 1
        if seen[page.source] <= n:
            out.append(page)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m clean.train", description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="the corpus' pages/ folder")
    ap.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--loso", action="store_true", help="also score leave-one-source-out")
    ap.add_argument("--per-source", type=int, default=None, help="only the first N pages of each source (a quick try)")
    ap.add_argument("--kind", choices=tuple(KINDS), default="text",
                    help="the model for text pages (page_text), HTML pages (page_html) or HTML pages, fast "
                         "(page_html_fast: two peers)")
    ap.add_argument("--examples", type=Path, default=None,
                    help="keep the prepared pages here (a pickle): read if it exists, else written; "
                         "benchmarks/corpus_quality.py's --cache/--html-cache take the same file")
    args = ap.parse_args(argv)
    name = KINDS[args.kind]
    if not args.pages.is_dir():
        print(f"clean-train: no corpus at {args.pages} (give --pages)", file=sys.stderr)
        return 2
    pages = list(read_pages(args.pages))
    if args.per_source:
        pages = _first_of_each(pages, args.per_source)
    print(f"{len(pages)} pages from {len({p.source for p in pages})} sources", flush=True)
    try:
        data = cached(pages, args.examples, args.kind, args.workers)
    except ValueError as exc:
        print(f"clean-train: {exc}", file=sys.stderr)
        return 2
    sources = sorted({ex.source for ex in data})
    print(f"tuning the decoder on leave-one-source-out probabilities ({len(sources)} folds)", flush=True)
    stickiness, bias, grid = decoder_for(data, args.rounds)
    print(f"stickiness {stickiness}, bias {bias} (mean F1 over sources {grid[f'{stickiness}/{bias}']:.3f})")
    booster, chain = fit(data, args.rounds)
    text = booster.model_to_string(num_iteration=-1)
    meta = {
        "name": name,
        "version": VERSIONS[name],
        "features": list(feature_names(name)),
        "chain": chain.as_dict(),
        "bias": bias,
        "stickiness": stickiness,
        "decoder_grid": grid,
        "decoder_folds": f"one per source ({len(sources)}): each source scored by a booster trained on the others",
        "params": PARAMS,
        "rounds": args.rounds,
        "trained_on": {
            "pages": len(data),
            "lines": int(sum(len(ex.y) for ex in data)),
            "content_lines": int(sum(int(ex.y.sum()) for ex in data)),
            "sources": sources,
        },
    }
    for path in save(text, meta, args.out, name):
        print(f"wrote {path}")
    if args.loso:
        print("leave-one-source-out:", flush=True)
        loso(data, args.rounds, log=lambda s: print(s, flush=True))
    return 0


if __name__ == "__main__":
    # Run the module's own copy, not __main__'s: pickled examples (--examples) then name clean.train.fit.Example
    # and load in the benchmarks too.
    from clean.train.fit import main as _main

    sys.exit(_main())


__all__ = [
    "KINDS", "VERSIONS", "Example", "cached", "decoder_for", "examples", "fit", "kept", "loso", "main", "out_of_fold",
    "tune",
]
