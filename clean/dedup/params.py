"""Dedup parameters: the caller states an intent (a similarity threshold); everything else follows from it.

Where each default came from (measured with ``benchmarks/dedup_quality.py`` on ``../shared/eval/dedup``):

- ``threshold=0.5``: a candidate pair is a duplicate when its estimated Jaccard similarity is at least this.
  It is the tool's documented intent ("half the shingles in common") and, with the shingling below, the
  point where precision on both labelled sets is 1.000 while recall stays at 0.97-0.98.
- ``ngram=3``: word 3-grams rather than the usual 5. A swapped word breaks n shingles and a dropped
  sentence breaks n-1 at its seam, so short shingles keep edited copies similar: with exact Jaccard >= 0.5
  on bbc_docs, 5-grams reach pair F1 0.946, 4-grams 0.97, 3-grams 0.985, with no loss of precision.
- ``min_line_words=8``: a document is shingled line by line (one paragraph per line; no shingle spans a
  line break) and lines under 8 words are skipped, unless no line is that long. Site chrome (menus,
  "Skip to content", share rows) is short lines; the same 8 words make a passage (``passages``). On
  bbc_docs this lifts pair F1 at 0.5 from 0.978 to 0.987 and precision at 0.4 from 0.96 to 0.99.
- ``num_perm=128``, ``seed=1``: datasketch's defaults, so signatures interoperate (``to_datasketch``).
  The standard error of an estimate at J=0.5 is sqrt(0.25/128) = 0.044.
- bands x rows: from datasketch's ``_optimal_param`` with false negatives weighted 19:1 over false
  positives (a missed pair is lost for good; an extra candidate costs one vectorised row comparison),
  then as many bands of that many rows as ``num_perm`` allows (more bands only add recall). At 0.5 that
  is 42 x 3: a pair at J=0.5 becomes a candidate with probability 0.996 (32 x 4: 0.873).
- ``chain_floor=0.7 * threshold``: union-find over verified pairs chains (A~B, B~C, so A and C are one
  cluster though they share little). Each member must also reach this similarity with the kept member,
  else it is split off and clustered again. On bbc_paras, lists of near-identical lines ("- Tim Dams,
  Screen International: Film - The Aviator; director - Clint Eastwood; ...") chained into one cluster of
  14 and cost 0.024 precision; a floor of 0.3 leaves 0.004 of it, 0.35 none. A strict floor (= threshold)
  costs bbc_docs 0.02 recall when an edited copy, not the original, comes first; 0.35 costs 0.001.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from clean.errors import UsageError

Scheme = Literal["affine32", "legacy"]
SCHEMES: tuple[str, ...] = ("affine32", "legacy")

# False-negative : false-positive weight for datasketch's parameter search (see the module docstring).
FALSE_POSITIVE_WEIGHT = 0.05
FALSE_NEGATIVE_WEIGHT = 0.95
# chain_floor = CHAIN_FLOOR_RATIO * threshold unless given (see the module docstring).
CHAIN_FLOOR_RATIO = 0.7


class DedupParamsError(UsageError, ValueError):
    """The dedup parameters are inconsistent; the message says how to fix the call."""


@functools.lru_cache(maxsize=256)
def derive_rows(threshold: float, num_perm: int) -> int:
    """Rows per band for ``threshold``: datasketch's optimum, weighted for recall (cached: it integrates)."""
    _, r = _optimal_param(threshold, num_perm, FALSE_POSITIVE_WEIGHT, FALSE_NEGATIVE_WEIGHT)
    return max(1, r)


def _optimal_param(threshold: float, num_perm: int, fp_weight: float, fn_weight: float) -> tuple[int, int]:
    """datasketch's search when it is importable; otherwise the same search, so results never depend on it."""
    try:
        from datasketch.lsh import _optimal_param as datasketch_optimal
    except ImportError:  # pragma: no cover - datasketch is a dependency; this guards a future rename
        return _local_optimal_param(threshold, num_perm, fp_weight, fn_weight)
    return datasketch_optimal(threshold, num_perm, fp_weight, fn_weight)


def _local_optimal_param(threshold: float, num_perm: int, fp_weight: float, fn_weight: float) -> tuple[int, int]:
    """The search of ``datasketch.lsh._optimal_param``, integrating by the midpoint rule instead of scipy."""
    steps = 4000
    below = (np.arange(steps) + 0.5) * (threshold / steps)
    above = threshold + (np.arange(steps) + 0.5) * ((1.0 - threshold) / steps)
    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = float(np.sum(1 - (1 - below**r) ** b)) * threshold / steps
            fn = float(np.sum((1 - above**r) ** b)) * (1.0 - threshold) / steps
            error = fp * fp_weight + fn * fn_weight
            if error < best:
                best, opt = error, (b, r)
    return opt


