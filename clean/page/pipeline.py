"""The per-document pipeline: repair, lift metadata, remove, in that order, recording every step.

This module owns the loop, the records and the bookkeeping, so each cleaner stays a small pure
function (datatrove's base-filter shape, dolma's propose-then-apply). Nothing here reads files,
prints or knows about engines; ``records`` turns a reader's record (text or HTML) into this loop's input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from clean.document import Metadata, Removal
from clean.encoding import text_argument
from clean.page import dates, language
from clean.page.cleaner import Cleaner, Context, Line, Proposal, apply, rebuild
from clean.page.lift import lift_date, lift_title
from clean.page.lift_author import lift_author_box, lift_split_byline
from clean.page.model.step import page_model, page_model_many
from clean.page.repair import repair
from clean.page.text import ends_sentence, is_prose
from clean.page.text import forget as forget_measurements
from clean.page.zones import line_rules, repeated_lines, teasers, zones
from clean.rules import RuleSet, default_rules

if TYPE_CHECKING:
    from clean.page.model.html_page import HtmlView


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanOptions:
    """Switches for the text cleaners. Defaults are what the quality gate measures."""

    #: Decide the article's extent: with the page model (``page_model``), else with the zone scorer.
    zones: bool = True
    #: The trained page model decides which of the lines the rules left are content (``clean.page.model``).
    page_model: bool = True
    #: Drop the copies of a line repeated inside the page (on text; HTML leaves them to its page model).
    repeated_lines: bool = True
    detect_language: bool = True
    #: Which HTML page model judges HTML pages: "accurate" (five peer extractors) or "fast" (two).
    html_model: str = "accurate"


@dataclass
class Cleaned:
    """What ``clean_text`` returns: the body, its metadata and every removal, in order."""

    text: str
    title: str | None
    author: str | None
    date: dt.date | None
    site: str | None
    language: str | None
    removals: list[Removal] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    #: Why the page gave no text at all: it could not be cleaned (HTML past the parser's limits, a rule that ran
    #: away). The library functions report such a page here instead of raising, so one page never costs a batch.
    error: str | None = None


@functools.cache
def _rules() -> RuleSet:
    return default_rules()


#: A made-up page with a little of everything the cleaners look at, cleaned once by ``warm_up``.
_WARM_UP_PAGE = "\n".join([
    "Home | News | Sport | Business | Culture",
    "Skip to main content",
    "Council approves the new bridge budget",
    "By Jane Doe",
    "Published: March 3, 2024",
    "Share on Facebook",
    "The council met on Monday and approved the plan to rebuild the bridge, officials said on Tuesday.",
    "“We have waited years for this,” the mayor told reporters in Zürich after the vote, adding that work "
    "would start in the spring [1].",
    "Read more: Other news from the region",
    "Subscribe to our newsletter",
    "© 2024 Example News. All rights reserved.",
])


def warm_up(options: CleanOptions | None = None) -> None:
    """Pay one-time costs now: compiling the rules (and their self-checks), loading the language model, and
    the first run of every cleaner (imports done on first use, the interpreter's warm-up of each code path).

    The model is loaded explicitly, and a model loaded inside the first document would count half a second
    against that document's time limit. A realistic page, not a sentence: the first pages a worker cleaned
    after warming up on one sentence ran about 3% slower (medians of eight runs: 4.41 against 4.52 MB/s),
    with automata and per-line memories cleared in both, so that is the cost of each code path's first run.
    """
    options = options or CleanOptions()
    if options.detect_language:
        language.warm_up()
    clean_texts([_WARM_UP_PAGE, _WARM_UP_PAGE.replace("Jane Doe", "John Roe")], options=options)


_HEAP_SETTLED = False


def settle_heap() -> None:
    """Once per process, after ``warm_up``: move what lives as long as the process (modules, compiled rules,
    the language model) out of the garbage collector's sight, with ``gc.freeze``.

    Cleaning allocates hundreds of short-lived records a page, and every full collection walked those
    tens of thousands of permanent objects again: 7% of the text cleaners' time on the dev pages. The
    runner does this in every worker; a long-running process of your own that cleans many pages can too.
    """
    global _HEAP_SETTLED  # noqa: PLW0603 - a per-process fact
    if not _HEAP_SETTLED:
        gc.collect()
        gc.freeze()
        _HEAP_SETTLED = True


def clear_caches(*, automata: bool = True) -> None:
    """Forget what the cleaners learned from the lines they saw: per-line verdicts and measurements, and
    (with ``automata``) the states the date locator's RE2 automaton built for them.

    Lines recur across a site's pages, so remembering verdicts pays in a corpus; a benchmark that wants the
    cost of lines seen for the first time (pages from many sites) clears them before it times. Automaton
    states are not about particular lines but about the text's alphabet and the rules' words: a worker
    builds most of them on its first pages, so ``automata=False`` measures a worker in its stride.
    """
    _rules().forget(automata=automata)
    dates.forget(automata=automata)
    forget_measurements()


def cleaners(options: CleanOptions) -> list[Cleaner]:
    """The removal cleaners in order: lift first, then rules, then what needs the rules' verdicts."""
    steps: list[Cleaner] = [lift_date, lift_split_byline, line_rules(_rules()), lift_title, lift_author_box, teasers]
    if options.repeated_lines:
        steps.append(repeated_lines)
    if options.zones:
        steps.append(page_model if options.page_model else zones)
    return steps


def clean_text(text: str, *, meta: Metadata | None = None, options: CleanOptions | None = None) -> Cleaned:
    """Clean one plain-text page.

    Args:
        text: the page as decoded text, navigation and all.
        meta: metadata already known (from the record or the HTML); found values never override it.
        options: cleaner switches; the defaults are the measured ones.

    Returns:
        The cleaned body (one paragraph per line, no blank lines, no title line), lifted metadata and
        the removals, each with its stage, rule, kind, action and reason.
    """
    return clean_texts([text_argument(text, "clean_text: text")], [meta], options)[0]


def failed(exc: BaseException) -> Cleaned:
    """What the library functions give for a page that could not be cleaned: no text, and the reason."""
    if not isinstance(exc, (ValueError, UnicodeError, TimeoutError, RecursionError, MemoryError)):
        log.exception("internal error while cleaning a page")
    lines = str(exc).strip().splitlines()
    reason = lines[0][:300] if lines else type(exc).__name__
    return Cleaned("", None, None, None, None, None, error=f"{type(exc).__name__}: {reason}")


def clean_texts(
    texts: Sequence[str],
    metas: Sequence[Metadata | None] | None = None,
    options: CleanOptions | None = None,
    views: Sequence[HtmlView | None] | None = None,
) -> list[Cleaned]:
    """Clean many plain-text pages: what ``clean_text`` gives for each, in about nine tenths of the time.

    Each step runs over every page before the next step starts, so that its automata, patterns and the
    language model stay in the processor's caches while it works (one page at a time, each step evicted
    the last: measured 181 against 163 ms for the 88 dev pages in batches of 16 to 88). Steps are pure
    functions of a page and of per-line memories that only ever give the same answer again, so the order
    in which pages are taken cannot change a result. A page that cannot be cleaned comes back with its
    ``error`` and no text; the others as they would alone. ``texts`` of another type than ``str`` or ``bytes``
    raise ``TypeError`` naming the page.
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"clean_texts: texts: expected a list of pages, got one {type(texts).__name__}")
    texts = [text_argument(t, f"clean_texts: texts[{i}]") for i, t in enumerate(texts)]
    try:
        return clean_pages(texts, metas, options, views)
    except Exception:  # cleaned one by one, so that only the bad page fails
        none = [None] * len(texts)
        out = []
        for text, meta, view in zip(texts, metas or none, views or none, strict=True):
            try:
                out.append(clean_pages([text], [meta], options, [view])[0])
            except Exception as exc:
                out.append(failed(exc))
        return out


def clean_pages(
    texts: Sequence[str],
    metas: Sequence[Metadata | None] | None = None,
    options: CleanOptions | None = None,
    views: Sequence[HtmlView | None] | None = None,
) -> list[Cleaned]:
    """``clean_texts`` of pages already checked, raising for the batch if any page fails (the runner retries such
    a batch one document at a time, to give each failure its own row)."""
    options = options or CleanOptions()
    pages = _started(texts, metas, options, views)
    steps = cleaners(options)
    for step in steps:
        if step is page_model:  # one call of the booster for the batch's lines
            for page, props in zip(pages, page_model_many([(p.lines, p.ctx) for p in pages]), strict=True):
                page.judged(props)
            continue
        for page in pages:
            page.run(step)
    return [page.finish(steps) for page in pages]


def model_inputs(
    texts: Sequence[str],
    options: CleanOptions | None = None,
    metas: Sequence[Metadata | None] | None = None,
    views: Sequence[HtmlView | None] | None = None,
) -> list[tuple[list[Line], Context]]:
    """Each page as the page model receives it: the lines left after every cleaner before it, and the
    context (what those cleaners removed, the metadata found). Training computes its features from this, so
    that the model learns on exactly what it will see."""
    options = dataclasses.replace(options or CleanOptions(), zones=False)
    pages = _started(texts, metas, options, views)
    for step in cleaners(options):
        for page in pages:
            page.run(step)
    return [(page.lines, page.ctx) for page in pages]


def _started(
    texts: Sequence[str],
    metas: Sequence[Metadata | None] | None,
    options: CleanOptions,
    views: Sequence[HtmlView | None] | None = None,
) -> list[_Page]:
    """Pages repaired, with their language detected."""
    none = [None] * len(texts)
    pages = [
        _Page.start(text, meta, options, view)
        for text, meta, view in zip(texts, metas or none, views or none, strict=True)
    ]
    if options.detect_language:
        for page in pages:
            if page.ctx.meta.language is None:
                # Before the rules, so that rules written for one language's words only run on its pages. The
                # page's prose lines decide; menus and footers are too short and too English-heavy to.
                page.ctx.meta.language = language.detect(_prose_sample(page.repaired))
    return pages


@dataclass(slots=True)
class _Page:
    """A page on its way through the cleaners: its surviving lines, what was found and what was removed."""

    repaired: list[str]
    lines: list[Line]
    ctx: Context
    removals: list[Removal]
    #: What the page model read when it last kept every line it was given (the count of removals, the title
    #: and the language its features see): until one of them changes, asking it again gives the same answer.
    settled: tuple | None = None

    @classmethod
    def start(cls, text: str, meta: Metadata | None, options: CleanOptions, view: HtmlView | None = None) -> _Page:
        meta = Metadata(**{k: getattr(meta, k) for k in Metadata.__slots__}) if meta else Metadata()
        repaired = repair(text)
        lines = [Line(i, t) for i, t in enumerate(repaired.lines)]
        origins = repaired.origins
        starts = frozenset(i for i in range(1, len(origins)) if origins[i] - origins[i - 1] > 1)
        ctx = Context(
            meta=meta,
            n_lines=len(repaired.lines),
            block_starts=starts,
            html=view.repaired(origins) if view is not None else None,
        )
        return cls(repaired.lines, lines, ctx, list(repaired.removals))

    def run(self, step: Cleaner) -> None:
        if step is page_model:
            if self.settled != self._seen():
                self.judged(page_model(self.lines, self.ctx))
            return
        self.lines = apply(self.lines, step(self.lines, self.ctx), self.ctx, self.removals)

    def judged(self, props: Sequence[Proposal]) -> None:
        """Apply the page model's proposals, remembering when it had none."""
        self.lines = apply(self.lines, props, self.ctx, self.removals)
        if not props:
            self.settled = self._seen()

    def _seen(self) -> tuple:
        return len(self.removals), self.ctx.meta.title, self.ctx.meta.language

    def finish(self, steps: Sequence[Cleaner]) -> Cleaned:
        # Cleaners judge lines by their neighbours and position; once the header is gone, a lifter may reach
        # a date or headline it could not before, and what it strips may leave two lines equal. Another round
        # (rarely more than one, and only when the lifters still find something) reaches the fixed point
        # that makes cleaning idempotent: clean(clean(x)) == clean(x).
        for _ in range(3):
            before = len(self.removals)
            for step in (lift_date, lift_title):
                self.run(step)
            if len(self.removals) == before:
                break
            for step in steps:
                self.run(step)
        if page_model in steps:
            # The page model judges a line by what is left around it: once the edges of a page are gone, the
            # lines that now make the edges are judged again, until it keeps what it is given.
            for _ in range(3):
                before = len(self.removals)
                self.run(page_model)
                if len(self.removals) == before:
                    break
        meta = self.ctx.meta
        if meta.site is None and meta.url:
            meta.site = _host(meta.url)
        body = "\n".join(line.text for line in self.lines)
        return Cleaned(body, meta.title, meta.author, meta.date, meta.site, meta.language, self.removals, self.lines)


def _prose_sample(lines: Sequence[str]) -> str:
    """Prose for the language identifier, up to what it reads: lines that end a sentence first (a list of
    brand names or a long menu passes for prose by its length alone), then any other prose lines."""
    chosen: list[str] = []
    size = 0
    for sentences in (True, False):
        for line in lines:
            if ends_sentence(line) == sentences and is_prose(line):
                chosen.append(line)
                size += len(line) + 1
                if size >= language.SAMPLE_CHARS:
                    return "\n".join(chosen)
    return "\n".join(chosen)


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def reconstruct(cleaned: Cleaned) -> list[str]:
    """The repaired lines the clean stage received, rebuilt from the output and the removals."""
    return rebuild(cleaned.lines, cleaned.removals)


__all__: Sequence[str] = ("CleanOptions", "Cleaned", "clean_text", "clean_texts", "reconstruct")
