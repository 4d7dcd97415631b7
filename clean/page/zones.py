"""Line rules applied as a cleaner, repeated lines, and the header and footer zones around the article.

The zone cleaner scores every line of the page, those rules already removed included: prose gains in
proportion to its words, short or link-like lines cost a little, and lines that rules recognised as
hard boundaries (related lists, footers, copyright, comments, author boxes) cost a lot. The article is
the best-scoring contiguous run (a maximum-sum segment, as in boilerpipe's and jusText's block
models); what lies before it is the header zone, what lies after it the footer zone. Sub-headings and
short list items inside the run stay, because the prose around them pays for them.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Sequence

from clean.page.cleaner import Context, Line, Proposal
from clean.page.text import fold, is_headline, is_prose, remembered, word_count
from clean.rules import RuleSet

#: Rules whose line opens a section that is not the article: after most of the article's prose, the first
#: of them ends it. Buttons inside an article ("Report", "Reply" under an embedded post) are not among them.
BOUNDARY_RULES = frozenset({
    "related.header_v1", "comments.header_v1", "comments.label_v1", "author_box.more_by_v1", "author_box.name_v1",
    "newsletter.signup_v1", "copyright.notice_v1", "cookie.notice_v1", "footer.legal_links_v1", "footer.domain_v1",
    "about.company_v1",
})
#: Kinds that sit inside articles too and say nothing of where the article ends (an affiliate disclosure
#: opens or closes a shopping article and sits between its paragraphs).
NEUTRAL_KINDS = frozenset({"title", "byline", "metadata", "citation_marker", "disclosure"})

HARD_COST = 6.0
#: Weight of prose that follows a section boundary, relative to prose before any.
AFTER_BOUNDARY = 0.5
SOFT_COST = 1.0


def line_rules(ruleset: RuleSet) -> callable:
    """A cleaner applying ``ruleset``: the first rule that matches a line decides."""

    def apply_rules(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
        props = []
        hits = ruleset.first_matches([line.text for line in lines], ctx.meta.language)
        for line, hit in zip(lines, hits, strict=True):
            if hit is None:
                continue
            rule, m = hit
            if rule.action == "to_metadata":
                value = m.groupdict().get("value") or m.group()
                props.append(
                    Proposal(
                        line.n, rule.name, rule.kind, "to_metadata", rule.reason, field=rule.field, value=value.strip()
                    )
                )
            elif rule.action == "strip":
                props.append(Proposal(line.n, rule.name, rule.kind, "strip", rule.reason, m.start(), m.end()))
            else:
                props.append(Proposal(line.n, rule.name, rule.kind, rule.action, rule.reason))
        return props

    apply_rules.__name__ = "line_rules"
    return apply_rules


def repeated_lines(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """Lines printed more than once on a page: short ones are chrome (all copies go), long ones quotes.

    A pull quote repeats a paragraph of the article: the first copy is the article's, later ones go.
    A short label printed twice (a section name in the menu and the footer) is navigation: every copy goes.
    """
    keys = [fold(line.text) for line in lines]
    counts = Counter(keys)
    props = []
    seen: set[str] = set()
    for line, key in zip(lines, keys, strict=True):
        if counts[key] < 2:
            continue
        if word_count(line.text) <= 6 and not is_prose(line.text):
            props.append(
                Proposal(
                    line.n,
                    "duplicate_line.short_v1",
                    "duplicate_line",
                    "drop",
                    "a short line printed more than once on the page: page chrome",
                )
            )
        elif key in seen:
            props.append(
                Proposal(
                    line.n,
                    "duplicate_line.repeat_v1",
                    "duplicate_line",
                    "drop",
                    "repeats an earlier paragraph of the page (pull quote or template)",
                )
            )
        seen.add(key)
    return props


#: How an excerpt cut at a length ends.
_CUT = ("..", "…")
#: Words a cut excerpt has at least (a lone "More..." is a link, which rules handle).
TEASER_WORDS = 4


def teasers(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """Runs of two or more lines that each end in an ellipsis: excerpts cut at a length, the teasers of a list
    of other stories ("Latest news", "More from US"), each headline glued to the start of its story.

    They read as prose, so zones took them for the article's opening. An article's own paragraph seldom trails
    off, and two in a row hardly ever: on the dev pages 35 such lines stand in runs, none of them article,
    and the three cut-off lines that are article stand alone.
    """
    cut = [line.text.endswith(_CUT) and word_count(line.text) >= TEASER_WORDS for line in lines]
    return [
        Proposal(line.n, "related.teasers_v1", "related", "drop",
                 "one of a run of excerpts cut off with an ellipsis: teasers for other stories")
        for i, line in enumerate(lines)
        if cut[i] and ((i > 0 and cut[i - 1]) or (i + 1 < len(cut) and cut[i + 1]))
    ]


def _prose_score(words: int) -> float:
    return 1.0 + min(words, 80) / 10.0


@remembered
def _score(text: str) -> float:
    """What a line adds to a run of article: prose by its words, anything else a small cost (remembered: the
    zone scorer and the page model's features ask for every line in every round)."""
    n = word_count(text)
    if is_prose(text):
        return _prose_score(n)
    if is_headline(text, max_words=15):
        return -0.5
    return -1.0 if n <= 3 else -0.8


_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:]\d+)*%?(?!\w)")
_DIGITS = b"0123456789"
_LETTER = re.compile(r"[^\W\d_]")
_THREE_DIGITS = re.compile(r"\d\D*+\d\D*+\d")
#: Rows in a run before it reads as a data table (standings, results, statistics), which is content.
TABLE_ROWS = 5


