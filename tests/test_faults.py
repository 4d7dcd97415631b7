"""A run killed anywhere (while cleaning, finding duplicates or publishing) leaves OUT whole, and the next run finishes
with the bytes an uninterrupted run gives (issue 18).

The run is killed with SIGKILL, so no handler of ours runs: what is on disk at that instant is what a reader and the
next run get. Most kills land at a chosen rename (every file of a run, from a shard's tables to the manifest, is
renamed into place, so the renames mark every stage), chosen at random over all of the run's renames; the rest at a
random instant of a two-worker run.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SEEDS

#: The command, killed (SIGKILL, before or after) at its KILL_AT-th rename; with KILL_AT=0 it prints how many renames
#: it made.
_KILLED_AT_A_RENAME = """
import atexit, os, pathlib, signal, sys
at, after = int(os.environ["KILL_AT"]), os.environ.get("KILL_AFTER") == "1"
count = 0
replace, rename = os.replace, os.rename

def counted(real):
    def call(*args, **kwargs):
        global count
        count += 1
        if count == at and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if count == at and after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call

os.replace, os.rename = counted(replace), counted(rename)
if not at:
    atexit.register(lambda: print(f"renames {count}", file=sys.stderr))
from clean.cli import main
main(sys.argv[1:])
"""

OPTIONS = ["-q", "--shard-docs", "3"]


def _corpus(folder: Path, edited: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pages = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for i in range(8):
        text = pages[i % 5] + (f"\nThe reader wrote in on day {i} to say the story was right." if i % 3 else "")
        if edited and i == 2:
            text = pages[4]
        (folder / f"page-{i}.txt").write_text(text, encoding="utf-8")
    records = [{"id": f"r{i}", "text": pages[(i * 2) % 5] + f"\nCorrection number {i} was added later."}
               for i in range(10 if not edited else 12)]
    (folder / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


def _state(out: Path) -> dict[str, str] | None:
    """What a reader following OUT's manifest gets: each listed file's sha256, every one checked against the
    manifest; None when OUT has no manifest yet."""
    path = out / "manifest.json"
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    found = {rel: hashlib.sha256((out / rel).read_bytes()).hexdigest() for rel in manifest["sha256"]}
    assert found == manifest["sha256"], "a file the manifest lists is missing or not the one it names"
    listed = {rel for rels in manifest["files"].values() for rel in rels}
    assert all((out / rel).exists() for rel in listed)
    return found


def _clean(*args: str | Path, env: dict[str, str] | None = None, script: str | None = None):
    cmd = [sys.executable, "-c", script, *map(str, args)] if script else [sys.executable, "-m", "clean", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def test_a_run_killed_anywhere_leaves_out_whole_and_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    old, new = _corpus(tmp_path / "old", edited=False), _corpus(tmp_path / "new", edited=True)
    previous = tmp_path / "previous"
    assert _clean(old, previous, *OPTIONS, "--workers", "1").returncode == 0
    reference = tmp_path / "reference"
    shutil.copytree(previous, reference)
    env = {**os.environ, "KILL_AT": "0"}
    counted = _clean(new, reference, *OPTIONS, "--workers", "1", env=env, script=_KILLED_AT_A_RENAME)
    assert counted.returncode == 0, counted.stderr
    renames = int(counted.stderr.split("renames ")[-1])
    before, after = _state(previous), _state(reference)
    assert before != after and renames > 20
    rng = random.Random(18)
    # Most at random over the whole run; the last four renames (the manifest, the card, the report) each once, so
    # that some kills land after the commit.
    points = sorted(rng.sample(range(1, renames - 3), 12)) + list(range(renames - 3, renames + 1))
    kills = [("rename", k, rng.random() < 0.5) for k in points] + [("instant", rng.uniform(0.3, 3.0), False)
                                                                    for _ in range(4)]
    landed = {"before publish": 0, "after publish": 0}
    for how, where, after_rename in kills:
        out = tmp_path / f"out-{how}-{where}"
        shutil.copytree(previous, out)
        if how == "rename":
            env = {**os.environ, "KILL_AT": str(where), "KILL_AFTER": "1" if after_rename else "0"}
            proc = _clean(new, out, *OPTIONS, "--workers", "1", env=env, script=_KILLED_AT_A_RENAME)
            assert proc.returncode == -signal.SIGKILL, (where, proc.stderr)
        else:
            started = subprocess.Popen([sys.executable, "-m", "clean", str(new), str(out), *OPTIONS, "--workers", "2"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(where)
            started.kill()
            started.wait()
        state = _state(out)
        assert state in (before, after), f"killed at {how} {where}: OUT is neither the previous run nor the new one"
        landed["after publish" if state == after else "before publish"] += 1
        rerun = _clean(new, out, *OPTIONS, "--workers", "1")
        assert rerun.returncode == 0, (how, where, rerun.stderr)
        assert _state(out) == after, f"killed at {how} {where}: the rerun wrote other bytes"
        assert sorted(p.name for p in (out / "documents").iterdir()) == sorted(
            Path(rel).name for rel in after if rel.startswith("documents/")), "files of an earlier run were left"
        shutil.rmtree(out)
    assert landed["before publish"] >= 5 and landed["after publish"] >= 1, landed
