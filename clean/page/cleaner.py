"""What a cleaner is, and how its proposals are applied and recorded.

A cleaner is a small pure function with one job: it reads the current lines of a document and returns
proposals (this line, or this span of it, goes, for this rule and reason). It never mutates the
document, never counts and never logs. ``apply`` is the one place that changes lines and writes the
removal records, so every cleaner gets auditing and reversibility for free (the propose-then-apply
shape of dolma's taggers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clean.document import Metadata, Removal


@dataclass(slots=True)
class Line:
    """A line of the text a stage received; ``n`` is its index there and never changes.

    Cleaners treat lines as values (``apply`` makes a new one when it strips a span); the class is not
    frozen only because a frozen dataclass takes twice as long to create, once per line per page.
    """

    n: int
    text: str


@dataclass(slots=True)
class Proposal:
    """A cleaner's proposal: remove line ``n`` (whole, or ``text[start:end]``), optionally lifting a value.

    ``value`` is what goes to ``field`` for ``to_metadata`` (a title, a name, a ``datetime.date``).
    Not frozen: proposals live for one ``apply`` call, and a frozen dataclass costs five times as much to
    create (1.06 us against 0.20; a page's cleaners propose hundreds).
    """

    n: int
    rule: str
    kind: str
    action: str
    reason: str
    start: int = 0
    end: int | None = None
    field: str | None = None
    value: Any = None


@dataclass
class Context:
    """What cleaners may read besides the lines: the metadata found so far and run-wide knowledge."""

    meta: Metadata = field(default_factory=Metadata)
    #: Lines (by ``n``) that a cleaner already removed, with its kind and rule; zone scoring uses them.
    marked: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: The current text of every surviving line, by ``n``: ``apply`` keeps it, so that it need not index
    #: a page's lines again for each cleaner's handful of proposals. None until the first ``apply``.
    live: dict[int, str] | None = None
    #: Lines the clean stage received (positions in the page are relative to it); 0 when unknown.
    n_lines: int = 0
    #: Lines (by ``n``) that followed a blank line in the page as read: where the page's blocks begin.
    block_starts: frozenset[int] = frozenset()
    #: For a page read from HTML by the page model's reader: its ``html_page.HtmlView`` (DOM features and the
    #: peer extractors' outputs, by line ``n``); None for text.
    html: Any = None


Cleaner = Callable[[Sequence[Line], Context], list[Proposal]]


def apply(lines: list[Line], proposals: Sequence[Proposal], ctx: Context, removals: list[Removal]) -> list[Line]:
    """Apply proposals in order, record each as a removal, and return the surviving lines.

    A metadata value is kept only when the field is still empty: the first title, author or date found
    wins, and a later one is recorded as dropped so that nothing is lost silently.
    """
    if not proposals:
        return lines
    live = ctx.live
    if live is None:
        live = ctx.live = {line.n: line.text for line in lines}
    changed: dict[int, str | None] = {}
    marked = ctx.marked
    record = removals.append
    for p in proposals:
        n = p.n
        text = live.get(n)
        if text is None:  # already removed, by this cleaner or an earlier one
            continue
        action = p.action
        field = None
        if action == "to_metadata":
            field = p.field
            if field:
                if getattr(ctx.meta, field) is None and p.value not in (None, ""):
                    setattr(ctx.meta, field, p.value)
                elif p.kind in ("title", "byline", "metadata"):
                    action, field = "drop", None
        start, end = p.start, p.end
        if start == 0 and (end is None or end >= len(text)):  # the whole line: most proposals
            record(Removal(n, text, p.rule, p.kind, action, p.reason, "clean", 0, field))
            del live[n]
            changed[n] = None
        else:
            if end is None:
                end = len(text)
            record(Removal(n, text[start:end], p.rule, p.kind, "strip" if action == "drop" else action, p.reason,
                           "clean", start, field))
            live[n] = changed[n] = text[:start] + text[end:]
        marked[n] = (p.kind, p.rule)
    if not changed:
        return lines
    if all(text is None for text in changed.values()):  # only whole lines dropped: the common case
        return [line for line in lines if line.n not in changed]
    return [
        line if line.n not in changed else Line(line.n, changed[line.n])
        for line in lines
        if changed.get(line.n, "") is not None
    ]


def rebuild(output: Sequence[Line], removals: Sequence[Removal]) -> list[str]:
    """Undo a stage's removals: the lines the stage received, rebuilt from its output and its records.

    Used by the tests (and by anyone auditing) to prove that every character that went is accounted for.
    """
    lines: dict[int, str] = {line.n: line.text for line in output}
    for r in reversed(removals):
        if r.stage != "clean":
            continue
        if r.line not in lines:
            lines[r.line] = r.text
        else:
            kept = lines[r.line]
            lines[r.line] = kept[: r.start] + r.text + kept[r.start :]
    return [lines[n] for n in sorted(lines)]
