"""RE2 for widened patterns: its options, a fast "where does the first match start", and the date locator.

RE2 runs in linear time and reports where a match starts without building a match object; ``locator`` uses it to
skip the part of a text where a large alternation cannot match, ``re2sets`` to run widened patterns as sets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from clean.rules.widen import Unsupported, scoped, widen

try:  # a hard dependency; the exact path still works without it (tests compare the two)
    import re2
except ImportError:  # pragma: no cover - only on platforms without a google-re2 wheel
    re2 = None

#: Automaton memory of the date locator; lines are short, so this is never reached by real text.
MAX_MEM = 64 << 20

def locator(pattern: str) -> Callable[[str], int | None] | None:
    """For a ``regex`` pattern matched case-insensitively: a function giving the first position at which it
    can match in a text (None: nowhere), or None when RE2 cannot take the pattern.

    Searching with the ``regex`` pattern from that position finds the same first match as searching from
    the start, since no match starts earlier (the widened pattern would have matched there), and it skips
    the scan of every earlier position, which is what costs with large alternations.
    """
    if re2 is None:
        return None
    options_ = options()
    options_.never_capture = True  # only where a match starts is wanted: RE2 finds it without submatches
    try:
        first_start_ = first_start(re2.compile(scoped(widen(pattern), False), options_))
    except (Unsupported, re2.error):
        return None

    def first(text: str) -> int | None:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the regex module scan from the start
            return 0
        start = first_start_(data, 0)
        if start < 0:
            return None
        return start if len(data) == len(text) else len(data[:start].decode("utf-8"))

    return first


def first_start(compiled) -> Callable[[bytes, int], int]:
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

    def start(data: bytes, pos: int) -> int:
        return match(anchor, data, pos, len(data))[0][0]

    return start


def options():
    """RE2's options for widened patterns: case kept (``scoped`` wraps what ignores it), errors raised (not
    logged to stderr)."""
    opts = re2.Options()
    opts.case_sensitive = True
    opts.max_mem = MAX_MEM
    opts.log_errors = False
    return opts


def page_bytes(lines: Sequence[str]) -> bytes | None:
    """A page's lines joined by newlines, as UTF-8, for one scan of them all; None when a line cannot be read
    that way (a lone surrogate is not UTF-8; a line holding a newline would shift every later line)."""
    try:
        data = "\n".join(lines).encode("utf-8")
    except UnicodeEncodeError:
        return None
    return data if data.count(b"\n") == len(lines) - 1 else None
