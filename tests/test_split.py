"""A large compressed JSONL is cut into pieces at plan time, so that it runs on every core: what is published is
exactly what reading it whole gives, and a damaged stream is still reported where it breaks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import SEEDS
from pinned_outputs import digests

from clean import readers
from clean.audit.explain import explain
from clean.runner import run


def _paragraphs() -> list[str]:
    return [
        line
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.split()) >= 12
    ]


def _records(n: int) -> list[bytes]:
    """News-like records: most without an id (named by their line), a few with one, a blank line and a broken one."""
    paras = _paragraphs()
    lines = []
    for i in range(n):
        body = "\n".join([f"Local Brief {i}", *(paras[(i * 7 + k) % len(paras)] for k in range(4)), "Share this"])
        record = {"text": body, "url": f"https://site{i % 3}.example/news/{i}"}
        if i % 10 == 0:
            record["id"] = f"brief-{i}"
        lines.append(json.dumps(record).encode() + b"\n")
    lines[17] = b"\n"
    lines[41] = b'{"text": "cut off\n'
    return lines


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("split") / "in"
    root.mkdir()
    data = b"".join(_records(240))
    (root / "crawl.jsonl.gz").write_bytes(gzip.compress(data[:-1], mtime=0))  # no newline at the very end
    return root


def test_pieces_read_the_records_reading_the_file_whole_gives(crawl: Path, tmp_path: Path) -> None:
    files = readers.discover([crawl]).files
    whole = readers.plan_shards(files, max_docs=5000)
    cut = readers.plan_shards(files, max_docs=25, split_dir=tmp_path / "parts")
    assert len(whole) == 1 and len(cut) == 10
    pieces = [p for s in cut for p in s.pieces]
    assert all(p.part_of == files[0] and p.file.path.startswith(str(tmp_path)) for p in pieces)

    def read(shards):
        return [
            (item.id, getattr(item, "text", None), getattr(item, "reason", None))
            for s in shards
            for item in readers.read_shard(s)
        ]

    assert read(cut) == read(whole)
    assert any(i == "crawl.jsonl.gz:42" and reason for i, _, reason in read(cut))  # the broken line, by its number


def test_a_split_jsonl_gz_publishes_the_tables_of_the_whole_file(crawl: Path, tmp_path: Path) -> None:
    whole = run(crawl, tmp_path / "whole", workers=1)
    cut = run(crawl, tmp_path / "cut", workers=2, shard_docs=25)
    assert whole.exit_code == cut.exit_code == 3  # the broken line
    assert len(cut.manifest["shards"]) == 10 and len(whole.manifest["shards"]) == 1
    assert digests(tmp_path / "cut") == digests(tmp_path / "whole")
    (entry,) = cut.manifest["input_files"]
    assert entry["bytes"] == (crawl / "crawl.jsonl.gz").stat().st_size
    assert not (tmp_path / "cut" / ".clean").exists()  # the pieces went with the work folder
    # --explain reads the record again from the file the user gave, the pieces being gone
    shown = explain(tmp_path / "cut", "crawl.jsonl.gz:200")
    assert shown.input_path == str(crawl / "crawl.jsonl.gz") and shown.exact and shown.note is None


def test_a_damaged_stream_is_read_whole_and_reported_where_it_breaks(crawl: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    data = (crawl / "crawl.jsonl.gz").read_bytes()
    (src / "crawl.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])  # truncated
    result = run(src, tmp_path / "out", workers=1, shard_docs=25)
    assert result.exit_code == 3
    assert len(result.manifest["shards"]) == 1
    (entry,) = result.manifest["input_files"]
    assert entry["status"] == "partial" and entry["documents"] - entry["failed"] > 20  # those before the damage
    assert any("truncated gzip after line" in e for e in entry["errors"])
