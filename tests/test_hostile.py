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
import pyarrow.parquet as pq
import pytest
from conftest import SEEDS

import clean
from clean import publish as publish_module
from clean import runner
from clean.config import load
from clean.errors import UsageError
from clean.outlock import OutLock
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


# 4 ------------------------------------------------------------------------------------------------------------------


def test_04_foreign_files_in_out_are_refused_and_never_touched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("# my project\n")
    proc = clean_cli(SEEDS, out, "--force")
    assert proc.returncode == 2 and "README.md" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "README.md").read_text() == "# my project\n" and sorted(p.name for p in (out).iterdir()) == ["README.md"]
    (out / "README.md").unlink()
    (out / "manifest.json").write_text('{"mine": true}')
    proc = clean_cli(SEEDS, out, "--force")
    assert proc.returncode == 2 and "manifest.json" in proc.stderr
    assert (out / "manifest.json").read_text() == '{"mine": true}'
    (out / "manifest.json").unlink()
    (out / "notes.txt").write_text("mine")
    proc = clean_cli(SEEDS, out)
    assert proc.returncode == 2 and "notes.txt" in proc.stderr and "--force" in proc.stderr
    assert sorted(p.name for p in (out).iterdir()) == ["notes.txt"]
    proc = clean_cli(SEEDS, out, "--force")
    assert proc.returncode == 0, proc.stderr
    assert (out / "notes.txt").read_text() == "mine"
    proc = clean_cli(SEEDS, out)  # our own files never count as foreign; the user's still does
    assert proc.returncode == 2 and "notes.txt" in proc.stderr
    (out / "notes.txt").unlink()
    assert clean_cli(SEEDS, out).returncode == 0


# 5 ------------------------------------------------------------------------------------------------------------------


def test_05_a_second_run_into_the_same_out_exits_2_naming_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with OutLock(out):
        proc = clean_cli(SEEDS, out)
        assert proc.returncode == 2, proc.stderr
        assert f"is in use by pid {os.getpid()}" in proc.stderr and "Traceback" not in proc.stderr
        assert sorted(p.name for p in (out / ".clean").iterdir()) == ["lock"], "the refused run wrote nothing"
    assert not (out / ".clean" / "lock").exists()
    assert clean_cli(SEEDS, out).returncode == 0


def test_05_a_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from clean.outlock import OutLock; "
        f"OutLock(Path({str(out)!r})).acquire(); print('held', flush=True); time.sleep(600)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert clean_cli(SEEDS, out).returncode == 2
    holder.kill()
    holder.wait()
    assert (out / ".clean" / "lock").read_text().strip() == str(holder.pid), "the dead run's lock file is still there"
    proc = clean_cli(SEEDS, out)
    assert proc.returncode == 0, proc.stderr
    assert not (out / ".clean").exists()


# 8 ------------------------------------------------------------------------------------------------------------------


