"""Corpus steps: the only code that sees more than one document.

``step`` declares what a step is (``CorpusStep``) and runs them in order; ``unique_ids`` makes every id unique;
``repeated_lines`` drops a site's
recurring chrome; ``duplicates`` finds near-duplicate documents and passages, against an earlier dataset too
(``prior``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from clean import readers
from clean.config import Config
from clean.corpus.duplicates import Duplicates
from clean.corpus.repeated_lines import RepeatedLines
from clean.corpus.step import CorpusStep, CorpusSteps
from clean.corpus.unique_ids import UniqueIds
from clean.engines import Engine

__all__ = ["CorpusStep", "CorpusSteps", "corpus_steps"]


def corpus_steps(config: Config, work: Path, shards: Sequence[readers.Shard], engine: Engine) -> CorpusSteps:
    """The corpus steps this configuration asks for, prepared over every shard and ready to apply per shard."""
    steps: list[CorpusStep] = [UniqueIds()]
    if config.mine_common_lines:
        steps.append(RepeatedLines())
    if config.dedup:
        steps.append(Duplicates(config))
    runner = CorpusSteps(work, steps)
    runner.prepare(shards, engine)
    return runner
