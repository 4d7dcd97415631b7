"""What the page model sees of a line: the measurements a person would look at, its neighbours', and what the
rules and zones said around it.

Each feature is a number per surviving line (NaN where it does not apply, which the learner handles). They
are grouped as a person reads a page: the line itself (length, sentence punctuation, stop words of the page's
language, capitals, digits, link-like tokens), where it sits (position, distance to the lines the rules took
as section boundaries), its neighbours (the same measurements two lines up and down) and what is known from
elsewhere (repeats in the page, lines common across the run, the headline). No feature names a site or holds
a word of a page: the vocabularies enter only through the rules' kinds.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import regex

from clean.page.cleaner import Context, Line
from clean.page.text import ends_sentence, fold, is_headline, is_prose, remembered, word_count
from clean.page.zones import BOUNDARY_RULES, NEUTRAL_KINDS, _score, _table_row, zones

#: Letter runs. The standard library's engine: three times as fast as ``regex`` on this simple class.
_TOKEN = re.compile(r"[^\W\d_]+")
_URLISH = regex.compile(r"https?://|www\.|\.(?:com|org|net|co\.uk|html?)\b|@\w", regex.IGNORECASE)
_SEPARATOR_CHARS = "|»›>·•/\\"
_BULLET = tuple("-–—•*·▪►»>|")

#: Features of the line itself, in order. Neighbours repeat the first ``N_SHARED`` of them.
OWN = (
    "log_chars", "words", "prose", "ends_sentence", "stop_share", "stop_share_rel", "sentence_marks",
    "capital_share", "digit_share", "upper_share", "letter_share", "urlish", "separators",
    "headline", "ends_colon", "bullet", "copyright", "table_row", "zone_score", "commas",
)
N_SHARED = 7
#: Where a line sits and what surrounds it.
CONTEXT = (
    "rel_pos", "rel_chars_before", "log_before", "log_after", "prose_words_before", "prose_words_after",
    "boundary_above", "boundary_below", "soft_above", "soft_below", "marked_window", "boundary_seen",
    "repeats", "common", "title_overlap", "page_lines", "page_prose_share", "run_prose",
    "zone", "zone_edge", "words_rank", "words_rel_max",
)
#: Kinds of removed lines, grouped by what they say of the lines after them: a comment thread has begun,
#: a box of other stories or calls to act, the page's footer, or navigation.
GROUPS = {
    "comments": frozenset({"comments"}),
    "related": frozenset({"related", "promo", "newsletter", "ad", "share", "social", "author_box"}),
    "footer": frozenset({"footer", "copyright", "cookie", "about"}),
    "navigation": frozenset({"navigation", "markup", "counter"}),
}
GROUP_FEATURES = tuple(f"{g}_{what}" for g in GROUPS for what in ("n_above", "n_below", "above", "below"))
CONTEXT = (*CONTEXT, *GROUP_FEATURES, "run_short", "block_start", "block_end", "block_lines")
OFFSETS = (-2, -1, 1, 2)
NEIGHBOURS = tuple(f"{name}@{off:+d}" for off in OFFSETS for name in OWN[:N_SHARED])
NAMES = OWN + CONTEXT + NEIGHBOURS
#: Lines counted around a line for ``marked_window``.
WINDOW = 3
#: Distances beyond this count as "far" (a boundary 40 lines away says nothing of this line).
FAR = 40.0


@functools.cache
def stop_words(language: str | None) -> frozenset[str]:
    """The ``stop-words`` package's list for a language (ISO 639-1), empty where it has none."""
    if not language:
        return frozenset()
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    if language not in LANGUAGE_MAPPING:
        return frozenset()
    return frozenset(w.casefold() for w in get_stop_words(language))


_DIGITS = b"0123456789"
_ASCII_UPPER = bytes(range(65, 91))
_ASCII_LETTERS = _ASCII_UPPER + bytes(range(97, 123))
_URL_CUE = re.compile(r"http|www\.|\.com|\.org|\.net|\.co\.uk|\.htm|@")
#: ASCII bytes with every byte that is not a letter mapped to a space: ``split()`` then gives ``_TOKEN``'s tokens.
_ASCII_TOKENS = bytes(b if (65 <= b <= 90 or 97 <= b <= 122) else 32 for b in range(256))
_UPPER_BYTE = frozenset(range(65, 91))
_FIRST = operator.itemgetter(0)