def _interrupted_at(monkeypatch: pytest.MonkeyPatch, module: object, name: str, src: Path, out: Path) -> None:
    """A run into ``out`` stopped by Ctrl-C when it calls ``module.name``."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(src, out, workers=1)
    monkeypatch.undo()


def _published(out: Path) -> dict[str, bytes]:
    """What a reader following OUT's manifest reads: every listed file's bytes (each must exist)."""
    manifest = json.loads((out / "manifest.json").read_text())
    return {rel: (out / rel).read_bytes() for files in manifest["files"].values() for rel in files
            if rel.endswith(".parquet")}


def test_08_a_publish_killed_before_its_commit_leaves_the_previous_run_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = copies_of_seeds(tmp_path / "in", 5)
    out = tmp_path / "out"
    first = run(src, out, workers=1)
    before = _published(out)
    card = (out / "README.md").read_text()
    (src / "page-0000.txt").write_text(PAGE)

    _interrupted_at(monkeypatch, publish_module, "write_json_atomic", src, out)
    assert _published(out) == before, "the previous run's files changed before the new manifest was written"
    assert (out / "README.md").read_text() == card
    gen = first.manifest["generation"]
    leftovers = [p for p in (out / "documents").iterdir() if gen not in p.name]
    assert leftovers, "the new run's tables were moved in beside the previous ones"
    second = run(src, out, workers=1)
    assert second.manifest["generation"] != gen
    assert sorted(p.name for p in (out / "documents").iterdir()) == [
        Path(rel).name for rel in second.manifest["files"]["documents"]]
    docs = pq.read_table(out / "documents").to_pylist()
    assert {d["source"]: d["text"] for d in docs}["page-0000.txt"] == PAGE


# 9 ------------------------------------------------------------------------------------------------------------------


def test_09_an_input_edited_in_place_to_the_same_size_is_not_resumed_from_stale_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = copies_of_seeds(tmp_path / "in", 3)
    out = tmp_path / "out"

    _interrupted_at(monkeypatch, runner, "corpus_steps", src, out)
    page = src / "page-0001.txt"
    before = page.read_bytes()
    inode = page.stat().st_ino
    after = before.replace(b"significant selling", b"SIGNIFICANT selling")
    assert len(after) == len(before) and after != before
    with page.open("r+b") as fh:  # in place: same inode, same size
        fh.write(after)
    assert page.stat().st_ino == inode and page.stat().st_size == len(before)
    with pytest.raises(UsageError, match="inputs changed"):
        run(src, out, workers=1)
    result = run(src, out, workers=1, force=True)
    texts = {d["source"]: d["text"] for d in pq.read_table(out / "documents").to_pylist()}
    assert result.exit_code == 0 and "SIGNIFICANT selling" in texts["page-0001.txt"]


# 12 -----------------------------------------------------------------------------------------------------------------


def _corpus_with_copies(folder: Path) -> Path:
    """Pages, records and a compressed record file, with exact and partial copies among them, so that dedup's
    clusters, kept members and passages all depend on seeing the whole corpus."""
    import gzip
    import random

    folder.mkdir(parents=True)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    rng = random.Random(12)
    for i, page in enumerate(seeds):
        (folder / f"page-{i}.txt").write_text(page, encoding="utf-8")
    records = []
    for i in range(60):
        lines = seeds[i % len(seeds)].split("\n")
        if i % 3:
            rng.shuffle(lines)
            lines = lines[: len(lines) * 2 // 3]
        records.append(json.dumps({"id": f"r{i}", "text": "\n".join(lines)}))
    (folder / "records.jsonl").write_text("\n".join(records[:30]) + "\n", encoding="utf-8")
    with gzip.open(folder / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(records[30:]) + "\n")
    return folder


def test_12_the_data_is_byte_identical_whatever_the_shard_size_and_worker_count(tmp_path: Path) -> None:
    src = _corpus_with_copies(tmp_path / "in")
    results = {}
    for workers, shard_mb, shard_docs in [(1, 32.0, 2000), (2, 32.0, 2000), (1, 0.02, 2000), (2, 0.02, 2000),
                                          (2, 0.2, 3)]:
        result = run(src, tmp_path / f"out-{workers}-{shard_mb}-{shard_docs}", workers=workers, shard_mb=shard_mb,
                     shard_docs=shard_docs)
        assert result.exit_code == 0
        results[(workers, shard_mb, shard_docs)] = result.manifest
    first = next(iter(results.values()))
    assert first["dedup"]["duplicate_documents"] > 0 and first["shards"] and len(results[(1, 0.02, 2000)]["shards"]) > 5
    for key, manifest in results.items():
        assert manifest["sha256"] == first["sha256"], f"{key} wrote other bytes than {next(iter(results))}"


# 13 -----------------------------------------------------------------------------------------------------------------


def test_13_deep_or_unclosed_html_gives_its_text_or_a_named_failure(tmp_path: Path) -> None:
    body = f"<p>{PAGE}</p><p>The city council met on Tuesday to agree the budget for the repairs and the new lanes.</p>"
    pages = {
        "deep-600.html": "<html><body>" + "<div>" * 600 + body + "</div>" * 600 + "</body></html>",
        "open-divs.html": "<html><body>" + "<div class=c>" * 400 + body,  # a comment thread that never closes
        "unclosed.html": f"<html><head><title>Bridge</title></head><body><div><p>{PAGE}<p>{PAGE[::-1]}",
        "deep-100k.html": "<html><body>" + "<div>" * 100_000 + body + "</div>" * 100_000 + "</body></html>",
        "open-100k.html": "<html><body>" + "<div>" * 100_000 + body,
    }
    src = tmp_path / "in"
    src.mkdir()
    for name, html in pages.items():
        (src / name).write_text(html, encoding="utf-8")
    result = run(src, tmp_path / "out", workers=1)
    assert result.exit_code == 3
    docs = {d["source"]: d for d in pq.read_table(tmp_path / "out" / "documents").to_pylist()}
    for name in ("deep-600.html", "open-divs.html", "unclosed.html"):
        assert docs[name]["status"] == "ok" and PAGE in docs[name]["text"], name
    for name in ("deep-100k.html", "open-100k.html"):
        assert docs[name]["status"] == "failed" and "deeper than 2,048 levels" in docs[name]["error"], name
    failed = {f["source"]: f for f in result.manifest["input_files"] if f["status"] != "ok"}
    assert set(failed) == {"deep-100k.html", "open-100k.html"} and "deeper than" in failed["open-100k.html"]["error"]


# 1 ------------------------------------------------------------------------------------------------------------------


def test_01_passages_of_a_large_document_are_written_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2 MB page of 12,000 passages: the passages table split the whole document once per passage (a 19.5 MB
    page never finished); now once per document and table, whatever its size."""
    import random

    from clean.corpus import duplicates

    rng = random.Random(1)
    vocab = sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text(encoding="utf-8").split() if w.isalpha()})
    lines = [" ".join(rng.choice(vocab) for _ in range(rng.randint(9, 30))).capitalize() + "." for _ in range(12_000)]
    src = tmp_path / "in"
    src.mkdir()
    (src / "big.txt").write_text("\n".join(lines), encoding="utf-8")
    (src / "copy.txt").write_text("\n".join(lines[:50]), encoding="utf-8")  # its passages duplicate big.txt's
    calls = []
    split = duplicates._lines
    monkeypatch.setattr(duplicates, "_lines", lambda text: calls.append(len(text)) or split(text))
    result = run(src, tmp_path / "out", workers=1, drop_duplicates=True)
    assert result.exit_code == 0
    passages = pq.read_table(tmp_path / "out" / "passages").to_pylist()
    text = {d["id"]: d["text"] for d in pq.read_table(tmp_path / "out" / "documents").to_pylist()}["big.txt"]
    kept_lines = text.split("\n")
    big = [p for p in passages if p["id"] == "big.txt"]
    assert len(big) >= 0.99 * len(lines) and all(p["text"] == kept_lines[p["index"]] for p in big)
    assert sum(p["duplicate_of_id"] is not None for p in passages) >= 50
    assert len(calls) <= 2 * 2, f"{len(calls)} splits of a document for {len(passages)} passages"


