"""One linear-time pass per line that tells which rules could match it, so only those run their pattern.

Trying every rule's ``regex`` pattern on every line was the text cleaners' largest cost (about 20 us a
line for 35 rules, most of it on short menu lines that match nothing). RE2's ``Set`` runs all the patterns
together as one automaton in a single pass over the line and returns the indices that match; the ``regex``
pattern then confirms only those, so verdicts, spans and captured values stay exactly what they were.

That only holds if the set never misses a line its rule matches. So each pattern is *widened* into RE2
syntax, never narrowed: assertions RE2 lacks (lookarounds, word boundaries) are dropped, which can only
admit more lines; Unicode classes where RE2's are ASCII-only (``\\d``, ``\\w``, ``\\s``) become their
Unicode supersets; everything matches case-insensitively. A pattern that cannot be widened (an unknown
property, a backreference) is left out of the set and its rule is tried on every line, as before.

RE2 gives up rather than backtrack: when its automaton runs out of memory on a hostile line, ``Set.Match``
returns no indices at all. An always-matching sentinel pattern tells that apart from "no rule matches", and
such lines (and very long ones) take the exact path of trying every rule.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence

import regex

try:  # a hard dependency; the exact path still works without it (tests compare the two)
    import re2
except ImportError:  # pragma: no cover - only on platforms without a google-re2 wheel
    re2 = None

#: Lines longer than this skip the sets and take the exact path (rare: a paragraph is seldom this long).
MAX_CHARS = 4000
#: Automaton memory; lines are short, so this is never reached by real text.
MAX_MEM = 64 << 20

# Classes (\d, \w, \s, \p{...}) are widened to "exactly what regex means in ASCII, and any character beyond":
# ASCII text (most of any page) is filtered as tightly as before, and an automaton over ``\p{L}``'s hundreds
# of UTF-8 byte ranges cost ten times as much to build on a worker's first pages. Inside a negated class
# the same escape becomes its ASCII part alone, so the negation still admits every character beyond.
_NON_ASCII = r"\x{80}-\x{10FFFF}"
_SHORTHAND = "dws"
#: Spaces stay exact: they are few beyond ASCII, and "any character" there would let a run of spaces run
#: through the words around it, which multiplied the states of every name-like pattern on non-ASCII text.
_SPACE = r"\s\p{Z}\x{85}\x{0B}\x{1C}-\x{1F}\x{180E}\x{200B}-\x{200D}\x{2060}\x{FEFF}"
_EXACT = {"\\s": _SPACE, "\\p{Z}": r"\p{Z}", "\\p{Zs}": r"\p{Zs}"}
_OUTSIDE = {"b": "", "B": "", "Z": r"\z"}
# RE2's negated classes (not ASCII digit/word/space) already contain regex's Unicode ones.
_KEEP = set("DWStnrfvaA") | {"z"}
# Cased properties under case-insensitive matching: the letter class contains either.
_PROPERTIES = {"Lu": "L", "Ll": "L", "Lt": "L", "Uppercase": "L", "Lowercase": "L"}


_COUNT = regex.compile(r"\{(\d*)(,?)(\d*)\}\+?")
#: Bounded repeats longer than this become unbounded: ``.{0,200}`` is 200 automaton states, and the set's
#: automaton (one state per set of positions) then outgrows its memory on ordinary prose.
MAX_COUNT = 4


def _widen_count(low: str, comma: str, high: str) -> str | None:
    """``{m,n}`` as written when short, else the unbounded repeat containing it; None for literal braces."""
    if not low and not high:
        return None
    m = int(low or 0)
    n = (int(high) if high else None) if comma else m
    if n is not None and n <= MAX_COUNT:
        return f"{{{m},{n}}}"
    if n is None and m <= MAX_COUNT:
        return f"{{{m},}}"
    return "*" if m == 0 else "+"


class Unsupported(ValueError):
    """The pattern uses syntax this widening does not translate; its rule stays on the exact path."""


def widen(pattern: str, case_sensitive: bool = False) -> str:
    """An RE2 pattern matching every string ``pattern`` matches under ``regex`` (and maybe more).

    Case is kept where the pattern keeps it (a case-sensitive rule, a ``(?-i:...)`` group): the result is
    meant for a case-sensitive RE2 automaton, and ``scoped`` wraps what ignores case in ``(?i:...)``. A
    name pattern (``\\p{Lu}...``) read case-insensitively admitted every line starting "after" or "part".
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = negated = False
    folded = not case_sensitive
    outer: list[bool] = []  # case folding outside each open group
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            text, i = _escape(pattern, i, in_class, negated, folded)
            out.append(text)
            continue
        if in_class:
            if ch == "]":
                in_class = negated = False
            elif ch == "[" and pattern.startswith("[:", i):
                raise Unsupported("POSIX class")
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                negated = True
                i += 1
            if pattern.startswith("]", i):  # a leading ] is a literal
                out.append(r"\]")
                i += 1
            continue
        if ch == "(":
            text, i, inside = _group_open(pattern, i, folded) if pattern.startswith("(?", i) else ("(", i + 1, folded)
            out.append(text)
            if text:  # a group opened (not a dropped lookaround, not a flags-only group)
                outer.append(folded)
                folded = inside
            elif inside:  # "(?i)" turns case folding on for the rest: admitting more is always safe
                folded = True
            continue
        if ch == ")":
            folded = outer.pop() if outer else folded
            out.append(ch)
            i += 1
            continue
        if ch in "*+?}" and pattern.startswith("+", i + 1):
            out.append(ch)  # possessive: RE2 has no such thing; the greedy form matches more
            i += 2
            continue
        if ch == "{":
            count = _COUNT.match(pattern, i)
            wide = _widen_count(*count.groups()) if count else None
            if wide is not None:
                out.append(wide)
                i = count.end()
                continue
        out.append(ch)
        i += 1
    if in_class:
        raise Unsupported("unterminated class")
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool, negated: bool = False, folded: bool = True) -> tuple[str, int]:
    if i + 1 >= len(pattern):
        raise Unsupported("trailing backslash")
    c = pattern[i + 1]
    if c in "pP":
        if pattern.startswith("{", i + 2):
            end = pattern.find("}", i + 2)
            if end < 0:
                raise Unsupported("unterminated property")
            name, after = pattern[i + 3 : end], end + 1
        else:
            name, after = pattern[i + 2 : i + 3], i + 3
        if folded:  # a cased property, case ignored: either case of a letter
            if c == "P" and name in _PROPERTIES:
                raise Unsupported(f"negated cased property {name}")
            name = _PROPERTIES.get(name, name)
        return _class_escape(f"\\{c}{{{name}}}", in_class, negated), after
    if c in "uU":
        width = 4 if c == "u" else 8
        digits = pattern[i + 2 : i + 2 + width]
        return f"\\x{{{digits}}}", i + 2 + width
    if not c.isascii():  # an escaped non-ASCII character is that character (RE2 rejects the escape)
        return c, i + 2
    if c.isdigit() and c != "0":
        raise Unsupported("backreference")
    if c in _SHORTHAND:
        return _class_escape(f"\\{c}", in_class, negated), i + 2
    if c in "DWS" and negated:  # RE2's are ASCII-only: as written, "[^\S\n]" would leave out a no-break space
        return _ascii_members(f"\\{c}"), i + 2
    if c in _OUTSIDE and not in_class:
        return _OUTSIDE[c], i + 2
    if c.isalpha() and c not in _KEEP and c != "x":
        raise Unsupported(f"escape \\{c}")
    return pattern[i : i + 2], i + 2


