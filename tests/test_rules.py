"""Every line rule keeps its promise: it matches its examples and leaves its counterexamples alone."""

from __future__ import annotations

import pytest

from clean.rules import KINDS, default_rules
from clean.rules.base import LineRule

RULES = list(default_rules())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_examples(rule: LineRule) -> None:
    assert rule.kind in KINDS
    for text in rule.examples:
        assert rule.match(text) is not None, f"{rule.name} misses its example {text!r}"
    for text in rule.counterexamples:
        assert rule.match(text) is None, f"{rule.name} matches its counterexample {text!r}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_ruleset_agrees_with_each_rule(rule: LineRule) -> None:
    """The combined prefilter must never hide a line that a rule matches on its own."""
    ruleset = default_rules()
    for text in rule.examples:
        hit = ruleset.first_match(text)
        assert hit is not None, f"the rule set misses {text!r} that {rule.name} matches"


def test_issue_variants_are_caught_and_close_prose_is_kept() -> None:
    ruleset = default_rules()
    noise = {
        "Source: Reuters": "attribution",
        "Photo: John Smith/Getty Images": "photo_credit",
        "By Jane Doe, Staff Writer": "byline",
        "Follow us on Twitter": "social",
        "Subscribe to our newsletter": "newsletter",
        "Advertisement": "ad",
        "Related:": None,
        "© 2024 X. All rights reserved.": "copyright",
    }
    for text, kind in noise.items():
        hit = ruleset.first_match(text)
        assert hit is not None, text
        if kind:
            assert hit[0].kind == kind, (text, hit[0].name)
    for prose in ("Sources said the deal was off.", "The ad market grew 8% in May.",
                  "By the end of the year the company had hired 300 people.",
                  "Share prices in Europe fell for a third day on Tuesday."):
        assert ruleset.first_match(prose) is None, prose


def test_rule_definition_checks_itself() -> None:
    with pytest.raises(ValueError, match="does not match its example"):
        LineRule(name="ad.test_v1", kind="ad", reason="r", pattern="advert", examples=("Advertisement",),
                 counterexamples=("x",))
    with pytest.raises(ValueError, match="matches its counterexample"):
        LineRule(name="ad.test_v1", kind="ad", reason="r", pattern=".*", examples=("Ad",),
                 counterexamples=("The ad market grew.",))
    with pytest.raises(ValueError, match="unknown kind"):
        LineRule(name="ad.test_v1", kind="nonsense", reason="r", pattern="Ad", examples=("Ad",),
                 counterexamples=("x",))


def test_rule_names_are_unique_and_versioned() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert all(n.rsplit("_v", 1)[1].isdigit() for n in names)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_is_linear_on_hostile_input(rule: LineRule) -> None:
    """100 KB of input built to make backtracking patterns explode must come back quickly or time out."""
    hostile = [
        "a" * 100_000,
        ("By " + "Jane " * 20_000)[:100_000],
        ("x / " * 30_000)[:100_000],
        ("http://" + "a." * 50_000)[:100_000],
        ("(" * 50_000 + ")" * 50_000),
        ("Photo: " + "a/" * 50_000)[:100_000],
        (" " * 99_999) + "!",
    ]
    # The regex module's timeout is the production guard; a linear pattern never comes near it, a
    # catastrophically backtracking one (exponential on these inputs) always does.
    for text in hostile:
        try:
            rule.compiled.fullmatch(text, timeout=5.0) if not rule.search else rule.compiled.search(text, timeout=5.0)
        except TimeoutError:
            pytest.fail(f"{rule.name} backtracks on hostile input {text[:20]!r}...")