@remembered
def _measured(text: str) -> tuple[list[float], tuple[str, ...]]:
    """The line's own measurements (``OWN``; the stop shares left NaN) and its casefolded letter tokens.

    Remembered per line, as the other measurements are: the finishing rounds judge a page's lines again, and
    a site's boilerplate recurs on every page. Counts of ASCII lines come from their bytes, in C.
    """
    chars = len(text)
    words = word_count(text)
    if text.isascii():  # most lines: every count from the bytes, in C
        data = text.encode()
        tokens = data.translate(_ASCII_TOKENS).split()
        digits = chars - len(data.translate(None, _DIGITS))
        upper = chars - len(data.translate(None, _ASCII_UPPER))
        letters = chars - len(data.translate(None, _ASCII_LETTERS))
        separators = chars - len(data.translate(None, b"|>/\\"))
        capital = sum(map(_UPPER_BYTE.__contains__, map(_FIRST, tokens))) / len(tokens) if tokens else math.nan
        folded = tuple(t.decode() for t in data.lower().translate(_ASCII_TOKENS).split())
    else:
        tokens = _TOKEN.findall(text)
        digits = sum(map(str.isdigit, text))
        upper = sum(map(str.isupper, text))
        letters = sum(map(str.isalpha, text))
        separators = sum(text.count(c) for c in _SEPARATOR_CHARS)
        capital = sum(map(str.isupper, map(_FIRST, tokens))) / len(tokens) if tokens else math.nan
        folded = tuple(_TOKEN.findall(text.casefold()))
    marks = text.count(". ") + text.count("! ") + text.count("? ") + text.count("。") + text.count("！")
    marks += text.count("？") + text.endswith((".", "!", "?"))
    urlish = float(len(_URLISH.findall(text))) if _URL_CUE.search(text) else 0.0
    copyright_ = "©" in text or "opyright" in text or "(c)" in text or "(C)" in text
    own = [
        math.log1p(chars),
        float(min(words, 200)),
        float(is_prose(text)),
        float(ends_sentence(text)),
        math.nan,
        math.nan,
        float(marks),
        capital,
        digits / chars if chars else 0.0,
        upper / letters if letters else 0.0,
        letters / chars if chars else 0.0,
        urlish,
        float(separators),
        float(is_headline(text)),
        float(text.endswith(":")),
        float(text.startswith(_BULLET)),
        float(copyright_),
        float(_table_row(text)),
        _score(text),
        float(text.count(",") + text.count("，") + text.count("、")),
    ]
    return own, folded


def _own(text: str, stops: frozenset[str]) -> list[float]:
    """``OWN`` of a line, with its share of the language's stop words (the page-relative share comes later)."""
    own, tokens = _measured(text)
    if stops and tokens:
        own = own.copy()
        own[4] = sum(map(stops.__contains__, tokens)) / len(tokens)
    return own


@remembered
def _line_words(text: str) -> frozenset[str]:
    """A line's casefolded words, for its overlap with the title (remembered: every round asks again)."""
    return frozenset(t.casefold() for t in _TOKEN.findall(text))


def _words_of(text: str | None) -> frozenset[str]:
    return _line_words(text) if text else frozenset()