@dataclass(frozen=True)
class DedupParams:
    """What counts as a near-duplicate, and the expert knobs of the sketch behind it.

    Args:
        threshold: estimated Jaccard similarity at or above which a candidate pair is a duplicate.
        ngram: words per shingle.
        num_perm: MinHash permutations (signature length).
        bands: LSH bands; ``None`` derives them from ``threshold`` (see the module docstring).
        rows: LSH rows per band; ``None`` derives them. ``bands * rows`` must not exceed ``num_perm``.
        seed: seed of the permutations, as datasketch's ``MinHash(seed=...)``.
        min_line_words: lines with fewer words are not shingled (unless no line has that many); 0 shingles
            the whole text as one run of words.
        chain_floor: the least similarity a cluster member must have with the kept member; ``None`` is
            ``0.7 * threshold``, 0 is plain union-find.
        scheme: datasketch's permutation scheme: ``"affine32"`` (datasketch 2's default) or ``"legacy"``
            (datasketch before 2.0).
    """

    threshold: float = 0.5
    ngram: int = 3
    num_perm: int = 128
    bands: int | None = None
    rows: int | None = None
    seed: int = 1
    min_line_words: int = 8
    chain_floor: float | None = None
    scheme: Scheme = "affine32"

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise DedupParamsError(
                f"threshold={self.threshold!r}: give a Jaccard similarity in (0, 1], e.g. threshold=0.5"
            )
        for name in ("ngram", "num_perm", "seed", "min_line_words"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise DedupParamsError(f"{name}={value!r}: give a whole number")
        if self.ngram < 1:
            raise DedupParamsError(f"ngram={self.ngram}: a shingle needs at least 1 word (try ngram=3)")
        if self.num_perm < 2:
            raise DedupParamsError(f"num_perm={self.num_perm}: use at least 2 permutations (128 is usual)")
        if self.seed < 0:
            raise DedupParamsError(f"seed={self.seed}: numpy seeds are non-negative (datasketch uses 1)")
        if self.min_line_words < 0:
            raise DedupParamsError(f"min_line_words={self.min_line_words}: give 0 (whole text) or more")
        for name in ("bands", "rows"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise DedupParamsError(f"{name}={value!r}: give a whole number of at least 1, or None to derive it")
        if self.bands is not None and self.rows is not None and self.bands * self.rows > self.num_perm:
            raise DedupParamsError(
                f"bands * rows = {self.bands} * {self.rows} = {self.bands * self.rows} exceeds num_perm="
                f"{self.num_perm}: lower bands or rows, raise num_perm to {self.bands * self.rows}, "
                "or leave bands and rows unset to derive them from the threshold"
            )
        for name in ("bands", "rows"):
            value = getattr(self, name)
            if value is not None and value > self.num_perm:
                raise DedupParamsError(f"{name}={value} exceeds num_perm={self.num_perm}: lower it or raise num_perm")
        if self.chain_floor is not None and not 0.0 <= self.chain_floor <= self.threshold:
            raise DedupParamsError(
                f"chain_floor={self.chain_floor!r}: give a similarity between 0 and threshold={self.threshold}, "
                "or None for 0.7 * threshold"
            )
        if self.scheme not in SCHEMES:
            raise DedupParamsError(f"scheme={self.scheme!r}: choose one of {', '.join(SCHEMES)}")

    @classmethod
    def for_documents(cls, **overrides: Any) -> DedupParams:
        """Whole documents: word 3-grams within lines of 8+ words (the defaults; see the module docstring)."""
        return cls(**overrides)

    @classmethod
    def for_passages(cls, **overrides: Any) -> DedupParams:
        """Passages (one paragraph each, already 8+ words): word 3-grams over the whole passage."""
        return cls(**{"ngram": 3, "min_line_words": 0, **overrides})

    def replace(self, **changes: Any) -> DedupParams:
        return dataclasses.replace(self, **changes)

    @property
    def lsh_rows(self) -> int:
        """Rows per band: as given, from ``bands``, or derived from the threshold."""
        if self.rows is not None:
            return self.rows
        if self.bands is not None:
            return max(1, self.num_perm // self.bands)
        return derive_rows(self.threshold, self.num_perm)

    @property
    def lsh_bands(self) -> int:
        """Bands: as given, else as many bands of ``lsh_rows`` rows as the permutations allow."""
        if self.bands is not None:
            return self.bands
        return self.num_perm // self.lsh_rows

    @property
    def floor(self) -> float:
        """The chain floor in effect."""
        return CHAIN_FLOOR_RATIO * self.threshold if self.chain_floor is None else self.chain_floor

    def resolved(self) -> dict[str, Any]:
        """Every parameter with the derived ones filled in: what a run writes beside its output."""
        return {**dataclasses.asdict(self), "bands": self.lsh_bands, "rows": self.lsh_rows, "chain_floor": self.floor}
