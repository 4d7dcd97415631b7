"""The published tables of the seeds and the dev sets are exactly the pinned ones (``tests/pinned_outputs.py``):
restructuring the code, the engine or the sharding must not change a byte of what users load."""

from __future__ import annotations

import json

import pytest
from pinned_outputs import PINS, RUNS, input_path, run_pinned


@pytest.mark.parametrize("name", sorted(RUNS))
def test_published_tables_are_the_pinned_ones(name, tmp_path) -> None:
    where, _ = RUNS[name]
    if not input_path(where).exists():
        pytest.skip(f"{where} is not here (../shared is only on CI and dev machines)")
    pinned = json.loads(PINS.read_text(encoding="utf-8"))[name]
    found = run_pinned(name, tmp_path / "out")
    differ = sorted(k for k in set(found) | set(pinned) if found.get(k) != pinned.get(k))
    assert not differ, (
        f"{name}: {differ} differ from the pins; if the change is meant to change the output, "
        "run `python tests/pinned_outputs.py --update` and say so in the commit"
    )


def test_two_workers_and_ten_shards_publish_the_same_tables(tmp_path) -> None:
    """Shards are cleaned, counted for repeated lines, sketched and changed by the corpus steps in the workers; the
    tables are the pinned ones whatever the workers and however the input was cut."""
    name = "news-pages-text"
    if not input_path(RUNS[name][0]).exists():
        pytest.skip("the dev news pages are not here (../shared is only on CI and dev machines)")
    pinned = json.loads(PINS.read_text(encoding="utf-8"))[name]
    found = run_pinned(name, tmp_path / "out", workers=2, shard_mb=0.1)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["shards"]) >= 8
    assert found == pinned
