"""Shared fixtures: where the repo's seeds and the optional ../shared evaluation sets are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip saying what is missing (CI has it; a fresh clone may not)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (the evaluation sets beside the repo)")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS
