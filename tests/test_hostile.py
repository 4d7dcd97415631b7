"""Sixteen ways a hostile user lost data or hung ``clean`` (issue 18), one test each, named for the defect.

Each test failed on the main before its fix. Runs go through the real command (a subprocess) where the defect is
about the command: exit codes, what reaches the terminal, processes left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pytest
from conftest import SEEDS

import clean
from clean.config import load
from clean.errors import UsageError
from clean.runner import run


def clean_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "clean", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=600, env=env)


def copies_of_seeds(folder: Path, n: int) -> Path:
    """``n`` text pages, the seeds over and over under new names, each with a line of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(n):
        page = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (folder / f"page-{i:04d}.txt").write_text(f"{page}\nReader note number {i} was added to this copy.\n",
                                                  encoding="utf-8")
    return folder


# 3 ------------------------------------------------------------------------------------------------------------------


def test_03_workers_end_when_the_main_process_is_killed(tmp_path: Path) -> None:
    src = copies_of_seeds(tmp_path / "in", 400)
    proc = subprocess.Popen([sys.executable, "-m", "clean", str(src), str(tmp_path / "out"), "-q", "--workers", "2",
                             "--shard-docs", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    main = psutil.Process(proc.pid)
    workers: list[psutil.Process] = []
    for _ in range(600):  # until the pool has started (or the run is over, which fails below)
        workers = [c for c in main.children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline())]
        if len(workers) >= 2 or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert len(workers) >= 2, "the run ended before its pool started; give it more pages"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    for p in alive:
        p.kill()
    assert not alive, f"{len(alive)} workers outlived the killed main process"


# 6 ------------------------------------------------------------------------------------------------------------------

ESC_TITLE = "\x1b]0;pwned\x07Markets \x1b[2Jrally\u202e"


def test_06_terminal_escapes_in_names_and_titles_are_shown_not_obeyed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "evil\x1b[31mname.txt").write_bytes(b"\x00\x01binary\x00" * 300)  # fails: its name is printed
    (src / "records.jsonl").write_text(json.dumps({
        "id": "doc\x1b[1m1", "title": ESC_TITLE,
        "text": "Shares rose on Monday after the results came in, the company said in a statement to the press.",
    }) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = clean_cli(src, out)
    assert proc.returncode == 3, proc.stderr
    assert "\x1b" not in proc.stderr and "\u202e" not in proc.stderr
    assert "evil\\x1b[31mname.txt" in proc.stderr
    shown = clean_cli("--explain", "doc\x1b[1m1", out, "--color")
    assert shown.returncode == 0, shown.stderr
    plain = shown.stdout
    for style in ("\x1b[1m", "\x1b[0m", "\x1b[2m", "\x1b[31m", "\x1b[33m"):  # click's own styles may remain
        plain = plain.replace(style, "")
    assert "\x1b" not in plain and "\x07" not in plain and "\u202e" not in plain
    assert "\\x1b]0;pwned\\x07Markets" in shown.stdout


# 10 -----------------------------------------------------------------------------------------------------------------

PAGE = "Officials said the bridge would reopen next week after repairs that took most of the summer to finish."


def test_10_library_input_of_the_wrong_kind_is_decoded_or_named() -> None:
    batch = pa.table({
        "text": pa.array([PAGE.encode(), "café au lait, said the owner of the shop on the corner, is what sells best "
                          "in the mornings of winter.".encode("cp1252")], pa.binary()),
        "id": pa.array([7, 8]),
    })
    out = clean.clean_batch(batch).to_pylist()
    assert [r["id"] for r in out] == ["7", "8"]
    assert out[0]["text"] == PAGE and out[1]["text"].startswith("café au lait")
    with pytest.raises(TypeError, match="column 'text' is int64"):
        clean.clean_batch(pa.table({"text": pa.array([1, 2])}))
    for bad in (None, 5, 3.5, ["a list"]):
        with pytest.raises(TypeError, match="clean_text: text: expected str or bytes"):
            clean.clean_text(bad)
        with pytest.raises(TypeError, match="clean_html: html: expected str or bytes"):
            clean.clean_html(bad)
    assert clean.clean_text(PAGE.encode()).text == PAGE
    assert "bridge" in clean.clean_html(f"<html><body><p>{PAGE}</p></body></html>".encode()).text
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        clean.clean_texts([PAGE, None])
    with pytest.raises(TypeError, match="a list of pages"):
        clean.clean_texts(PAGE)


def test_10_a_lone_surrogate_costs_only_its_own_character() -> None:
    page = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    broken = page.replace("the", "th\ud800e", 3)
    good, bad = clean.clean_texts([page, broken])
    assert good.text == clean.clean_text(page).text
    assert "\ufffd" in bad.text and "\ud800" not in bad.text
    assert bad.text.replace("th\ufffde", "the") == good.text


# 11 -----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flag,value", [("--doc-timeout", "inf"), ("--doc-timeout", "nan"), ("--doc-timeout", "-1"),
                                        ("--max-doc-mb", "nan"), ("--max-doc-mb", "inf"), ("--shard-mb", "nan"),
                                        ("--shard-mb", "inf"), ("--dedup-threshold", "nan")])
def test_11_non_finite_options_are_usage_errors(tmp_path: Path, flag: str, value: str) -> None:
    proc = clean_cli(SEEDS, tmp_path / "out", flag, value)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_11_non_finite_options_from_a_file_or_the_environment_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "clean.toml"
    config.write_text("doc-timeout = inf\n")
    with pytest.raises(UsageError, match="doc_timeout: expected a finite number"):
        load(config)
    with pytest.raises(UsageError, match="max_doc_mb: expected a finite number"):
        load(env={"CLEAN_MAX_DOC_MB": "nan"})


# 16 -----------------------------------------------------------------------------------------------------------------


def test_16_input_inside_out_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(SEEDS, out, workers=1).exit_code == 0
    for inside in (out, out / "documents", out / "documents" / "part-00000.parquet"):
        proc = clean_cli(inside if inside != out else out / ".", out)
        assert proc.returncode == 2, (inside, proc.stderr)
        assert "Traceback" not in proc.stderr
    (out / "raw").mkdir()
    (out / "raw" / "a.txt").write_text(PAGE)
    proc = clean_cli(out / "raw", out)
    assert proc.returncode == 2 and "inside OUT" in proc.stderr
    proc = clean_cli(tmp_path, tmp_path / "out2")
    assert proc.returncode == 2 and "inside INPUT" in proc.stderr
