"""The page model as a cleaner: score every surviving line, decode the page, propose the lines to drop.

It runs where the zone scorer ran, after the rules and the lifters, so it sees what they removed (as
features: distance to a "Related" header, rules fired nearby) and decides the rest. Every line it drops is
a removal like any other: its rule names the model and version, its reason gives the probability.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clean.page.cleaner import Context, Line, Proposal
from clean.page.model.decode import end_at_boundary
from clean.page.model.features import NAMES, line_features
from clean.page.model.page import DEFAULT_NAME, PageModel, default_model


def page_model(lines: Sequence[Line], ctx: Context, model: PageModel | None = None) -> list[Proposal]:
    """Drop the lines the page model, decoded over the whole page, takes for boilerplate."""
    return page_model_many([(lines, ctx)], model)[0]


def page_model_many(
    pages: Sequence[tuple[Sequence[Line], Context]], model: PageModel | None = None
) -> list[list[Proposal]]:
    """``page_model`` of each page, the booster asked once for all their lines (a call costs about a
    millisecond before its first line, as much as a page's worth of lines)."""
    out: list[list[Proposal]] = [[] for _ in pages]
    names = [_model_name(ctx) for _, ctx in pages]
    for name in sorted(set(names)):
        chosen = [i for i, n in enumerate(names) if n == name]
        used = model or default_model(name)
        blocks = [_features(*pages[i]) for i in chosen]
        probs = used.probabilities(np.vstack(blocks))
        start = 0
        for i, block in zip(chosen, blocks, strict=True):
            lines, ctx = pages[i]
            out[i] = _proposals(lines, block, probs[start : start + len(block)], used, _headline(ctx))
            start += len(block)
    return out


def _model_name(ctx: Context) -> str:
    """The model that judges a page: the text model, or the HTML model its view was read for."""
    return ctx.html.model if ctx.html is not None else DEFAULT_NAME


def _features(lines: Sequence[Line], ctx: Context) -> np.ndarray:
    """A page's feature rows: the line features, and for an HTML page its DOM features and peers' verdicts."""
    x = line_features(lines, ctx, ctx.n_lines or (lines[-1].n + 1 if lines else 0))
    if ctx.html is None:
        return x
    return np.hstack([x, ctx.html.features([line.n for line in lines], [line.text for line in lines])])


#: A weighing: the features that moved a line's score most, each as (name, value, share of the log-odds).
Weighing = list[tuple[str, float, float]]


def weighings(lines: Sequence[Line], ctx: Context, top: int = 3) -> dict[int, tuple[float, Weighing]]:
    """Why the page model scored each line as it did: per line number, P(content) and the ``top`` features
    that weighed most (SHAP values of the booster: each feature's share of the line's log-odds, their sum
    with the base value being the score). For ``--explain``; the first round's view of the page, where every
    line the model judged is present."""
    if not lines:
        return {}
    model = default_model(_model_name(ctx))
    x = _features(lines, ctx)
    probs = model.probabilities(x)
    shares = model.contributions(x)[:, :-1]
    out = {}
    for i, line in enumerate(lines):
        order = np.argsort(-np.abs(shares[i]), kind="stable")[:top]
        out[line.n] = (float(probs[i]), [(model.features[j], float(x[i, j]), float(shares[i, j])) for j in order])
    return out


_BOUNDARIES = NAMES.index("boundary_seen")
_WORDS = NAMES.index("words")
_PROSE = NAMES.index("prose")


def _headline(ctx: Context) -> int | None:
    """Where the headline the lifters found stood (its line), if they found one on the page."""
    return min((n for n, (kind, _) in ctx.marked.items() if kind == "title"), default=None)


def settle(
    decoded: Sequence[bool], x: np.ndarray, ns: Sequence[int], headline: int | None
) -> tuple[list[bool], list[bool]]:
    """The decoder's verdicts with the page's own structure applied: a section boundary after most of the
    article ends it (``decode.end_at_boundary``), and what stands above the headline the lifters found is the
    page's header (a section label, a breadcrumb, the site's name; measured on the corpus out of fold, this
    fires in four sources and costs none of them). Returns the verdicts and which lines sit above the headline.
    """
    keep = end_at_boundary(decoded, x[:, _BOUNDARIES], x[:, _WORDS] * x[:, _PROSE]) if len(x) else []
    above = [headline is not None and n < headline for n in ns]
    return [k and not a for k, a in zip(keep, above, strict=True)], above


def _proposals(
    lines: Sequence[Line], x: np.ndarray, probs: np.ndarray, model: PageModel, headline: int | None
) -> list[Proposal]:
    if not len(lines):
        return []
    decoded = model.decide(probs)
    keep, above = settle(decoded, x, [line.n for line in lines], headline)
    if not any(keep):  # nothing reads as content: leave the page to the user rather than empty it
        return []
    first = keep.index(True)
    last = len(keep) - 1 - keep[::-1].index(True)
    rule = model.rule
    props = []
    for i, (line, kept) in enumerate(zip(lines, keep, strict=True)):
        if kept:
            continue
        kind = "navigation" if i < first else "footer" if i > last else "boilerplate"
        where = "before the article" if i < first else "after the article" if i > last else "inside the page"
        why = f"the page model gives P(content) = {probs[i]:.2f} ({where})"
        if above[i] and decoded[i]:
            why = f"above the headline: the page's header (P(content) = {probs[i]:.2f})"
        elif decoded[i]:
            why = f"after a section boundary that follows most of the article (P(content) = {probs[i]:.2f})"
        props.append(Proposal(line.n, rule, kind, "drop", why))
    return props
