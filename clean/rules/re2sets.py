"""The rules' prefilter on RE2 sets, for machines where no Hyperscan wheel installs (Linux on ARM, among others).

What ``prefilter.Prefilter`` does with one Hyperscan scan of a page, this does with RE2: the whole-line
patterns as one anchored ``re2.Set`` asked about each line, the search patterns behind one scan of the
page's bytes that flags the lines holding a cue, and only those ask the search set. RE2 builds its automata
lazily on the text it meets, so a worker's first pages cost more here; verdicts are the same (the tests run
both). RE2 gives up rather than backtrack: when its automaton runs out of memory on a hostile line,
``Set.Match`` returns no indices at all. An always-matching sentinel pattern tells that apart from "no rule
matches", and such lines (and very long ones) take the exact path of trying every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

from clean.rules.re2match import first_start as _first_start
from clean.rules.re2match import options as _options
from clean.rules.re2match import page_bytes, re2
from clean.rules.widen import Unsupported, core, scoped, widen

#: Lines longer than this skip the sets and take the exact path (rare: a paragraph is seldom this long).
MAX_CHARS = 4000


class Re2Prefilter:
    """``Prefilter`` on RE2 sets: the candidate rules for a line, those whose widened pattern matches it, plus
    those left out of the sets.

    ``candidates`` returns None when the sets cannot answer (no RE2, a very long line, the automaton gave
    up); the caller then tries every rule.
    """

    def __init__(self, patterns: Sequence[tuple[str, bool, bool]]) -> None:
        """``patterns``: each rule's ``regex`` pattern, whether it is searched (else matched whole), and whether
        it is matched with case (else case ignored)."""
        self.unfiltered: list[int] = []
        #: Per set: its match function (on UTF-8 bytes), the rule index of each of its patterns, its sentinel's,
        #: and whether it holds the search rules.
        self._matchers: list[tuple[Callable[[bytes], list[int]], list[int], int, bool]] = []
        if re2 is None:
            self.unfiltered = list(range(len(patterns)))
            return
        # Two sets, not one: whole-line patterns run anchored at both ends (their automaton stops at the
        # first character no rule allows), search patterns unanchored; in one set their states multiply.
        #: Where in a page's bytes the first possible search-rule match at or after a position starts (-1: none).
        self._scan: Callable[[bytes, int], int] | None = None
        for searched, sentinel in ((False, "(?s).*"), (True, "")):
            chosen = [i for i, (_, s, _) in enumerate(patterns) if s == searched]
            if chosen:
                self._build(patterns, chosen, searched, sentinel)

    def _build(
        self, patterns: Sequence[tuple[str, bool, bool]], chosen: list[int], searched: bool, sentinel: str
    ) -> None:
        found = re2.Set.SearchSet(_options()) if searched else re2.Set.FullMatchSet(_options())
        ids: list[int] = []
        added: list[str] = []
        for i in chosen:
            pattern, _, case_sensitive = patterns[i]
            try:
                wide = widen(pattern, case_sensitive)
                wide = scoped(core(wide) if searched else wide, case_sensitive)
                found.Add(wide)
            except (Unsupported, re2.error):
                self.unfiltered.append(i)
                continue
            ids.append(i)
            added.append(wide)
        try:
            index = found.Add(sentinel)
            found.Compile()
        except re2.error:  # too large for the memory budget: these rules are tried on every line
            self.unfiltered.extend(ids)
            return
        # The binding's own method on bytes: its Python wrapper re-checks types and turns [] into None.
        match = getattr(getattr(found, "_set", None), "Match", None)
        match = (lambda data, f=found: f.Match(data) or []) if match is None else match
        self._matchers.append((match, ids, index, searched))
        if searched:
            self._scan = _page_scanner(added)

    def candidates(self, line: str, searched: bool = True) -> list[int] | None:
        """Indices of the rules that may match ``line``, in rule order; None when every rule must be tried.

        ``searched=False``: a page scan already found no search rule's core in the line, so that set is skipped.
        """
        if not self._matchers or len(line) > MAX_CHARS or "\n" in line:
            return None
        try:
            data = line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: not valid UTF-8, so RE2 could not read it faithfully
            return None
        found = list(self.unfiltered)
        for match, ids, sentinel, search_set in self._matchers:
            if search_set and not searched:
                continue
            hits = _hits(match(data), ids, sentinel)
            if hits is None:
                return None  # the automaton gave up on this line
            found.extend(hits)
        if len(found) > 1:
            found.sort()
        return found

    def candidates_many(self, lines: Sequence[str]) -> list[list[int] | None]:
        """``candidates`` of each line of a page, with the search rules' set asked only about the lines a scan
        of the whole page flags.

        Nine lines in ten hold no search rule's cue, and one pass of one automaton over the page's bytes
        finds the few that do for less than asking the set about every line (a call per line was most of the
        cost). The scan's patterns are the set's, so it flags every line the set would name a rule for.
        """
        scan = self._scan
        if scan is None:
            return [self.candidates(line) for line in lines]
        data = page_bytes(lines)
        if data is None:
            return [self.candidates(line) for line in lines]
        flagged = set()
        pos = counted = line_no = 0
        while True:
            start = scan(data, pos)
            if start < 0:
                break
            line_no += data.count(b"\n", counted, start)
            flagged.add(line_no)
            end = data.find(b"\n", start)
            if end < 0:
                break
            line_no += 1
            pos = counted = end + 1
        whole = self._matchers[0]
        if self.unfiltered or whole[3]:  # no whole-line set to ask first
            return [self.candidates(line, i in flagged) for i, line in enumerate(lines)]
        # One automaton at a time over all the lines (encoding cannot fail: the page encoded): interleaving
        # the two sets per line made each evict the other's states from the processor's caches.
        full, full_ids, sentinel, _ = whole
        nothing = [sentinel]  # the answer for most lines
        out: list[list[int] | None] = []
        for line in lines:
            if len(line) > MAX_CHARS:
                out.append(None)
                continue
            hits = full(line.encode())
            out.append([] if hits == nothing else _hits(hits, full_ids, sentinel))
        if len(self._matchers) > 1:
            search, search_ids, search_sentinel, _ = self._matchers[1]
            for i in sorted(flagged):
                found = out[i]
                if found is None:  # too long, or the whole-line automaton gave up: the exact path decides
                    continue
                more = _hits(search(lines[i].encode()), search_ids, search_sentinel)
                out[i] = None if more is None else sorted(found + more) if found else more
        return out


def _hits(hits: list[int], ids: list[int], sentinel: int) -> list[int] | None:
    """A set's answer as rule indices; None when its automaton gave up (no sentinel among the hits)."""
    if len(hits) == 1 and hits[0] == sentinel:
        return []
    if sentinel not in hits:
        return None
    return sorted(ids[h] for h in hits if h != sentinel)  # the set answers in no particular order


_TEXT_EDGE = regex.compile(r"\\\\|\\A|\\z")


def _page_scanner(cores: list[str]) -> Callable[[bytes, int], int] | None:
    """A function giving where the first match of any of ``cores`` starts in a page (lines joined by
    newlines) at or after a position, or -1; None when RE2 will not build one.

    Matches never cross a newline (RE2's ``never_nl``), and the text's edges become the line's, so a line
    holds a match in the page exactly when it holds one alone.
    """
    if not cores:
        return None
    options = _options()
    options.never_nl = True
    options.never_capture = True
    edges = {"\\A": "^", "\\z": "$"}
    pattern = "(?m)" + "|".join(f"(?:{_TEXT_EDGE.sub(lambda m: edges.get(m[0], m[0]), c)})" for c in cores)
    try:
        compiled = re2.compile(pattern, options)
    except re2.error:
        return None
    if compiled.search(b"") is not None:  # a core that matches nothing would flag every line
        return None
    return _first_start(compiled)