def _class_escape(escape: str, in_class: bool, negated: bool) -> str:
    """A class escape (``\\d``, ``\\p{L}``...) widened: its ASCII part exactly, plus every non-ASCII
    character, except inside a negated class (there the ASCII part alone, so the negation admits them)."""
    if escape in _EXACT:
        return _EXACT[escape] if in_class else f"[{_EXACT[escape]}]"
    members = _ascii_members(escape)
    if negated:
        return members
    return members + _NON_ASCII if in_class else f"[{members}{_NON_ASCII}]"


@functools.cache
def _ascii_members(escape: str) -> str:
    """The ASCII characters ``escape`` matches under ``regex`` (Unicode mode), as an RE2 class body."""
    try:
        found = regex.compile(escape)
    except regex.error as exc:
        raise Unsupported(f"class {escape}: {exc}") from None
    codes = [c for c in range(128) if found.match(chr(c))]
    runs: list[str] = []
    for _, group in itertools.groupby(enumerate(codes), lambda pair: pair[1] - pair[0]):
        run = [c for _, c in group]
        runs.append(f"\\x{{{run[0]:02X}}}" + (f"-\\x{{{run[-1]:02X}}}" if len(run) > 1 else ""))
    return "".join(runs)


_WIDE_SPACE = _class_escape(r"\s", in_class=False, negated=False)


