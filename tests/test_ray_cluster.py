"""A run on a Ray cluster of two nodes (both on this machine, started with `ray start` as a user starts theirs)
publishes exactly what a local run publishes.

The cluster is started the way the README tells a user: `ray start --head`, then `ray start --address=HEAD` for the
second node, and `clean IN OUT --engine ray --ray-address HEAD`. Each node offers one CPU, so the shard tasks of the
run are spread over both. `ray stop` ends the cluster (it stops every Ray process of this user on the machine, so
this module starts none of its own otherwise).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS
from pinned_outputs import digests
from test_scale import make_corpus

pytest.importorskip("ray", reason="Ray is an extra: pip install -e '.[ray]'")

RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"
#: Quiet, and token authentication on every side (what `ray start --head` turns on by default).
ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    port = _free_port()
    head = f"127.0.0.1:{port}"
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"]
    started = subprocess.run(
        [RAY, "start", "--head", f"--port={port}", "--include-dashboard=false", *common],
        env=ENV, capture_output=True, text=True, timeout=120,
    )
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        joined = subprocess.run(
            [RAY, "start", f"--address={head}", *common], env=ENV, capture_output=True, text=True, timeout=120
        )
        assert joined.returncode == 0, joined.stderr[-2000:]
        yield head
    finally:
        subprocess.run([RAY, "stop", "--force"], env=ENV, capture_output=True, timeout=120)


def test_two_nodes_publish_the_bytes_of_a_local_run(cluster: str, tmp_path: Path) -> None:
    for name, source in (("seeds", SEEDS), ("corpus", make_corpus(tmp_path / "in"))):
        local, on_ray = tmp_path / f"{name}-local", tmp_path / f"{name}-ray"
        done = subprocess.run(
            [sys.executable, "-m", "clean", str(source), str(local), "-q", "--workers", "1"],
            env=ENV, capture_output=True, text=True,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        done = subprocess.run(
            [sys.executable, "-m", "clean", str(source), str(on_ray), "-q", "--engine", "ray",
             "--ray-address", cluster, "--shard-docs", "40"],
            env=ENV, capture_output=True, text=True, timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert digests(on_ray) == digests(local), name