def line_features(lines: Sequence[Line], ctx: Context, total_lines: int) -> np.ndarray:
    """One row of ``NAMES`` per line of ``lines`` (the page's surviving lines, in order).

    ``total_lines`` is the number of lines the clean stage received (positions are relative to it), and
    ``ctx.marked`` the lines earlier cleaners removed, with their kind and rule.
    """
    k = len(lines)
    x = np.full((k, len(NAMES)), np.nan, dtype=np.float32)
    if not k:
        return x
    stops = stop_words(ctx.meta.language)
    own = np.array([_own(line.text, stops) for line in lines], dtype=np.float32)
    stop_col = OWN.index("stop_share")
    prose = own[:, OWN.index("prose")] > 0
    page_stop = own[prose, stop_col]
    page_stop = page_stop[~np.isnan(page_stop)]
    if page_stop.size:
        own[:, OWN.index("stop_share_rel")] = own[:, stop_col] / max(float(page_stop.mean()), 0.05)
    x[:, : len(OWN)] = own

    ns = np.array([line.n for line in lines], dtype=np.int64)
    chars = np.array([len(line.text) for line in lines], dtype=np.float64)
    words = own[:, OWN.index("words")].astype(np.float64)
    prose_words = np.where(prose, words, 0.0)
    total_prose = prose_words.sum()
    col = {name: len(OWN) + i for i, name in enumerate(CONTEXT)}
    total = max(total_lines, 1)
    x[:, col["rel_pos"]] = ns / total
    before_chars = np.cumsum(chars) - chars
    x[:, col["rel_chars_before"]] = before_chars / max(chars.sum(), 1.0)
    idx = np.arange(k)
    x[:, col["log_before"]] = np.log1p(idx)
    x[:, col["log_after"]] = np.log1p(k - 1 - idx)
    before_prose = np.cumsum(prose_words) - prose_words
    x[:, col["prose_words_before"]] = before_prose / total_prose if total_prose else 0.0
    x[:, col["prose_words_after"]] = (total_prose - before_prose - prose_words) / total_prose if total_prose else 0.0

    boundary = sorted(n for n, (_, rule) in ctx.marked.items() if rule in BOUNDARY_RULES)
    soft = sorted(
        n for n, (kind, rule) in ctx.marked.items() if rule not in BOUNDARY_RULES and kind not in NEUTRAL_KINDS
    )
    x[:, col["boundary_above"]], x[:, col["boundary_below"]] = _distances(ns, boundary)
    x[:, col["soft_above"]], x[:, col["soft_below"]] = _distances(ns, soft)
    removed = np.array(sorted(ctx.marked), dtype=np.int64)
    x[:, col["marked_window"]] = np.searchsorted(removed, ns + WINDOW, side="right") - np.searchsorted(
        removed, ns - WINDOW, side="left"
    )
    if boundary:
        first = np.searchsorted(np.array(boundary), ns)  # boundaries above each line
        x[:, col["boundary_seen"]] = first
    else:
        x[:, col["boundary_seen"]] = 0.0

    keys = [fold(line.text) for line in lines]
    counts = Counter(keys)
    x[:, col["repeats"]] = [counts[key] - 1 for key in keys]
    # Lines common across the run were to come from a corpus pass before cleaning; none runs (repeated lines are
    # a corpus step after it), so the column is 0 for every line, in training too, and stays for the weights' order.
    x[:, col["common"]] = 0.0
    title = _words_of(ctx.meta.title)
    if title:
        x[:, col["title_overlap"]] = [
            len(w & title) / len(w | title) if (w := _words_of(line.text)) else 0.0 for line in lines
        ]
    x[:, col["page_lines"]] = math.log1p(k)
    x[:, col["page_prose_share"]] = prose.mean()
    x[:, col["run_prose"]] = _run_prose(prose)
    # The zone scorer's best run of prose (the rules' boundaries included): inside 0, header -1, footer +1,
    # and how many lines the line is from the run's nearer edge (negative outside it).
    zone = np.zeros(k, dtype=np.float32)
    for p in zones(lines, ctx):
        zone[np.searchsorted(ns, p.n)] = -1.0 if p.rule == "zone.header_v1" else 1.0
    x[:, col["zone"]] = zone
    inside = np.flatnonzero(zone == 0)
    if inside.size:
        lo, hi = inside[0], inside[-1]
        x[:, col["zone_edge"]] = np.minimum(idx - lo, hi - idx)
    order = np.argsort(-words, kind="stable")
    rank = np.empty(k, dtype=np.float32)
    rank[order] = np.arange(k)
    x[:, col["words_rank"]] = np.log1p(rank)
    x[:, col["words_rel_max"]] = words / max(words.max(), 1.0)
    for group, kinds in GROUPS.items():
        marks = sorted(n for n, (kind, _) in ctx.marked.items() if kind in kinds)
        x[:, col[f"{group}_above"]], x[:, col[f"{group}_below"]] = _distances(ns, marks)
        above = np.searchsorted(np.array(marks, dtype=np.int64), ns)
        x[:, col[f"{group}_n_above"]] = np.log1p(above)
        x[:, col[f"{group}_n_below"]] = np.log1p(len(marks) - above)
    x[:, col["run_short"]] = _run_prose(words <= 3)
    # Blocks as the page was laid out (a blank line between them), when the text has them: a paragraph is a
    # block of its own, a menu or a list one block of many short lines.
    if ctx.block_starts:
        starts = np.array([n in ctx.block_starts for n in ns.tolist()])
        x[:, col["block_start"]] = starts
        x[:, col["block_end"]] = np.append(starts[1:], True)
        block = np.cumsum(starts)
        sizes = np.bincount(block)
        x[:, col["block_lines"]] = np.log1p(sizes[block])

    shared = own[:, :N_SHARED]
    base = len(OWN) + len(CONTEXT)
    for j, off in enumerate(OFFSETS):
        lo, hi = max(0, -off), min(k, k - off)
        block = x[:, base + j * N_SHARED : base + (j + 1) * N_SHARED]
        block[lo:hi] = shared[lo + off : hi + off]
    return x


def _distances(ns: np.ndarray, marks: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Lines from each of ``ns`` up to the nearest of ``marks`` above and down to the nearest below (capped)."""
    if not marks:
        far = np.full(ns.shape, FAR)
        return far, far
    m = np.array(marks, dtype=np.int64)
    pos = np.searchsorted(m, ns)
    above = np.where(pos > 0, ns - m[np.maximum(pos - 1, 0)], FAR)
    below = np.where(pos < len(m), m[np.minimum(pos, len(m) - 1)] - ns, FAR)
    return np.minimum(above, FAR), np.minimum(below, FAR)


def _run_prose(prose: np.ndarray) -> np.ndarray:
    """For each line, the share of lines that are true (prose, say) among the ten around it."""
    k = len(prose)
    sums = np.concatenate(([0.0], np.cumsum(prose, dtype=np.float64)))
    lo = np.clip(np.arange(k) - 5, 0, k)
    hi = np.clip(np.arange(k) + 6, 0, k)
    return (sums[hi] - sums[lo]) / (hi - lo)