def _group_open(pattern: str, i: int, folded: bool) -> tuple[str, int, bool]:
    """Translate the opening of a ``(?...`` group: its text, where the pattern goes on, and whether case is
    folded inside it. Lookarounds and comments are dropped whole (text ""); so is a flags-only group, whose
    third value then says whether it turned case folding on."""
    rest = pattern[i + 2 :]
    if rest.startswith(("=", "!", "<=", "<!", "#")):
        return "", _skip_group(pattern, i), False
    if rest.startswith(">"):  # atomic: matching it without the commitment admits more
        return "(?:", i + 3, folded
    if rest.startswith(("P<", ":")) or (rest.startswith("<") and rest[1:2].isalpha()):
        return "(?" + ("P<" if rest.startswith("<") else ""), i + 2 + (1 if rest.startswith("<") else 0), folded
    j = i + 2
    while j < len(pattern) and (pattern[j].isalpha() or pattern[j] == "-"):
        j += 1
    if j < len(pattern) and pattern[j] in ":)":
        # Inline flags: lines hold no newline, so multiline and dot-all change nothing; verbose mode would
        # need its own parser. Case folding is kept, as RE2 spells it.
        on, _, off = pattern[i + 2 : j].partition("-")
        if set(on + off) - set("imsu"):
            raise Unsupported(f"flags {pattern[i + 2 : j]}")
        inside = True if "i" in on else False if "i" in off else folded
        if pattern[j] == ")":
            return "", j + 1, "i" in on
        return ("(?i:" if inside else "(?-i:"), j + 1, inside
    raise Unsupported(f"group {pattern[i : i + 4]!r}")


def scoped(wide: str, case_sensitive: bool) -> str:
    """A widened pattern as the (case-sensitive) automata take it: wrapped to ignore case unless it keeps it."""
    return wide if case_sensitive else f"(?i:{wide})"


def _skip_group(pattern: str, i: int) -> int:
    """The index after the group opening at ``i``, respecting escapes, classes and nesting."""
    depth, j, in_class = 0, i, False
    while j < len(pattern):
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern.startswith("]", j + 1) or pattern.startswith("^]", j + 1):
                j += 1 + (pattern[j + 1] == "^")
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise Unsupported("unbalanced group")


def core(pattern: str) -> str:
    """A widened *search* pattern cut down to the literal-ish part of each alternative.

    A line that contains a match of ``A B C`` contains a match of ``B``; so each alternative keeps only its
    longest run of items between "broad" loops (``.*``, ``[^.]*``, a class with a space in it). Those loops
    are what blow up the set's automaton: every cue seen earlier in a line stays alive until its end, and
    the automaton needs a state per combination of live cues.
    """
    alternatives = _split(pattern, "|")
    if len(alternatives) > 1:
        return "(?:" + "|".join(core(a) for a in alternatives) + ")"
    items = _items(pattern)
    if len(items) == 1 and items[0].startswith("(?:") and items[0].endswith(")"):
        return "(?:" + core(items[0][3:-1]) + ")"
    runs: list[list[str]] = [[]]
    for item in items:
        if _broad(item):
            runs.append([])
        else:
            runs[-1].append(item)
    return "".join(max(runs, key=lambda run: sum(len(i) for i in run if i not in ("^", "$"))))


