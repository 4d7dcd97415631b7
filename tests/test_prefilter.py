"""The rule prefilter may only ever admit more lines than the rules match, never fewer.

Verdicts with and without it must be identical (rule, span), on rule examples, on real pages and on
generated text; every built-in rule must be in the prefilter's scanner (else it silently costs every line).
Widened patterns feed two engines, Hyperscan (the prefilter) and RE2 (the date locator): both are checked.
"""

from __future__ import annotations

import gzip
import json

import pytest
import regex
from conftest import SEEDS, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

from clean.rules import default_rules
from clean.rules.prefilter import Prefilter
from clean.rules.re2match import options as _options
from clean.rules.re2match import re2
from clean.rules.scanner import Scanner, hyperscan
from clean.rules.widen import Unsupported, core, expression, scoped, widen

pytestmark = pytest.mark.skipif(hyperscan is None or re2 is None, reason="hyperscan or google-re2 is not installed")

LANGUAGES = (None, "en", "de", "fr")


def _verdict(ruleset, line: str, language: str | None):
    hit = ruleset._first_match(line, language)
    return None if hit is None else (hit[0].name, hit[1].span(), hit[1].groupdict().get("value"))


FAST = default_rules()
EXACT = default_rules()
EXACT.use_prefilter = False


def _on_re2_sets():
    """The built-in rules behind the fallback prefilter, as machines without a Hyperscan wheel run them."""
    from clean.rules.re2sets import Re2Prefilter

    ruleset = default_rules()
    ruleset._compile()
    ruleset._prefilter = Re2Prefilter([(r.pattern, r.search, r.case_sensitive) for r in ruleset.rules])
    return ruleset


FAST_RE2 = _on_re2_sets()


def _assert_same(lines) -> int:
    """Each line judged alone, and the lines judged as one page (the page scan), against the exact path."""
    hits = 0
    for language in LANGUAGES:
        for fast in (FAST, FAST_RE2):
            fast.forget(automata=False)
            page = fast.first_matches(lines, language)
            for line, together in zip(lines, page, strict=True):
                want = _verdict(EXACT, line, language)
                assert _verdict(fast, line, language) == want, (line, language)
                assert (together and (together[0].name, together[1].span(), together[1].groupdict().get("value"))) == want
                hits += want is not None and fast is FAST
    return hits


def test_every_builtin_rule_is_in_the_scanner() -> None:
    ruleset = default_rules()
    ruleset._compile()
    assert ruleset._prefilter.unfiltered == []
    assert ruleset._prefilter._scanner.refused == ()
    assert FAST_RE2._prefilter.unfiltered == [] and len(FAST_RE2._prefilter._matchers) == 2


def test_lines_the_re2_sets_cannot_judge_take_the_exact_path() -> None:
    """An automaton that gives up returns no indices; the sentinel tells that from 'no rule matches'."""
    ruleset = _on_re2_sets()
    prefilter = ruleset._prefilter
    prefilter._matchers = [(lambda data: [], ids, index, searched) for _, ids, index, searched in prefilter._matchers]
    assert prefilter.candidates("Follow us on Twitter") is None
    hit = ruleset.first_match("Follow us on Twitter")
    assert hit is not None and hit[0].kind == "social"
    long_line = "Follow us on Twitter " + "word " * 2000
    assert prefilter.candidates(long_line) is None


def test_same_verdicts_on_rule_examples_and_counterexamples() -> None:
    lines = [t for rule in default_rules() for t in (*rule.examples, *rule.counterexamples)]
    assert _assert_same(lines) >= sum(len(r.examples) for r in default_rules())


def test_same_verdicts_on_the_seed_pages() -> None:
    lines = [x.strip() for p in sorted(SEEDS.glob("*.txt")) for x in p.read_text(encoding="utf-8").splitlines()]
    assert _assert_same([x for x in lines if x]) > 10


def test_same_verdicts_on_the_dev_pages() -> None:
    folder = shared_path("eval", "news-pages", "text")
    lines = {x.strip() for p in sorted(folder.glob("*.txt")) for x in p.read_text(encoding="utf-8").splitlines()}
    assert _assert_same(sorted(x for x in lines if x)) > 500


