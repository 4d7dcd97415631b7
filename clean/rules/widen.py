"""Rule patterns widened for a prefilter: never narrowed, so a scan of the widened pattern cannot miss a line the
rule matches.

Assertions a pattern lacks (lookarounds, word boundaries) are dropped, which can only admit more lines; Unicode
classes become "exactly what ``regex`` means in ASCII, and any character beyond"; case is ignored where the rule
ignores it. A pattern that cannot be widened (an unknown property, a backreference) raises ``Unsupported`` and its
rule is tried on every line. ``widen`` writes RE2's syntax; ``expression`` turns a widened pattern into what the
Hyperscan scanner takes for lines joined by newlines.
"""

from __future__ import annotations

import functools
import itertools

import regex

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


#: ``\s`` without the newline: lines are scanned joined by newlines, and a match must not run into the next.
_LINE_SPACE = r"\t\x0B\f\r\x20"


def expression(wide: str, searched: bool) -> str:
    """A widened pattern as the scanner takes it, for lines joined by newlines (Hyperscan's syntax, which
    is RE2's for everything ``widen`` writes, multi-line mode).

    A whole-line pattern is anchored at line edges; text edges (``\\A``, ``\\z``) become line edges; no
    class admits a newline (``\\s``, negated classes, ``\\W``, ``\\D``), so no match runs from one line into
    the next, which both keeps verdicts per line and keeps the automaton small. Bounded repeats become
    unbounded ones: Hyperscan refuses a pattern with many nested counts as too large, and the unbounded
    repeat admits more.
    """
    out: list[str] = []
    i, n = 0, len(wide)
    in_class = False
    while i < n:
        ch = wide[i]
        if ch == "\\":
            after = wide[i + 1]
            if after in "pPx" and wide.startswith("{", i + 2):
                end = wide.index("}", i) + 1
                out.append(wide[i:end])
                i = end
                continue
            if after == "s":
                out.append(_LINE_SPACE if in_class else f"[{_LINE_SPACE}]")
            elif after in "Az" and not in_class:
                out.append("^" if after == "A" else "$")
            elif after in "WD" and not in_class:
                out.append(f"[^\\n\\{after.lower()}]")
            else:
                out.append(wide[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            negated = wide.startswith("^", i + 1)
            out.append("[^\\n" if negated else "[")
            i += 2 if negated else 1
            continue
        if ch == "{":
            count = _COUNT.match(wide, i)
            if count and count[2]:  # {m,n} or {m,}
                out.append("*" if not count[1] or int(count[1]) == 0 else "+")
                i = count.end()
                continue
        out.append(ch)
        i += 1
    body = "".join(out)
    return body if searched else f"^(?:{body})$"
