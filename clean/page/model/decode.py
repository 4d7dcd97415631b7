"""Turn per-line probabilities into contiguous keep/drop spans: a two-state hidden Markov chain, decoded whole.

Content comes in runs (an article's paragraphs) and so does boilerplate (a menu, a footer), so a line is
judged with its neighbours: Viterbi finds the most probable sequence of states given the classifier's
posteriors (turned into scaled likelihoods by dividing out the class prior, the hybrid HMM of speech
recognition) and the transition probabilities counted on the training pages. A short sub-heading between
two paragraphs stays; a lone sentence-like line inside a menu goes. Nothing is tuned by hand.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Probabilities are kept off 0 and 1 so that one confident line cannot make a state impossible.
EPS = 1e-4


@dataclass(frozen=True)
class Chain:
    """Transition log-probabilities between drop (0) and keep (1), the start's, and the class prior."""

    start: tuple[float, float]
    trans: tuple[tuple[float, float], tuple[float, float]]
    prior: float

    @classmethod
    def count(cls, sequences: Sequence[Sequence[bool]], smoothing: float = 1.0) -> Chain:
        """Estimate the chain from label sequences (one per page), with add-``smoothing`` counts."""
        start = [smoothing, smoothing]
        pairs = [[smoothing, smoothing], [smoothing, smoothing]]
        ones = total = 0
        for seq in sequences:
            if not seq:
                continue
            start[int(seq[0])] += 1
            for a, b in itertools.pairwise(seq):
                pairs[int(a)][int(b)] += 1
            ones += sum(seq)
            total += len(seq)
        s = sum(start)
        rows = [sum(row) for row in pairs]
        return cls(
            start=(math.log(start[0] / s), math.log(start[1] / s)),
            trans=tuple(tuple(math.log(pairs[a][b] / rows[a]) for b in (0, 1)) for a in (0, 1)),  # type: ignore[arg-type]
            prior=ones / total if total else 0.5,
        )

    def as_dict(self) -> dict:
        return {"start": list(self.start), "trans": [list(row) for row in self.trans], "prior": self.prior}

    @classmethod
    def from_dict(cls, d: dict) -> Chain:
        return cls(tuple(d["start"]), tuple(tuple(r) for r in d["trans"]), float(d["prior"]))  # type: ignore[arg-type]


def viterbi(probs: Sequence[float], chain: Chain, bias: float = 0.0, stickiness: float = 1.0) -> list[bool]:
    """The most probable keep (True) / drop sequence for lines whose classifier gives P(keep) = ``probs``.

    ``bias`` is added to every keep emission (log scale): above 0 keeps doubtful lines, below drops them.
    ``stickiness`` scales the transition log-probabilities: 1 is the chain as counted, under 1 lets the
    scores of a few lines change state more easily (both are chosen by cross-validation, see ``train``).
    """
    if not len(probs):
        return []
    log_prior = (math.log(1 - chain.prior), math.log(chain.prior))
    (t00, t01), (t10, t11) = ((a * stickiness for a in row) for row in chain.trans)
    back: list[tuple[int, int]] = []
    s0 = s1 = 0.0
    for i, raw in enumerate(probs):
        p = min(max(float(raw), EPS), 1 - EPS)
        e0 = math.log(1 - p) - log_prior[0]
        e1 = math.log(p) - log_prior[1] + bias
        if i == 0:
            s0, s1 = chain.start[0] * stickiness + e0, chain.start[1] * stickiness + e1
            continue
        from0, from1 = s0 + t00, s1 + t10
        to0 = 0 if from0 >= from1 else 1
        n0 = max(from0, from1) + e0
        from0, from1 = s0 + t01, s1 + t11
        to1 = 0 if from0 >= from1 else 1
        n1 = max(from0, from1) + e1
        back.append((to0, to1))
        s0, s1 = n0, n1
    state = 1 if s1 > s0 else 0
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return [bool(s) for s in path]


#: Share of the kept prose that must come before a section boundary for the boundary to end the article.
BOUNDARY_AFTER = 0.5


def end_at_boundary(
    keep: Sequence[bool], boundaries_above: Sequence[float], prose_words: Sequence[float]
) -> list[bool]:
    """Drop every kept line after the first section boundary (a "Related" or comments header, a footer's
    copyright line: what the rules mark as ``zones.BOUNDARY_RULES``) that follows most of the kept prose.

    The zone scorer's rule, kept as a step after decoding: a page's own structure says where its article
    ends, and a newsletter pitch or a comment thread after the footer reads as prose line by line.
    ``boundaries_above`` counts, for each line, the boundaries above it; ``prose_words`` is a line's words
    when it is prose, else 0.
    """
    kept = [i for i, k in enumerate(keep) if k]
    total = sum(prose_words[i] for i in kept)
    seen = 0.0
    previous = None
    out = list(keep)
    for i in kept:
        if previous is not None and boundaries_above[i] > boundaries_above[previous] and seen >= BOUNDARY_AFTER * total:
            for j in range(i, len(out)):
                out[j] = False
            return out
        seen += prose_words[i]
        previous = i
    return out