def test_same_verdicts_on_news_paragraphs() -> None:
    path = shared_path("eval", "dedup", "bbc_paras.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(2000), fh, strict=False)]
    _assert_same([x for t in texts for x in t.splitlines() if x.strip()])


# Text made of the rules' own words, punctuation and scripts, so that near-misses are common.
_PIECES = st.sampled_from(
    ["By", "by", "Jane", "Doe", "Share", "Follow", "us", "on", "Twitter", "Reuters", "/", "Getty", "Images", "©",
     "2024", "All", "rights", "reserved", "Source", ":", "Photo", "newsletter", "subscribe", "cookies", "12",
     "comments", "Advertisement", "Read", "more", "·", "|", "-", "—", "(", ")", ".", "?", "Über", "ß", "Straße",
     "é", "İstanbul", "ǅ", "ﬁ", "K", "ſ", "١٢", "\u00a0", "\u2009", "\u200b", "www.example.com", "@news",
     "Tags", "Home", "»", "Related", "video", "min", "read", "ago", "hours", "von", "par", "et", "and"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=12), st.sampled_from([" ", "", "  "]))
def test_same_verdicts_on_generated_lines(pieces: list[str], sep: str) -> None:
    _assert_same([sep.join(pieces)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=8).map(" ".join), min_size=2, max_size=8))
def test_same_verdicts_on_generated_pages(lines: list[str]) -> None:
    """Several generated lines scanned as one page (empty lines among them): every match must land on the
    line it belongs to, whatever its neighbours hold."""
    _assert_same(lines)


def test_lines_the_scanner_cannot_read_take_the_exact_path() -> None:
    """A lone surrogate is not UTF-8 and a newline would end the line early: such lines are judged by
    trying every rule, and still get their verdict. A very long line is scanned like any other."""
    ruleset = default_rules()
    ruleset._compile()
    prefilter = ruleset._prefilter
    for line in ("Follow us on Twitter \ud800", "Follow us on Twitter\nnow"):
        assert prefilter.candidates(line) is None
    assert _verdict(ruleset, "Follow us on Twitter \ud800", "en") == _verdict(EXACT, "Follow us on Twitter \ud800", "en")
    hit = ruleset.first_match("Follow us on Twitter \ud800")
    assert hit is not None and hit[0].kind == "social"
    long_line = "Follow us on Twitter " + "word " * 2000
    assert prefilter.candidates(long_line) == [ruleset.rules.index(ruleset.by_name("social.follow_v1"))]
    assert _verdict(ruleset, long_line, "en") == _verdict(EXACT, long_line, "en")


@pytest.mark.parametrize(
    ("pattern", "inside", "outside"),
    [
        (r"\bby\b", ["by"], ["xbyx"]),
        (r"foo(?!bar)", ["foo"], ["fo"]),
        (r"(?<=\d)x", ["x"], ["y"]),
        (r"\d+", ["١٢", "12"], ["x"]),  # Unicode digits, as regex's \d
        (r"a\sb", ["a\u00a0b", "a\u2009b", "a b"], ["ab"]),
        (r"\w+", ["Straße", "ǅ", "ा"], ["!"]),
        (r"(?-i:\p{Lu}x)", ["Ax", "Éx"], ["1x", "ax"]),  # case kept where the pattern keeps it
        (r"\p{Lu}x", ["Ax", "ax"], ["1x"]),  # where case is ignored, a cased letter is any letter
        (r"a{2,300}", ["aa", "a" * 500], ["b"]),
        (r"x{,3}y", ["y", "xxxy"], []),
        (r"\u2019s", ["’s"], ["'s"]),
        (r"[\w.-]+@", ["a.b-c@"], ["@"]),
        # ASCII exactly, anything beyond ASCII; inside a negated class only the ASCII part is left out.
        (r"[^\w\s]", ["—", "!", "é"], ["a", " ", "_", "7", "\u00a0"]),  # spaces stay exact
        (r"\p{L}+", ["abc", "Жж", "漢字"], ["1", " ", "-"]),
        (r"[^\d]x", ["ax", "١x"], ["1x"]),
        (r"a[^\S\n]b", ["a b", "a\u00a0b"], ["axb"]),  # RE2's \S is ASCII: negated, it must not narrow
    ],
)
@pytest.mark.parametrize("engine", ["hyperscan", "re2"])
def test_widen_admits_at_least_what_regex_matches(pattern: str, inside: list[str], outside: list[str], engine: str) -> None:
    """``inside``: texts the widened pattern must match whole (regex's Unicode classes, dropped assertions);
    ``outside``: texts it still refuses, so widening is not "match anything"."""
    fullmatch = _fullmatcher(scoped(widen(pattern), case_sensitive=False), engine)
    strict = regex.compile(pattern, regex.IGNORECASE)
    for text in inside:
        assert fullmatch(text), (pattern, text)
    for text in outside:
        assert not fullmatch(text), (pattern, text)
    for text in (*inside, *outside):
        assert strict.fullmatch(text) is None or fullmatch(text), (pattern, text)