# 14 -----------------------------------------------------------------------------------------------------------------

#: Runs the command with a Ctrl-C (a real SIGINT to itself) delivered as dedup starts, its pool of workers running.
_CTRL_C_IN_DEDUP = """
import os, signal, sys
from clean.corpus import duplicates
from clean.cli import main

prepare = duplicates.Duplicates.prepare

def interrupted(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    return prepare(self, *args, **kwargs)

duplicates.Duplicates.prepare = interrupted
main(sys.argv[1:])
"""


def test_14_ctrl_c_during_dedup_says_out_is_unchanged_in_one_line(tmp_path: Path) -> None:
    src = copies_of_seeds(tmp_path / "in", 12)
    out = tmp_path / "out"
    assert run(src, out, workers=1).exit_code == 0
    before = _published(out)
    (src / "page-0000.txt").write_text(PAGE)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal's foreground job has it
    try:
        proc = subprocess.run([sys.executable, "-c", _CTRL_C_IN_DEDUP, str(src), str(out), "--workers", "2",
                               "--shard-docs", "2"], capture_output=True, text=True, timeout=600)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == f"clean: interrupted; {out} unchanged; rerun the same command to resume\n"
    assert _published(out) == before
    assert clean_cli(src, out, "-q", "--workers", "2", "--shard-docs", "2").returncode == 0
    assert "bridge would reopen" in {d["source"]: d["text"] for d in pq.read_table(out / "documents").to_pylist()}[
        "page-0000.txt"]


