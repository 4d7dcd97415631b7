"""Style is part of the build: the package, tests and benchmarks stay ruff-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or (None if not (ROOT / ".venv/bin/ruff").exists() else str(ROOT / ".venv/bin/ruff"))
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    targets = [d for d in ("clean", "tests", "benchmarks") if (ROOT / d).is_dir()]
    proc = subprocess.run([ruff, "check", *targets], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert sys.version_info >= (3, 10)
