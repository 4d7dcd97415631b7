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

from clean.rules.prefilter import Prefilter, new_prefilter

#: Kinds of noise a rule may name. Stable: they are values in the ``removals`` table.
KINDS = frozenset(
    {
        "ad",
        "promo",
        "disclosure",
        "byline",
        "author_box",
        "about",
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

#: Lines whose verdicts a rule set remembers before it starts over.
CACHE_LINES = 1 << 16
_MISSING = object()

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
    #: Lower-case substrings one of which every match contains: a cheap test that skips the pattern on
    #: most lines. Each example must contain a cue (checked below), so a cue list cannot silently narrow a rule.
    cues: tuple[str, ...] = ()
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
        for text in self.examples:
            if self.cues and not any(c in text.lower() for c in self.cues):
                raise ValueError(f"rule {self.name}: example {text!r} contains none of its cues {self.cues}")
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

    Trying 35 patterns on every line is the hot path of the whole tool. A prefilter (a Hyperscan database
    of all the patterns, widened; see ``prefilter``) names in one pass the few rules that could match, and only those
    run their own pattern. Lines the prefilter cannot judge take the exact path: whole-line rules compiled
    into one alternation, search rules behind their cue substrings.
    """

    rules: list[LineRule] = dc_field(default_factory=list)
    _full: regex.Pattern | None = dc_field(default=None, init=False, repr=False)
    _whole: list[int] = dc_field(default_factory=list, init=False, repr=False)
    #: (rule index, its cues, its max_words): a line too long for the rule skips even the cue test.
    _cued: list[tuple[int, tuple[str, ...], int | None]] = dc_field(default_factory=list, init=False, repr=False)
    _always: list[int] = dc_field(default_factory=list, init=False, repr=False)
    _prefilter: Prefilter | None = dc_field(default=None, init=False, repr=False)
    #: Off only to compare the two paths (the tests do): verdicts must not depend on it.
    use_prefilter: bool = True
    #: Verdicts by language, then line: menus, footers and share rows repeat on every page of a site, so a corpus asks
    #: the same lines again and again.
    _cache: dict[str | None, dict[str, tuple[LineRule, regex.Match] | None]] = dc_field(
        default_factory=dict, init=False, repr=False
    )

    def __getstate__(self) -> dict:
        """Only the rules travel (to worker processes, Ray tasks); what is compiled from them is rebuilt there.
        Compiled automata and remembered matches cannot be pickled, and would be stale in another process anyway."""
        return {"rules": self.rules, "use_prefilter": self.use_prefilter}

    def __setstate__(self, state: dict) -> None:
        self.__init__(rules=list(state["rules"]), use_prefilter=state["use_prefilter"])

    def forget(self, *, automata: bool = True) -> None:
        """Drop the remembered verdicts, and (``automata``) what the prefilter's automata learned from the lines
        they saw: nothing for Hyperscan's, compiled ahead of time, but RE2's sets build their states lazily."""
        self._cache.clear()
        if automata and self._prefilter is not None:  # rebuilt now, not on the next line: compiling is no line's cost
            self._prefilter = self._new_prefilter()

    def extend(self, rules: Iterable[LineRule]) -> None:
        names = {r.name for r in self.rules}
        for rule in rules:
            if rule.name in names:
                raise ValueError(f"duplicate rule name {rule.name}")
            names.add(rule.name)
            self.rules.append(rule)
        self._full = None
        self._cache.clear()

    def _compile(self) -> None:
        def scoped(rule: LineRule) -> str:
            return f"(?-i:{rule.pattern})" if rule.case_sensitive else f"(?:{rule.pattern})"

        self._whole = [i for i, r in enumerate(self.rules) if not r.search and not r.cues]
        self._cued = [(i, r.cues, r.max_words) for i, r in enumerate(self.rules) if r.cues]
        self._always = [i for i, r in enumerate(self.rules) if r.search and not r.cues]
        # Alternatives are tried in order, so the group that matched names the first whole-line rule that does.
        full = [f"(?P<r{i}>{scoped(self.rules[i])})" for i in self._whole]
        self._full = regex.compile("|".join(full) or "(?!)", _FLAGS)
        self._prefilter = self._new_prefilter() if self.use_prefilter else None

    def _new_prefilter(self) -> Prefilter:
        return new_prefilter([(r.pattern, r.search, r.case_sensitive) for r in self.rules])

    def first_match(self, line: str, language: str | None = None) -> tuple[LineRule, regex.Match] | None:
        """The first rule, in order, that matches ``line``, with its match.

        The prefilter names the rules that could match; each of those, in order, runs its own pattern (with
        its word cap and languages), and the first that matches decides. Verdicts are remembered per line.
        """
        return self.first_matches((line,), language)[0]

    def first_matches(
        self, lines: Sequence[str], language: str | None = None
    ) -> list[tuple[LineRule, regex.Match] | None]:
        """``first_match`` of each line of a page, in one call: lines not remembered are judged together, so
        the prefilter can scan the page once (see ``Prefilter.candidates_many``)."""
        cache = self._cache.get(language)
        if cache is None:
            cache = self._cache[language] = {}
        remembered = cache.get
        out = [remembered(line, _MISSING) for line in lines]
        if _MISSING not in out:
            return out
        new = list(dict.fromkeys(line for line, found in zip(lines, out, strict=True) if found is _MISSING))
        if sum(map(len, self._cache.values())) + len(new) > CACHE_LINES:
            for each in self._cache.values():
                each.clear()
        cache.update(zip(new, self._judge(new, language), strict=True))
        return [cache[line] if found is _MISSING else found for line, found in zip(lines, out, strict=True)]

    def _judge(self, lines: list[str], language: str | None) -> list[tuple[LineRule, regex.Match] | None]:
        if self._full is None:
            self._compile()
        if self._prefilter is None:
            return [self._first_match_exact(line, language) for line in lines]
        return [
            self._first_match_exact(line, language) if found is None else
            (self._first_of(found, line, language) if found else None)
            for line, found in zip(lines, self._prefilter.candidates_many(lines), strict=True)
        ]

    def _first_match(self, line: str, language: str | None) -> tuple[LineRule, regex.Match] | None:
        """One line judged on its own (no page scan): the tests compare it with the exact path."""
        if self._full is None:
            self._compile()
        candidates = self._prefilter.candidates(line) if self._prefilter is not None else None
        if candidates is None:
            return self._first_match_exact(line, language)
        return self._first_of(candidates, line, language) if candidates else None

    def _first_match_exact(self, line: str, language: str | None) -> tuple[LineRule, regex.Match] | None:
        """Every rule that could match, found without the prefilter (long lines, or when it cannot answer)."""
        candidates = list(self._always)
        whole = self._full.fullmatch(line, timeout=MATCH_TIMEOUT)
        if whole is not None:
            first = int(whole.lastgroup[1:]) if whole.lastgroup and whole.lastgroup[0] == "r" else self._whole[0]
            # Rules after the first one to match the bare pattern may still be needed when it fails
            # its max_words or language guard, so every later whole-line rule stays a candidate.
            candidates.extend(i for i in self._whole if i >= first)
        if self._cued:
            low = line.lower()
            n_words = len(line.split())
            candidates.extend(
                i for i, cues, cap in self._cued if (cap is None or n_words <= cap) and any(c in low for c in cues)
            )
        return self._first_of(sorted(candidates), line, language)

    def _first_of(
        self, candidates: Iterable[int], line: str, language: str | None
    ) -> tuple[LineRule, regex.Match] | None:
        """The first of ``candidates`` (rule indices, in rule order) whose rule applies to ``line``, with its match."""
        for i in candidates:
            rule = self.rules[i]
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
    """An alternation of literal phrases, built as a trie so the engine never retries a shared prefix.

    Rules list dozens of labels each; as a flat alternation the regex engine tries them one by one at every
    position (measured: 20-35 µs a line for the whole rule set), as a trie it follows one branch. Spaces in a
    phrase match any run of whitespace. Matching is case-insensitive, so phrases are folded to lower case.
    """
    trie: dict = {}
    for item in items:
        node = trie
        for ch in item.lower():
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    ends = "" in node
    branches = []
    for ch in sorted(k for k in node if k):
        atom = r"\s+" if ch == " " else regex.escape(ch)
        branches.append(atom + _trie_pattern(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


def rules(*items: LineRule) -> Sequence[LineRule]:
    return items