def test_14_quiet_is_quiet_when_the_peer_extractors_complain(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "text.html").write_text("just a line of text, not a page")
    (src / "empty.html").write_text("")
    (src / "fragment.html").write_text("<p>x</p>")
    (src / "page.html").write_text(f"<html><body><article><p>{PAGE}</p></article></body></html>")
    for workers in ("1", "2"):
        proc = clean_cli(src, tmp_path / f"out-{workers}", "-q", "--workers", workers, "--shard-docs", "1")
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    noisy = clean_cli(src, tmp_path / "out-vv", "-vv", "--workers", "1")
    assert "readability" in noisy.stderr, "with -vv the peers' own records are shown"


# 2 ------------------------------------------------------------------------------------------------------------------


def test_02_a_large_jsonl_gz_is_cut_and_a_part_out_of_memory_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The .jsonl.gz is cut into shards (one core and all its records in memory before); a shard that still runs out
    of memory (here: Arrow refuses its table) fails with one clear error naming the input, and the rest publishes."""
    import gzip

    from clean import shard as shard_module

    src = tmp_path / "in"
    src.mkdir()
    pages = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with gzip.open(src / "crawl.jsonl.gz", "wt", encoding="utf-8") as fh:
        for i in range(40):
            fh.write(json.dumps({"id": f"c{i}", "text": f"{pages[i % 5]}\nLine {i} of the crawl copy."}) + "\n")
    (src / "page.txt").write_text(pages[0], encoding="utf-8")
    table = shard_module.documents_table

    def documents_table(docs):
        if any(d.id == "c17" for d in docs):
            raise pa.ArrowMemoryError("malloc of size 4294967296 failed")
        return table(docs)

    monkeypatch.setattr(shard_module, "documents_table", documents_table)
    result = run(src, tmp_path / "out", workers=1, shard_docs=10)
    assert result.exit_code == 3
    assert len(result.manifest["shards"]) == 5, "the .jsonl.gz was cut into four shards of ten records"
    docs = pq.read_table(tmp_path / "out" / "documents").to_pylist()
    failed = [d for d in docs if d["status"] == "failed"]
    assert [(d["id"], d["source"]) for d in failed] == [("crawl.jsonl.gz:11", "crawl.jsonl.gz")]
    assert "out of memory" in failed[0]["error"] and "ArrowMemoryError" in failed[0]["error"]
    assert sum(d["status"] == "ok" for d in docs) == 31
    entry = {f["source"]: f for f in result.manifest["input_files"]}["crawl.jsonl.gz"]
    assert entry["status"] == "partial" and "out of memory" in entry["error"]


# 7 ------------------------------------------------------------------------------------------------------------------

#: Run in a mount namespace of its own (``unshare``): OUT on a 6 MB tmpfs, a first run published, the disk then
#: filled but for 64 KB and a larger run started; prints what the test checks, as JSON.
_FULL_DISK = r"""
import hashlib, json, subprocess, sys
from pathlib import Path

disk, seeds, big = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)], check=True)
out = disk / "out"
clean = [sys.executable, "-m", "clean"]

