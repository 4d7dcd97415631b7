"""The command and the dataset it writes: layout, exit codes, determinism, replacement, accounting."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import SEEDS

from clean.document import Removal
from clean.errors import UsageError
from clean.page.cleaner import Line, rebuild
from clean.page.repair import repair
from clean.runner import run


def clean_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clean", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    proc = clean_cli(SEEDS, out, "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return out


def test_layout_and_columns(seeds_out: Path) -> None:
    manifest = json.loads((seeds_out / "manifest.json").read_text())
    gen = manifest["generation"]
    assert len(gen) == 8 and int(gen, 16) >= 0
    assert (seeds_out / "documents" / f"part-00000-{gen}.parquet").is_file()
    assert (seeds_out / "removals" / f"part-00000-{gen}.parquet").is_file()
    assert (seeds_out / "manifest.json").is_file() and (seeds_out / "README.md").is_file()
    assert f"path: documents/*-{gen}.parquet" in (seeds_out / "README.md").read_text()
    assert not (seeds_out / ".clean").exists(), "the work folder is removed once the dataset is published"
    docs = pq.read_table(seeds_out / "documents")
    assert {"id", "source", "format", "url", "title", "author", "date", "site", "language", "text", "n_chars_in",
            "n_chars_out", "n_removed", "status"} <= set(docs.column_names)
    assert str(docs.schema.field("date").type) == "date32[day]"
    rows = docs.to_pylist()
    assert sorted(r["source"] for r in rows) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all(r["id"] == r["source"] and r["status"] == "ok" and r["language"] == "en" for r in rows)
    assert all("\n\n" not in r["text"] for r in rows)
    meta = pq.ParquetFile(seeds_out / "documents" / f"part-00000-{gen}.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_removals_rebuild_each_documents_repaired_input(seeds_out: Path) -> None:
    docs = {r["id"]: r for r in pq.read_table(seeds_out / "documents").to_pylist()}
    removals = pq.read_table(seeds_out / "removals").to_pylist()
    assert {"id", "line", "text", "rule", "kind", "action"} <= set(removals[0])
    for doc_id, doc in docs.items():
        mine = [r for r in removals if r["id"] == doc_id]
        repaired = repair((SEEDS / doc["source"]).read_text(encoding="utf-8")).lines
        kept_lines = [i for i in range(len(repaired)) if not any(
            r["stage"] == "clean" and r["line"] == i and r["action"] in ("drop", "to_metadata") and r["start"] == 0
            and r["text"] == repaired[i] for r in mine)]
        output = [Line(n, t) for n, t in zip(kept_lines, doc["text"].split("\n") if doc["text"] else [], strict=True)]
        records = [Removal(r["line"], r["text"], r["rule"], r["kind"], r["action"], r["reason"], r["stage"], r["start"])
                   for r in mine]
        assert rebuild(output, records) == repaired, doc_id


def test_manifest_accounts_for_every_input(seeds_out: Path) -> None:
    m = json.loads((seeds_out / "manifest.json").read_text())
    c = m["counts"]
    assert c["documents"] == c["ok"] + c["empty"] + c["failed"] == 5
    assert len(m["input_files"]) == 5 and all(f["status"] == "ok" for f in m["input_files"])
    assert m["removals_by_kind"]["attribution"] >= 6
    assert sum(m["removals_by_rule"].values()) == c["removals"] == pq.read_table(seeds_out / "removals").num_rows
    assert m["config"]["dedup_threshold"] == 0.5
    # Where the time went: each stage, and each corpus step and dedup stage, so a slow run can be read.
    assert {"plan", "clean", "corpus", "write", "total"} <= m["timings"].keys()
    assert {"corpus.repeated_lines", "corpus.dedup", "corpus.dedup.sketch", "corpus.dedup.documents.bands",
            "corpus.dedup.passages.clusters"} <= m["timings"].keys()


def test_same_input_gives_identical_parquet_bytes(seeds_out: Path, tmp_path: Path) -> None:
    out2 = tmp_path / "again"
    assert clean_cli(SEEDS, out2, "--workers", "2", "--shard-docs", "2").returncode == 0
    for table in ("documents", "removals"):
        first = sorted((seeds_out / table).glob("*.parquet"))
        second = sorted((out2 / table).glob("*.parquet"))
        assert [p.name for p in first] == [p.name for p in second]
        assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


def test_load_dataset_reads_every_table(seeds_out: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    # A cache of our own: the shared one is keyed by the folder's path, which pytest reuses across runs, and it
    # answered with an earlier run's table once the output changed.
    cache = str(tmp_path / "hf-cache")
    docs = datasets.load_dataset(str(seeds_out), "documents", split="train", cache_dir=cache)
    assert docs.num_rows == 5 and {"text", "dup_cluster", "duplicate_of"} <= set(docs.column_names)
    for name in ("removals", "passages", "signatures"):
        table = datasets.load_dataset(str(seeds_out), name, split="train", cache_dir=cache)
        assert table.num_rows == pq.read_table(seeds_out / name).num_rows > 0


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    cases = [
        (tmp_path / "missing", tmp_path / "out"),
        (SEEDS,),
        (SEEDS, SEEDS),
        (SEEDS, SEEDS / "out"),
    ]
    (tmp_path / "afile").write_text("x")
    cases.append((SEEDS, tmp_path / "afile"))
    for args in cases:
        proc = clean_cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) <= 3 and "Traceback" not in proc.stderr
    proc = clean_cli(SEEDS, tmp_path / "o", "--no-such-flag")
    assert proc.returncode == 2 and "no-such-flag" in proc.stderr
    assert not (SEEDS / "out").exists()


def test_failed_inputs_exit_3_and_the_rest_is_written(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for p in SEEDS.glob("*.txt"):
        (src / p.name).write_bytes(p.read_bytes())
    (src / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe\x00binary\x00" * 200)
    (src / "records.jsonl").write_text(
        json.dumps({"id": "a1", "text": "Shares rose 4% on Monday after the results, the company said in a statement."})
        + "\n{not json\n"
        + json.dumps({"id": "a3", "url": "https://example.com/x", "text": "Officials said the bridge would reopen "
                      "next week after repairs that took most of the summer."}) + "\n",
        encoding="utf-8")
    out = tmp_path / "out"
    proc = clean_cli(src, out)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and "broken.txt" in proc.stderr
    docs = {r["id"]: r for r in pq.read_table(out / "documents").to_pylist()}
    assert all(docs[p.name]["status"] == "ok" for p in SEEDS.glob("*.txt"))
    assert docs["broken.txt"]["status"] == "failed" and docs["broken.txt"]["error"]
    assert docs["a1"]["status"] == "ok" and docs["a3"]["site"] == "example.com"
    assert docs["records.jsonl:2"]["status"] == "failed"
    m = json.loads((out / "manifest.json").read_text())
    assert m["counts"]["documents"] == m["counts"]["ok"] + m["counts"]["empty"] + m["counts"]["failed"] == 9
    by_source = {f["source"]: f for f in m["input_files"]}
    assert by_source["broken.txt"]["status"] == "failed" and by_source["records.jsonl"]["status"] == "partial"


def test_rerun_replaces_own_files_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = tmp_path / "in"
    src.mkdir()
    for p in SEEDS.glob("*.txt"):
        (src / p.name).write_bytes(p.read_bytes())
    assert run(src, out, workers=1).exit_code == 0
    (out / "documents" / "notes.txt").write_text("mine")
    (out / "keep.csv").write_text("a,b")
    (out / "documents" / "part-00007.parquet").write_bytes(b"not ours")
    (src / "000_f36c42251596383b.txt").unlink()
    with pytest.raises(UsageError, match=r"documents/notes.txt, documents/part-00007.parquet, keep.csv\)"):
        run(src, out, workers=1)
    result = run(src, out, workers=1, force=True)
    assert result.counts["documents"] == 4
    assert (out / "documents" / "notes.txt").read_text() == "mine"
    assert (out / "keep.csv").exists() and (out / "documents" / "part-00007.parquet").exists()
    assert result.manifest["files"]["documents"] == [f"documents/part-00000-{result.manifest['generation']}.parquet"]
    assert pq.read_table(out / result.manifest["files"]["documents"][0]).num_rows == 4
    assert sorted(p.name for p in (out / "documents").iterdir()) == sorted(
        ["notes.txt", "part-00007.parquet", Path(result.manifest["files"]["documents"][0]).name])


def test_formats_gz_and_single_file(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    page = (SEEDS / "004_bf6ca3c3fed56fed.txt").read_bytes()
    (src / "page.txt.gz").write_bytes(gzip.compress(page))
    html = ("<html lang='en'><head><title>Rates held | The Ledger</title></head><body><nav>Home News</nav>"
            "<article><h1>Rates held</h1><p>The central bank kept rates unchanged on Wednesday, citing "
            "steady inflation and a cooling labour market, and said it would watch the data.</p><p>Markets had "
            "expected the decision, and bond yields were little changed after the announcement.</p></article>"
            "<footer>© 2024 The Ledger</footer></body></html>")
    (src / "story.html").write_text(html, encoding="utf-8")
    out = tmp_path / "out"
    assert run(src, out, workers=1).exit_code == 0
    docs = {r["source"]: r for r in pq.read_table(out / "documents").to_pylist()}
    assert docs["page.txt.gz"]["format"] == "txt" and docs["page.txt.gz"]["author"] == "Nidhi Govil"
    assert docs["story.html"]["format"] == "html" and "central bank kept rates" in docs["story.html"]["text"]
    assert "Home News" not in docs["story.html"]["text"]
    single = tmp_path / "single"
    assert run(src / "story.html", single, workers=1).exit_code == 0
    assert pq.read_table(single / "documents").column("source").to_pylist() == ["story.html"]


def test_the_fast_html_model_is_chosen_by_a_flag_and_named_in_the_manifest(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    paragraph = ("The council met on Monday and approved the plan to rebuild the old bridge over the river, which has "
                 "been closed to traffic since the floods of last winter.")
    (src / "story.html").write_text(
        "<html><head><title>Bridge plan | The Courier</title></head><body><nav><a href='/'>Home</a> "
        f"<a href='/news'>News</a></nav><article><h1>Bridge plan</h1><p>{paragraph}</p><p>{paragraph[::-1]}</p>"
        "</article><footer>© 2024 The Courier</footer></body></html>", encoding="utf-8")
    fast, accurate = tmp_path / "fast", tmp_path / "accurate"
    assert clean_cli(src, fast, "--workers", "1", "--html-model", "fast").returncode == 0
    assert clean_cli(src, accurate, "--workers", "1").returncode == 0
    manifests = [json.loads((out / "manifest.json").read_text()) for out in (fast, accurate)]
    assert [m["html_model"]["name"] for m in manifests] == ["page_html_fast", "page_html"]
    assert [m["config"]["html_model"] for m in manifests] == ["fast", "accurate"]
    assert manifests[0]["fingerprint"] != manifests[1]["fingerprint"]
    assert "page_html_fast" in (fast / "README.md").read_text()
    bad = clean_cli(src, tmp_path / "bad", "--html-model", "quick")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
