"""Bad input never costs good data: broken records, runaway documents, huge files, Ctrl-C."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_scale import make_corpus, parquet_bytes

from clean.runner import run

GOOD = [
    "The city council approved the budget on Tuesday after a long debate about school funding and roads.",
    "Shares of the retailer fell 3% after it cut its forecast for the holiday quarter, citing weak demand.",
    "Rescue teams reached the village late on Sunday, two days after the landslide blocked the only road.",
]


def test_one_bad_document_in_a_hundred_costs_nothing_else(tmp_path: Path) -> None:
    """50,000 documents, 2 workers, 1 in 100 broken: the good ones come out exactly as without the bad."""
    rng = random.Random(7)
    with_bad = tmp_path / "with-bad"
    without = tmp_path / "without"
    with_bad.mkdir()
    without.mkdir()
    bad_ids = set()
    for f in range(10):
        lines_bad, lines_good = [], []
        for r in range(5000):
            doc_id = f"d{f}-{r}"
            record = json.dumps({"id": doc_id, "text": "\n".join([GOOD[(f + r) % 3], f"Update {f}.{r}: "
                                                                  f"officials said {r} homes were affected.",
                                                                  GOOD[(f + r + 1) % 3]])})
            if rng.random() < 0.01:
                bad_ids.add(doc_id)
                lines_bad.append(rng.choice(['{"id": "' + doc_id + '", "text": ', "\x00\x01binary\xff",
                                             json.dumps({"id": doc_id, "body": "no text field"})]))
            else:
                lines_bad.append(record)
                lines_good.append(record)
        (with_bad / f"feed-{f}.jsonl").write_text("\n".join(lines_bad) + "\n", encoding="utf-8",
                                                   errors="surrogateescape")
        (without / f"feed-{f}.jsonl").write_text("\n".join(lines_good) + "\n", encoding="utf-8")
    out_bad, out_good = tmp_path / "out-bad", tmp_path / "out-good"
    result = run(with_bad, out_bad, workers=2, dedup=False)
    run(without, out_good, workers=2, dedup=False)
    counts = result.manifest["counts"]
    assert counts["documents"] == 50_000 == counts["ok"] + counts["empty"] + counts["failed"]
    assert counts["failed"] == len(bad_ids) > 300
    assert result.exit_code == 3
    bad_rows = pq.read_table(out_bad / "documents", filters=[("status", "=", "failed")]).to_pylist()
    assert all(r["error"] for r in bad_rows)
    good = pq.read_table(out_bad / "documents", filters=[("status", "!=", "failed")]).drop_columns(["id"])
    reference = pq.read_table(out_good / "documents").drop_columns(["id"])
    assert good.num_rows == reference.num_rows == 50_000 - len(bad_ids)
    assert good.drop_columns(["source"]).equals(reference.drop_columns(["source"]))


def test_runaway_document_fails_alone(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.txt").write_text("\n".join(GOOD), encoding="utf-8")
    (src / "huge.txt").write_text("\n".join(GOOD * 20000), encoding="utf-8")
    result = run(src, tmp_path / "out", workers=1, doc_timeout=0.05)
    docs = {r["id"]: r for r in pq.read_table(tmp_path / "out" / "documents").to_pylist()}
    assert docs["ok.txt"]["status"] == "ok"
    assert docs["huge.txt"]["status"] == "failed" and "--doc-timeout" in docs["huge.txt"]["error"]
    assert result.exit_code == 3


def test_hostile_files_each_fail_with_a_reason(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    (src / "a" / "same name.txt").write_text("\n".join(GOOD), encoding="utf-8")
    (src / "b" / "same name.txt").write_text("\n".join(GOOD[::-1]), encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "nested.html").write_text("<div>" * 10_000 + "<p>" + GOOD[0] + "</p>" + "</div>" * 10_000)
    (src / "big.txt").write_bytes(b"x" * (3 << 20))
    records = [json.dumps({"text": f"Report {i}: inspectors visited {i} sites on Monday and found no faults."})
               for i in range(150)]
    (src / "truncated.jsonl.gz").write_bytes(gzip.compress("\n".join(records).encode())[:-40])
    (src / "loop").symlink_to(src / "loop")
    (src / "héllo wörld.txt").write_text("\n".join(GOOD), encoding="utf-8")
    out = tmp_path / "out"
    result = run(src, out, workers=1, max_doc_mb=1)
    m = result.manifest
    assert m["counts"]["documents"] == m["counts"]["ok"] + m["counts"]["empty"] + m["counts"]["failed"]
    rows = pq.read_table(out / "documents").to_pylist()
    docs = {r["source"]: r for r in rows}
    assert docs["a/same name.txt"]["status"] == docs["b/same name.txt"]["status"] == "ok"
    assert docs["héllo wörld.txt"]["status"] == "ok"
    assert docs["empty.txt"]["status"] == "empty"
    assert docs["big.txt"]["status"] == "failed" and "MB" in docs["big.txt"]["error"]
    assert "loop" in {f["source"] for f in m["input_files"] if f["status"] == "failed"}
    truncated = [r for r in rows if r["source"] == "truncated.jsonl.gz"]
    assert any(r["status"] == "ok" for r in truncated) and any(r["status"] == "failed" for r in truncated)
    assert docs["nested.html"]["status"] in ("ok", "empty", "failed")
    assert result.exit_code == 3


def test_ctrl_c_exits_130_keeps_finished_shards_and_resumes(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", files=80, per_file=20)
    reference = tmp_path / "reference"
    run(corpus, reference, workers=1, shard_docs=20)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "clean", str(corpus), str(out), "--workers", "2", "--shard-docs", "20", "-q"]
    # A shell starts background jobs with SIGINT ignored, which a child inherits, and Python then installs no
    # Ctrl-C handler: a test run started with `&` would see the run finish instead of stop. A handled SIGINT
    # here is the default in the child.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob(".clean/work-*/shards/*.done.json"))) < 4:
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "resume" in err
    state = json.loads(next(out.glob(".clean/work-*/manifest.json")).read_text())
    assert state["status"] == "interrupted" and 0 < state["shards_done"] < state["shards"]
    assert not (out / "documents").exists()
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert parquet_bytes(out) == parquet_bytes(reference)


def test_a_batch_with_a_failing_record_is_cleaned_again_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are cleaned in batches; when one raises, the others must come out as they would alone and
    the failure must name the record that caused it."""
    import clean.page.pipeline
    from clean.config import Config
    from clean.document import RawRecord
    from clean.shard import clean_item, clean_items, clean_options

    real = clean.page.pipeline.repair

    def repair(text: str):
        if "POISON" in text:
            raise ValueError("this page cannot be repaired")
        return real(text)

    monkeypatch.setattr(clean.page.pipeline, "repair", repair)
    config = Config()
    options = clean_options(config)
    items = [RawRecord(id=f"d{i}", source="feed.jsonl", format="jsonl", text=text)
             for i, text in enumerate([GOOD[0], GOOD[1] + "\nPOISON", GOOD[2], "\n".join(GOOD)])]
    docs = clean_items(items, config, options)
    assert [d.status for d in docs] == ["ok", "failed", "ok", "ok"]
    assert docs[1].error == "this page cannot be repaired"
    assert [docs[i] for i in (0, 2, 3)] == [clean_item(items[i], config, options) for i in (0, 2, 3)]


def test_batches_hold_a_bounded_amount_of_text() -> None:
    """A batch keeps all its pages' state until its last step: large documents must not be batched 32 at a time."""
    from clean.document import RawRecord
    from clean.shard import BATCH, BATCH_CHARS, in_batches

    small = [RawRecord(id=f"s{i}", source="f", format="txt", text="x" * 10_000) for i in range(70)]
    assert [len(b) for b in in_batches(small)] == [BATCH, BATCH, 70 - 2 * BATCH]
    big = RawRecord(id="big", source="f", format="txt", text="x" * (BATCH_CHARS + 1))
    html = RawRecord(id="h", source="f", format="html", html="<p>" + "x" * (BATCH_CHARS // 2) + "</p>")
    batches = list(in_batches([*small[:3], big, html, html, *small[:2]]))
    assert [[r.id for r in b] for b in batches] == [["s0", "s1", "s2"], ["big"], ["h"], ["h", "s0", "s1"]]
    assert all(sum(len(r.html or r.text) for r in b) <= BATCH_CHARS or len(b) == 1 for b in batches)
