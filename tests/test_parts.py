"""The published tables are written by the workers in pieces of consecutive shards (``clean.corpus.parts``): the
rows and their order are those of one writer, the files are numbered without gaps, and the cut depends on the text
the shards hold, never on the number of workers."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clean.corpus import parts
from clean.readers import Shard
from clean.runner import run

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _shard(i: int) -> Shard:
    return Shard(index=i, pieces=())


def test_pieces_are_consecutive_runs_of_about_equal_text() -> None:
    shards = [_shard(i) for i in range(20)]
    even = parts.pieces(shards, [10] * 20, target=50)
    assert [[s.index for s in run] for run in even] == [list(range(k, k + 5)) for k in (0, 5, 10, 15)]
    chars = [10, 30, 10, 10, 40, 0, 10, 20, 10, 60]
    runs = parts.pieces(shards[:10], chars, target=50)
    assert [s.index for run in runs for s in run] == list(range(10))  # every shard once, in order
    assert [sum(chars[s.index] for s in run) for run in runs] == [50, 50, 100]  # no more than 200 / 50 pieces
    assert parts.pieces(shards, [0] * 20, target=50) == [shards]  # no text: one piece
    assert parts.pieces([], [], target=50) == []


def _rows(out: Path) -> dict[str, list[dict]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        name: [row for f in files for row in pq.read_table(out / f).to_pylist()]
        for name, files in manifest["files"].items()
        if name != "report"
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_many_pieces_publish_the_rows_of_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """The seeds cut into one shard a page and written in pieces of about two pages' text: the same rows in the
    same order as one piece, in part files numbered from 0 without gaps (a piece with no passages writes none)."""
    one = run(SEEDS, tmp_path / "one", workers=1, shard_docs=1)
    monkeypatch.setattr(parts, "PIECE_CHARS", 6000)
    many = run(SEEDS, tmp_path / "many", workers=workers, shard_docs=1)
    assert one.exit_code == many.exit_code == 0
    documents = many.manifest["files"]["documents"]
    assert len(one.manifest["files"]["documents"]) == 1 and len(documents) >= 2
    gen = many.manifest["generation"]
    assert documents == [f"documents/part-{k:05d}-{gen}.parquet" for k in range(len(documents))]
    assert sorted(p.name for p in (tmp_path / "many" / "documents").iterdir()) == [Path(f).name for f in documents]
    assert _rows(tmp_path / "many") == _rows(tmp_path / "one")


def test_inputs_that_never_reach_a_shard_are_still_published(tmp_path: Path) -> None:
    """Every input failed to open, so there is no shard and no piece of shards: one piece carries the failed
    inputs' rows, and every other table still gets its one empty part."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    result = run(src, tmp_path / "out", workers=1)
    assert result.exit_code == 3
    rows = _rows(tmp_path / "out")
    assert [(r["source"], r["status"]) for r in rows["documents"]] == [("gone.txt", "failed")]
    assert all(
        files == [f"{name}/part-00000-{result.manifest['generation']}.parquet"]
        for name, files in result.manifest["files"].items()
        if name != "report"
    )
