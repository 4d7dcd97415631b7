"""The line rules, grouped in modules by kind of noise, assembled in the order they are tried."""

from __future__ import annotations

from clean.rules import ads, bylines, footers, navigation
from clean.rules.base import KINDS, LineRule, RuleSet

__all__ = ["KINDS", "LineRule", "RuleSet", "default_rules"]


def default_rules() -> RuleSet:
    """Every built-in rule. Bylines come first so an author is lifted before any broader rule drops the line."""
    ruleset = RuleSet()
    for module in (bylines, ads, footers, navigation):
        ruleset.extend(module.RULES)
    return ruleset
