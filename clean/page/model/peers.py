"""What other extractors kept of an HTML page, as features of each line: the page model learns when to trust which.

A peer's verdict on a line is read from its output text, not from its DOM: whether the line's words stand in
that output in the same order (as a run of words, and as a whole line of it), and which share of the line's
word triples it holds. Comparing words (casefolded ``\\w+`` tokens) rather than strings makes the verdict
indifferent to how each tool breaks lines and spaces inline elements.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

_WORD = re.compile(r"\w+")
#: Per peer: the line's words stand in its output as a run, the share of the line's word triples it holds,
#: the line is one of its lines, the same share on the line above and below, and the share of the page's
#: lines the peer keeps (how much of the page it took: a peer that kept everything says little).
PER_PEER = ("run", "triples", "line", "triples@-1", "triples@+1", "page_share")


@dataclass(frozen=True, slots=True)
class PeerText:
    """A peer's output, indexed for the questions ``verdicts`` asks."""

    joined: str
    triples: frozenset[tuple[str, str, str]]
    lines: frozenset[str]
    #: Verdicts already given, by line: the page model's rounds ask again about the lines that survive.
    memo: dict[str, tuple[float, float, float]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, text: str) -> PeerText:
        words = _WORD.findall(text.casefold())
        return cls(
            " " + " ".join(words) + " ",
            frozenset(zip(words, words[1:], words[2:], strict=False)),
            frozenset(" ".join(_WORD.findall(line.casefold())) for line in text.splitlines()),
        )


def names(peers: Sequence[str]) -> tuple[str, ...]:
    """The feature names for these peers, in ``verdicts``' column order."""
    return tuple(f"{peer}_{what}" for peer in peers for what in PER_PEER)


def verdicts(lines: Sequence[str], peers: Sequence[PeerText]) -> np.ndarray:
    """One row per line, ``len(PER_PEER)`` columns per peer (see ``PER_PEER``)."""
    n = len(lines)
    out = np.zeros((n, len(PER_PEER) * len(peers)), dtype=np.float64)
    if not n:
        return out
    for j, peer in enumerate(peers):
        col = j * len(PER_PEER)
        memo = peer.memo
        rows = [memo[line] if line in memo else memo.setdefault(line, _verdict(line, peer)) for line in lines]
        out[:, col : col + 3] = rows
        triples = out[:, col + 1]
        out[1:, col + 3] = triples[:-1]
        out[:-1, col + 4] = triples[1:]
        out[:, col + 5] = out[:, col].mean()
    return out


def _verdict(line: str, peer: PeerText) -> tuple[float, float, float]:
    """Whether the line's words stand as a run in the peer's output, the share of its word triples there, and
    whether it is one of the peer's lines (all 0 for a line without words)."""
    s, grams = _words(line)
    if not s:
        return 0.0, 0.0, 0.0
    run = 1.0 if f" {s} " in peer.joined else 0.0
    triples = sum(g in peer.triples for g in grams) / len(grams) if grams else run
    return run, triples, 1.0 if s in peer.lines else 0.0


@functools.lru_cache(maxsize=1 << 14)
def _words(line: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """A line's words joined by spaces and its word triples: the same for every peer, so tokenised once."""
    ws = _WORD.findall(line.casefold())
    return " ".join(ws), tuple(zip(ws, ws[1:], ws[2:], strict=False))
