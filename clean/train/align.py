"""Which lines of a page a person marked as content: the gold text aligned to the page's lines.

Gold texts are plain text with their own line breaks, spacing and sometimes lost characters (``?`` for
non-ASCII letters in one set), so lines cannot be matched by equality. Both sides are turned into word
tokens (casefolded ``\\w+``, scripts without spaces one character a token) and aligned in order with
difflib's longest-matching-blocks algorithm: a token of the page is content when it falls inside a matched
block of at least ``MIN_RUN`` tokens, or inside a shorter block that is a whole line on both sides (a
sub-heading of two words; a menu's "World" matched to a "world" inside a gold sentence is not). A line is
content when at least half of its tokens are. Aligning in order, not by set membership, is what keeps the
second "Share" or a menu word that the article also uses from being taken for content.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import regex

_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]|[^\W\p{Han}\p{Hiragana}\p{Katakana}]+")
#: Matched runs shorter than this are chance agreement between a menu and the article ("the news").
MIN_RUN = 3
#: Share of a line's tokens that must be matched for the line to count as content.
LINE_SHARE = 0.5


def tokens(text: str) -> list[str]:
    """Casefolded word tokens; each Han or kana character is a token of its own."""
    return [t.casefold() for t in _TOKEN.findall(text)]


def align(lines: Sequence[str], gold: str) -> list[float]:
    """For each line, the share of its tokens that the gold text holds at the aligned place (0.0 to 1.0).

    A line without a word token scores 0.0 (a rule of dashes is never content).
    """
    per_line = [tokens(line) for line in lines]
    page = [t for toks in per_line for t in toks]
    owner = [i for i, toks in enumerate(per_line) for _ in toks]
    per_gold = [tokens(line) for line in gold.splitlines()]
    gold_tokens = [t for toks in per_gold for t in toks]
    gold_owner = [i for i, toks in enumerate(per_gold) for _ in toks]
    matched = [False] * len(page)
    if page and gold_tokens:
        matcher = difflib.SequenceMatcher(None, page, gold_tokens, autojunk=False)
        for a, b, size in matcher.get_matching_blocks():
            if size == 0:
                continue
            if size >= MIN_RUN or (_whole(owner, a, size) and _whole(gold_owner, b, size)):
                for k in range(a, a + size):
                    matched[k] = True
    shares = [0.0] * len(lines)
    counts = [0] * len(lines)
    for k, i in enumerate(owner):
        counts[i] += 1
        if matched[k]:
            shares[i] += 1
    return [shares[i] / counts[i] if counts[i] else 0.0 for i in range(len(lines))]


def _whole(owner: list[int], start: int, size: int) -> bool:
    """Tokens ``start`` to ``start + size`` make up whole lines (by ``owner``, each token's line)."""
    end = start + size
    return (start == 0 or owner[start - 1] != owner[start]) and (end == len(owner) or owner[end] != owner[end - 1])


def labels(lines: Sequence[str], gold: str) -> list[bool]:
    """Content (True) or not for each line: at least ``LINE_SHARE`` of its tokens aligned to the gold."""
    return [share >= LINE_SHARE for share in align(lines, gold)]