def _table_row(text: str) -> bool:
    """A row of a data table: a name or label with at least three figures, in 3 to 20 words, two in five of
    them figures (a dated headline in a list of links has three figures too, but among many words)."""
    spaces = text.count(" ")  # lines come with single spaces
    if not 2 <= spaces <= 19:  # most short lines stop here
        return False
    if text.isascii():  # three digits at least, counted in C: most lines have fewer and stop here
        data = text.encode()
        if len(data) - len(data.translate(None, _DIGITS)) < 3:
            return False
    elif _THREE_DIGITS.search(text) is None:
        return False
    figures = len(_NUMBER.findall(text))
    return figures >= 3 and figures >= 0.4 * (spaces + 1) and _LETTER.search(text) is not None


def _score_tables(seq: list[tuple[int, float, Line | None]]) -> None:
    """Score the rows of a data table as prose: each alone is a short line of figures, which zones count
    against the article, but a standings table or a results box is often the article itself.

    ``seq`` holds the page's surviving lines; rows that already read as prose keep their score."""
    rows = [
        k
        for k, (_, raw, line) in enumerate(seq)
        # A row has four words at least (three figures and a name): lines of three or fewer score -1.0 and are
        # most of what is not prose, so the score settles them before any test of the text.
        if -1.0 < raw < 0 and _table_row(line.text)
    ]
    first = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i] != rows[i - 1] + 1:  # a run of consecutive rows ends
            if i - first >= TABLE_ROWS:
                for k in rows[first:i]:
                    n, _, line = seq[k]
                    seq[k] = (n, _prose_score(word_count(line.text)), line)
            first = i


#: Share of the article's prose that must come before a hard boundary for the boundary to end the article.
#: A "Related" box or comment header after most of the prose closes it; one near the top is an inline box.
BOUNDARY_AFTER = 0.5


def _first_boundary(seq: list[tuple[int, float, Line | None]], start: int, end: int, ctx: Context) -> int:
    """End the article at the first hard boundary (related list, comments, footer) after most of its prose."""
    total = sum(score for _, score, _ in seq[start:end + 1] if score > 0)
    seen = 0.0
    for i in range(start, end + 1):
        n, score, line = seq[i]
        if score > 0:
            seen += score
        elif line is None and ctx.marked[n][1] in BOUNDARY_RULES and seen >= BOUNDARY_AFTER * total:
            return i - 1
    return end


_position = operator.itemgetter(0)


def zones(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """Drop the header zone before the article's best run of prose and the footer zone after it."""
    if not lines:
        return []
    # Interleave surviving lines with the removed ones so that boundaries found by rules count.
    seq: list[tuple[int, float, Line | None]] = [(line.n, _score(line.text), line) for line in lines]
    _score_tables(seq)
    for n, (kind, rule) in ctx.marked.items():
        if kind in NEUTRAL_KINDS:
            continue
        seq.append((n, -HARD_COST if rule in BOUNDARY_RULES else -SOFT_COST, None))
    seq.sort(key=_position)
    # Prose after a section boundary (comments, related stories, footer) is worth less than the article's:
    # a long comment thread must not outweigh the story it comments on. The article is the best run.
    marked = ctx.marked
    after = False
    best, best_start, best_end = 0.0, 0, -1
    run, run_start = 0.0, 0
    for i, (n, raw, line) in enumerate(seq):
        score = raw
        if line is None and marked[n][1] in BOUNDARY_RULES:
            after = True
        elif after and raw > 0:
            score = raw * AFTER_BOUNDARY
            seq[i] = (n, score, line)
        if run <= 0:
            run, run_start = score, i
        else:
            run += score
        if run > best:
            best, best_start, best_end = run, run_start, i
    if best <= 0:
        return []
    best_end = _first_boundary(seq, best_start, best_end, ctx)
    props = []
    for i, (_, _, line) in enumerate(seq):
        if line is None or best_start <= i <= best_end:
            continue
        if i < best_start:
            props.append(
                Proposal(
                    line.n,
                    "zone.header_v1",
                    "navigation",
                    "drop",
                    "before the article's first run of prose (header zone)",
                )
            )
        else:
            props.append(
                Proposal(
                    line.n, "zone.footer_v1", "footer", "drop", "after the article's last run of prose (footer zone)"
                )
            )
    return props
