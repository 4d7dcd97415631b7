"""One pass over a page that tells, for each line, which rules could match it, so only those run their pattern.

Trying every rule's ``regex`` pattern on every line was the text cleaners' largest cost (about 20 us a
line for 35 rules, most of it on short menu lines that match nothing). A Hyperscan database of all the
patterns (``scanner``) scans a page's lines joined by newlines in one call and reports which pattern
matched on which line; the ``regex`` pattern then confirms only those, so verdicts, spans and captured
values stay exactly what they were.

That only holds if the scanner never misses a line its rule matches. So each pattern is *widened*, never
narrowed: assertions it lacks (lookarounds, word boundaries) are dropped, which can only admit more
lines; Unicode classes become "exactly what ``regex`` means in ASCII, and any character beyond"; case is
ignored where the rule ignores it. A pattern that cannot be widened (an unknown property, a
backreference) or that Hyperscan refuses is left out and its rule is tried on every line, as before.

``widen`` (the patterns widened), ``re2match`` (RE2's options and the date locator) and ``re2sets`` (the same
prefilter on RE2's sets, where no Hyperscan wheel installs; ``new_prefilter`` chooses) are its parts.
"""

from __future__ import annotations

from collections.abc import Sequence

from clean.rules.re2match import page_bytes
from clean.rules.re2sets import Re2Prefilter
from clean.rules.scanner import Scanner, hyperscan
from clean.rules.widen import Unsupported, core, expression, scoped, widen


def new_prefilter(patterns: Sequence[tuple[str, bool, bool]]):
    """The prefilter this machine runs: Hyperscan's where a wheel of it installs, else RE2's sets (``re2sets``),
    which give the same verdicts, slower on a worker's first pages."""
    if hyperscan is not None:
        return Prefilter(patterns)
    return Re2Prefilter(patterns)


class Prefilter:
    """The candidate rules for each line of a page: those whose widened pattern matches it, plus those
    left out of the scanner.

    ``candidates`` returns None when the scanner cannot answer (no Hyperscan, a line that is not valid
    UTF-8 or holds a newline); the caller then tries every rule.
    """

    def __init__(self, patterns: Sequence[tuple[str, bool, bool]]) -> None:
        """``patterns``: each rule's ``regex`` pattern, whether it is searched (else matched whole), and whether
        it is matched with case (else case ignored)."""
        self.unfiltered: list[int] = []
        self._scanner: Scanner | None = None
        expressions: list[str] = []
        ids: list[int] = []
        for i, (pattern, searched, case_sensitive) in enumerate(patterns):
            try:
                wide = widen(pattern, case_sensitive)
                expressions.append(expression(scoped(core(wide) if searched else wide, case_sensitive), searched))
            except Unsupported:
                self.unfiltered.append(i)
                continue
            ids.append(i)
        if hyperscan is None or not ids:
            self.unfiltered = list(range(len(patterns)))
            return
        self._scanner = Scanner(expressions, ids)
        self.unfiltered = sorted([*self.unfiltered, *self._scanner.refused])
        #: The answer for a line no pattern matches (most lines): shared, so never to be changed.
        self._nothing: tuple[int, ...] = tuple(self.unfiltered)

    def candidates(self, line: str) -> Sequence[int] | None:
        """Indices of the rules that may match ``line``, in rule order; None when every rule must be tried."""
        data = None if self._scanner is None else page_bytes([line])
        return None if data is None else self._per_line(data, 1)[0]

    def candidates_many(self, lines: Sequence[str]) -> list[Sequence[int] | None]:
        """``candidates`` of each line of a page, from one scan of the lines joined by newlines.

        ``^`` and ``$`` match at line edges and no translated pattern crosses a newline, so a line holds a
        match in the page exactly when it holds one alone; a call per line was most of the cost.
        """
        if self._scanner is None:
            return [None] * len(lines)
        data = page_bytes(lines)
        if data is None:
            return [self.candidates(line) for line in lines]
        return self._per_line(data, len(lines))

    def _per_line(self, data: bytes, n_lines: int) -> list[Sequence[int] | None]:
        """The scan's matches as rule indices per line: a match belongs to the line its end falls in."""
        found: dict[int, set[int]] = {}
        line_no = counted = 0
        for end, rule in self._scanner.scan(data):
            line_no += data.count(b"\n", counted, end)
            counted = end
            if line_no in found:
                found[line_no].add(rule)
            else:
                found[line_no] = {rule}
        nothing = self._nothing
        if not found:
            return [nothing] * n_lines
        return [sorted(found[i].union(nothing)) if i in found else nothing for i in range(n_lines)]