def published():
    manifest = (out / "manifest.json").read_bytes()
    files = [rel for rels in json.loads(manifest)["files"].values() for rel in rels]
    return {rel: hashlib.sha256((out / rel).read_bytes()).hexdigest() for rel in files} | {"manifest": manifest.hex()}

first = subprocess.run([*clean, seeds, str(out), "--workers", "1"], capture_output=True, text=True)
before = published()
filler = disk / "filler"
with filler.open("wb") as fh:
    try:
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    except OSError:
        pass
with filler.open("r+b") as fh:
    fh.truncate(filler.stat().st_size - 65536)
full = subprocess.run([*clean, big, str(out), "--workers", "1"], capture_output=True, text=True)
after = published()
filler.unlink()
again = subprocess.run([*clean, big, str(out), "--workers", "1"], capture_output=True, text=True)
print(json.dumps({"first": first.returncode, "full": full.returncode, "stderr": full.stderr,
                  "unchanged": before == after, "again": again.returncode, "again_stderr": again.stderr}))
"""


def test_07_a_full_disk_says_so_and_leaves_the_previous_output_whole(tmp_path: Path) -> None:
    import shutil

    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("needs unshare with user and mount namespaces, to mount a small disk for the test")
    big = copies_of_seeds(tmp_path / "big", 120)
    disk = tmp_path / "disk"
    disk.mkdir()
    proc = subprocess.run(["unshare", "-rm", sys.executable, "-c", _FULL_DISK, str(disk), str(SEEDS), str(big)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["first"] == 0
    assert found["full"] == 1, found["stderr"]
    lines = found["stderr"].strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in found["stderr"], found["stderr"]
    assert lines[0].startswith(f"clean: error: no space left on tmpfs ({disk}) while writing {disk}/out")
    assert found["unchanged"], "the previous run's manifest or files changed"
    assert found["again"] == 0, found["again_stderr"]


# 15 -----------------------------------------------------------------------------------------------------------------


def test_15_records_sharing_an_id_come_out_unique_and_explain_shows_each(tmp_path: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text("".join(json.dumps({"id": i, "text": pages[k]}) + "\n"
                                         for i, k in (("x", 0), ("y", 1), ("x", 2))), encoding="utf-8")
    (src / "b.jsonl").write_text("".join(json.dumps({"id": i, "text": pages[k]}) + "\n"
                                         for i, k in (("x", 3), ("z", 4), ("x@a.jsonl:3", 0))), encoding="utf-8")
    runs = {}
    for shard_docs in (1, 2, 100):  # the repeats inside one shard, across shards, and both
        out = tmp_path / f"out-{shard_docs}"
        result = run(src, out, workers=1, shard_docs=shard_docs)
        assert result.exit_code == 0 and result.manifest["ids"]["renamed"] == 2
        runs[shard_docs] = (out, result.manifest)
    out, manifest = runs[2]
    assert {m["sha256"].__repr__() for _, m in runs.values()} == {repr(manifest["sha256"])}
    docs = pq.read_table(out / "documents").to_pylist()
    assert [d["id"] for d in docs] == ["x", "y", "x@a.jsonl:3~2", "x@b.jsonl:1", "z", "x@a.jsonl:3"]
    assert [d["text"][:40] for d in docs] == [clean.clean_text(pages[k]).text[:40] for k in (0, 1, 2, 3, 4, 0)]
    removals = pq.read_table(out / "removals").to_pylist()
    by_doc = {d["id"]: [r for r in removals if r["id"] == d["id"]] for d in docs}
    assert sum(map(len, by_doc.values())) == len(removals)
    for d in docs:
        assert len(by_doc[d["id"]]) == d["n_removed"], d["id"]
    assert {d["duplicate_of"] for d in docs if d["duplicate_of"]} == {"x"}  # the copy of page 0 points at one row
    shown = clean_cli("--explain", "x", out)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("4 documents match x:")
    for name in ("x", "x@a.jsonl:3~2", "x@b.jsonl:1", "x@a.jsonl:3"):
        assert f"\n{name}\n" in f"\n{shown.stdout}"