def _items(pattern: str) -> list[str]:
    """The top-level atoms of a pattern, each with its quantifier."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        j = _atom_end(pattern, i)
        quantifier = _QUANTIFIER.match(pattern, j)
        if quantifier and quantifier.group():
            j = quantifier.end()
        out.append(pattern[i:j])
        i = j
    return out


def _split(pattern: str, sep: str) -> list[str]:
    """``pattern`` split at top-level ``sep`` (outside groups and classes)."""
    parts, start, i = [], 0, 0
    while i < len(pattern):
        j = _atom_end(pattern, i)
        if pattern[i] == sep:
            parts.append(pattern[start:i])
            start = j
        i = j
    parts.append(pattern[start:])
    return parts


def _atom_end(pattern: str, i: int) -> int:
    ch = pattern[i]
    if ch == "\\":
        if pattern.startswith(("p{", "P{", "x{"), i + 1):
            return pattern.index("}", i) + 1
        return i + 2
    if ch == "[":
        j = i + 1
        if pattern.startswith("^", j):
            j += 1
        if pattern.startswith("]", j):
            j += 1
        while pattern[j] != "]":
            j += 2 if pattern[j] == "\\" else 1
        return j + 1
    if ch == "(":
        return _skip_group(pattern, i)
    return i + 1


_QUANTIFIER = regex.compile(r"(?:[*+?]|\{\d*,?\d*\})?\??")


def _broad(item: str) -> bool:
    """An item that repeats over characters that run through a whole sentence."""
    if not item.endswith(("*", "+", ",}", "*?", "+?", ",}?")):
        return False
    atom = item[: _atom_end(item, 0)]
    if atom == "." or atom.startswith(("[^", "\\S", "\\D", "\\W", "\\P")):
        return True
    if atom == _WIDE_SPACE:  # a run of spaces ends at the next word
        return False
    return atom.startswith(("[", "(")) and (" " in atom or "\\s" in atom or "." in atom)


def locator(pattern: str) -> Callable[[str], int | None] | None:
    """For a ``regex`` pattern matched case-insensitively: a function giving the first position at which it
    can match in a text (None: nowhere), or None when RE2 cannot take the pattern.

    Searching with the ``regex`` pattern from that position finds the same first match as searching from
    the start, since no match starts earlier (the widened pattern would have matched there), and it skips
    the scan of every earlier position, which is what costs with large alternations.
    """
    if re2 is None:
        return None
    options = _options()
    options.never_capture = True  # only where a match starts is wanted: RE2 finds it without submatches
    try:
        first_start = _first_start(re2.compile(scoped(widen(pattern), False), options))
    except (Unsupported, re2.error):
        return None

    def first(text: str) -> int | None:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the regex module scan from the start
            return 0
        start = first_start(data, 0)
        if start < 0:
            return None
        return start if len(data) == len(text) else len(data[:start].decode("utf-8"))

    return first


def _first_start(compiled) -> Callable[[bytes, int], int]:
    """A function giving where the first match of ``compiled`` in a text's bytes at or after a position
    starts (-1: none), through the binding's own method: the Python wrapper's ``search`` maps every
    offset back to characters and builds a match object, several times the cost of the search itself."""
    binding = getattr(compiled, "_regexp", None)
    anchor = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
    if binding is None or anchor is None:  # the wrapper's way, if the binding ever moves

        def first(data: bytes, pos: int) -> int:
            found = compiled.search(data, pos)
            return -1 if found is None else found.start()

        return first
    match = binding.Match

    def first_start(data: bytes, pos: int) -> int:
        return match(anchor, data, pos, len(data))[0][0]

    return first_start


def _options():
    """RE2's options for widened patterns: case kept (``scoped`` wraps what ignores it), errors raised (not
    logged to stderr)."""
    options = re2.Options()
    options.case_sensitive = True
    options.max_mem = MAX_MEM
    options.log_errors = False
    return options


class Prefilter:
    """The candidate rules for a line: those whose widened pattern matches it, plus those left out of the set.

    ``candidates`` returns None when the set cannot answer (no RE2, a very long line, the automaton gave
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
        try:
            data = "\n".join(lines).encode("utf-8")
        except UnicodeEncodeError:
            return [self.candidates(line) for line in lines]
        if data.count(b"\n") != len(lines) - 1:  # a line holding a newline would shift every later line
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
