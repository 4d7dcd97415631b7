"""Line rules as data: a rule is a value with a name, a kind of noise, a reason and its own examples.

A rule that exists only to match one sample line is a defect, so every rule carries examples it must
match and counterexamples (prose that looks close) it must leave alone, and checks both when it is
created. The test suite runs every rule's examples again, so a rule cannot drift from its promise.

Patterns use the ``regex`` module with a timeout: a pattern that backtracks badly on hostile input turns
into a recorded failure of one document, never a stuck run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field

import regex

#: Kinds of noise a rule may name. Stable: they are values in the ``removals`` table.
KINDS = frozenset(
    {
        "ad",
        "promo",
        "byline",
        "author_box",
        "attribution",
        "photo_credit",
        "navigation",
        "share",
        "social",
        "newsletter",
        "related",
        "footer",
        "copyright",
        "cookie",
        "comments",
        "citation_marker",
        "title",
        "metadata",
        "duplicate_line",
        "boilerplate",
        "markup",
        "counter",
        "wrap",
        "whitespace",
        "encoding",
        "duplicate_passage",
    }
)

#: Seconds a single pattern may run on one line before the document fails. Lines are short; a
#: well-formed pattern takes microseconds, so this only ever fires on catastrophic backtracking.
MATCH_TIMEOUT = 0.5

_FLAGS = regex.IGNORECASE | regex.UNICODE  # not V1: its full case folding is 8x slower


@dataclass(frozen=True)
class LineRule:
    """A regular expression that marks a whole line (or its matched span) as one kind of noise.

    ``pattern`` must match the whole line (``fullmatch``) unless ``search`` is set, in which case the
    rule fires when the pattern occurs anywhere in the line. ``max_words`` guards against long prose
    lines that merely contain the cue. With ``action="strip"`` only the matched span goes (use
    ``search`` with an anchored pattern), and ``field`` names where a lifted value goes for
    ``to_metadata`` (the pattern's ``value`` group, else the whole match).
    """

    name: str
    kind: str
    reason: str
    pattern: str
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    action: str = "drop"
    search: bool = False
    max_words: int | None = None
    languages: tuple[str, ...] = ()
    field: str | None = None
    #: Names and sentence starts need case; cue words do not.
    case_sensitive: bool = False
    compiled: regex.Pattern = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"rule {self.name}: unknown kind {self.kind!r}; use one of {sorted(KINDS)}")
        if not regex.fullmatch(r"[a-z_]+\.[a-z0-9_]+_v\d+", self.name):
            raise ValueError(f"rule {self.name!r}: names look like 'kind_group.what_v1'")
        if not self.examples or not self.counterexamples:
            raise ValueError(f"rule {self.name}: give at least one example and one counterexample")
        flags = _FLAGS & ~regex.IGNORECASE if self.case_sensitive else _FLAGS
        object.__setattr__(self, "compiled", regex.compile(self.pattern, flags))
        for text in self.examples:
            if self.match(text) is None:
                raise ValueError(f"rule {self.name}: does not match its example {text!r}")
        for text in self.counterexamples:
            if self.match(text) is not None:
                raise ValueError(f"rule {self.name}: matches its counterexample {text!r}")

    def match(self, line: str) -> regex.Match | None:
        """The match when this rule applies to ``line``, else None."""
        if self.max_words is not None and len(line.split()) > self.max_words:
            return None
        if self.search:
            return self.compiled.search(line, timeout=MATCH_TIMEOUT)
        return self.compiled.fullmatch(line, timeout=MATCH_TIMEOUT)


@dataclass
class RuleSet:
    """An ordered collection of rules; the first rule that matches a line wins.

    Trying 30 patterns on every line is the hot path of the whole tool, so the set compiles one
    alternation of all its patterns as a prefilter: a line no rule can match costs two regex calls, and
    only lines that match something are tried rule by rule, in order.
    """

    rules: list[LineRule] = dc_field(default_factory=list)
    _full: regex.Pattern | None = dc_field(default=None, init=False, repr=False)
    _search: regex.Pattern | None = dc_field(default=None, init=False, repr=False)

    def extend(self, rules: Iterable[LineRule]) -> None:
        names = {r.name for r in self.rules}
        for rule in rules:
            if rule.name in names:
                raise ValueError(f"duplicate rule name {rule.name}")
            names.add(rule.name)
            self.rules.append(rule)
        self._full = self._search = None

    def _compile(self) -> None:
        def scoped(rule: LineRule) -> str:
            return f"(?-i:{rule.pattern})" if rule.case_sensitive else f"(?:{rule.pattern})"

        full = [scoped(r) for r in self.rules if not r.search]
        found = [scoped(r) for r in self.rules if r.search]
        self._full = regex.compile("|".join(full) or "(?!)", _FLAGS)
        self._search = regex.compile("|".join(found) or "(?!)", _FLAGS)

    def could_match(self, line: str) -> bool:
        """False when no rule can match ``line``: the cheap test that skips most lines."""
        if self._full is None or self._search is None:
            self._compile()
        return (
            self._full.fullmatch(line, timeout=MATCH_TIMEOUT) is not None
            or self._search.search(line, timeout=MATCH_TIMEOUT) is not None
        )

    def first_match(self, line: str, language: str | None = None) -> tuple[LineRule, regex.Match] | None:
        if not self.could_match(line):
            return None
        for rule in self.rules:
            if rule.languages and language is not None and language not in rule.languages:
                continue
            found = rule.match(line)
            if found is not None:
                return rule, found
        return None

    def by_name(self, name: str) -> LineRule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"no rule named {name!r}; known: {', '.join(r.name for r in self.rules)}")

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


def words(*items: str) -> str:
    """An alternation of literal phrases, longest first, with spaces matching any run of whitespace."""
    escaped = sorted({regex.escape(i, literal_spaces=True).replace(" ", r"\s+") for i in items}, key=len, reverse=True)
    return "(?:" + "|".join(escaped) + ")"


def rules(*items: LineRule) -> Sequence[LineRule]:
    return items