def _fullmatcher(wide: str, engine: str):
    """Whether a text matches ``wide`` whole, as the prefilter's scanner or the date locator's RE2 runs it."""
    if engine == "re2":
        compiled = re2.compile(wide, _options())
        return lambda text: compiled.fullmatch(text) is not None
    scanner = Scanner([expression(wide, searched=False)], [0])
    return lambda text: bool(scanner.scan(text.encode("utf-8")))


def test_widening_keeps_case_where_the_rule_does() -> None:
    """A case-sensitive name pattern widened case-insensitively admitted every line starting "after"."""
    pattern = r"(?i:by|af)\s*(?P<value>\p{Lu}\p{L}+)"
    for engine in ("hyperscan", "re2"):
        kept = _fullmatcher(scoped(widen(pattern, case_sensitive=True), True), engine)
        assert kept("By Jane") and kept("af Åsa")
        assert not kept("after") and not kept("by jane")
        assert _fullmatcher(scoped(widen(pattern), False), engine)("after")


def test_widen_refuses_what_it_cannot_translate() -> None:
    for pattern in (r"(a)\1", r"(?x) a b", r"\N{BULLET}", r"[[:alpha:]]"):
        with pytest.raises(Unsupported):
            widen(pattern)


def test_core_keeps_a_literal_run_of_each_alternative() -> None:
    assert core(widen(r"(?:\bsign up\b.{0,80}\bnewsletters?\b|\benter your e-?mail\b)")) == (
        "(?:(?:newsletters?|enter your e-?mail))"
    )
    # A line holding the whole pattern holds its core: the cut only ever widens.
    cut = Scanner([expression(scoped(core(widen(r"(?:[/(|]|\bvia\s)\s*[^.]{0,60}(?:getty|reuters)\)?\.?$")), False),
                              searched=True)], [0])
    assert cut.scan(b"Photo (via Getty).")


def test_a_used_rule_set_pickles_and_judges_the_same() -> None:
    """Worker processes and Ray tasks receive rule sets by pickle: RE2 sets and remembered regex matches
    cannot travel, so only the rules do and the rest is rebuilt on the other side."""
    import pickle

    ruleset = default_rules()
    lines = ["Share this article", "Photo: Jane Doe/Reuters", "The council met on Monday.", "© 2024 Example Inc."]
    before = [_verdict(ruleset, x, "en") for x in lines]
    ruleset.first_match("Share this article")  # remembered: a regex match in the cache
    copy = pickle.loads(pickle.dumps(ruleset))
    assert [_verdict(copy, x, "en") for x in lines] == before
    assert copy._cache == {} and len(copy) == len(ruleset)


def test_first_matches_is_first_match_of_each_line() -> None:
    lines = [t for rule in default_rules() for t in (*rule.examples[:1], *rule.counterexamples[:1])]
    one_by_one = [_verdict(default_rules(), x, "en") for x in lines]
    batch = default_rules().first_matches(lines, "en")
    assert [None if h is None else (h[0].name, h[1].span(), h[1].groupdict().get("value")) for h in batch] == one_by_one


def test_page_scan_flags_what_each_line_alone_would() -> None:
    """The scan runs over a page's lines joined by newlines: text edges must become line edges, no match may
    run from one line into the next, and a page it cannot read faithfully (a line holding a newline, a lone
    surrogate) is judged line by line."""
    prefilter = Prefilter([
        (r"\Afollow us\b", True, False), (r"(?:share|tweet)\Z", True, False), (r"menu", False, False),
        (r"(?:more|next)\s+stories", False, False), (r"[^.]+ newsletter", True, False), (r"\W+", False, False),
    ])
    lines = ["Follow us on X", "nothing here", "x follow us", "Please share", "share it", "menu", "follow us",
             "more", "stories", "The", "newsletter", "", "--", "¶"]
    want = [sorted(c) for c in (prefilter.candidates(x) for x in lines)]
    assert want == [[0], [], [], [1], [], [2], [0], [], [], [], [], [], [5], [5]]
    assert [sorted(c) for c in prefilter.candidates_many(lines)] == want
    for odd in (["Follow us\nshare", "share", "Follow us"], ["a\ud800b share", "Follow us"]):
        assert prefilter.candidates_many(odd) == [prefilter.candidates(x) for x in odd]
    from clean.rules.re2sets import Re2Prefilter

    sets = Re2Prefilter([
        (r"\Afollow us\b", True, False), (r"(?:share|tweet)\Z", True, False), (r"menu", False, False),
        (r"(?:more|next)\s+stories", False, False), (r"[^.]+ newsletter", True, False), (r"\W+", False, False),
    ])
    assert sets._scan is not None
    assert [sorted(c) for c in sets.candidates_many(lines)] == want
