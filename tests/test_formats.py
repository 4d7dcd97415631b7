"""What a folder of real-world files holds is read, or accounted for (issue 20): compressed files of every kind by
their suffix and by their content, and files of kinds ``clean`` does not read listed as skipped, never silently."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import SEEDS

import clean
from clean.runner import run


def _zstd(path: Path, data: bytes) -> None:
    with pa.CompressedOutputStream(str(path), "zstd") as out:
        out.write(data)


COMPRESS = {
    ".gz": lambda p, d: p.write_bytes(gzip.compress(d)),
    ".bz2": lambda p, d: p.write_bytes(bz2.compress(d)),
    ".xz": lambda p, d: p.write_bytes(lzma.compress(d)),
    ".zst": _zstd,
}


def _records(pages: list[str]) -> bytes:
    return "".join(json.dumps({"id": f"r{i}", "text": page}) + "\n" for i, page in enumerate(pages)).encode()


def _texts(out: Path) -> dict[str, str]:
    return {d["id"]: d["text"] for d in pq.read_table(out / "documents").to_pylist() if d["status"] == "ok"}


def test_every_format_reads_the_same_compressed_by_gz_bz2_xz_or_zst(tmp_path: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "page.txt").write_text(pages[0], encoding="utf-8")
    html = f"<html><head><title>Bridge</title></head><body><article><p>{pages[1].replace(chr(10), '</p><p>')}</p>"
    html += "</article></body></html>"
    (plain / "page.html").write_text(html, encoding="utf-8")
    (plain / "records.jsonl").write_bytes(_records(pages[2:]))
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.table({"id": ["p0", "p1"], "text": pages[:2]}), buffer)
    (plain / "rows.parquet").write_bytes(buffer.getvalue().to_pybytes())
    expected = _texts(tmp_path / "plain-out") if run(plain, tmp_path / "plain-out", workers=1).exit_code == 0 else None
    assert expected and len(expected) == 7
    for suffix, write in COMPRESS.items():
        folder = tmp_path / suffix.strip(".")
        folder.mkdir()
        for f in plain.iterdir():
            write(folder / f"{f.name}{suffix}", f.read_bytes())
        result = run(folder, tmp_path / f"out-{suffix.strip('.')}", workers=1, shard_docs=1)
        assert result.exit_code == 0, (suffix, result.manifest["input_files"])
        found = _texts(tmp_path / f"out-{suffix.strip('.')}")
        assert found == {k.replace(".txt", f".txt{suffix}").replace(".html", f".html{suffix}"): v
                         for k, v in expected.items()}, suffix
        # a compressed JSONL larger than a shard is cut into pieces, as a .jsonl.gz is
        assert sum(len(s["pieces"]) for s in result.manifest["shards"]) >= 5, suffix


def test_compression_is_known_by_content_as_well_as_by_suffix(tmp_path: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    src = tmp_path / "in"
    src.mkdir()
    (src / "gzipped.jsonl").write_bytes(gzip.compress(_records(pages[:2])))  # no .gz, still gzip
    _zstd(src / "page.txt", pages[2].encode())  # a zstd stream named .txt
    (src / "mislabelled.jsonl.gz").write_bytes(lzma.compress(_records(pages[3:])))  # xz under a .gz suffix
    (src / "BZh.txt").write_text("BZh is how this plain page starts, and it is no bzip2 stream at all, said the editor.")
    result = run(src, tmp_path / "out", workers=1)
    assert result.exit_code == 0, result.manifest["input_files"]
    texts = _texts(tmp_path / "out")
    assert len(texts) == 6 and texts["page.txt"] == clean.clean_text(pages[2]).text
    assert texts["BZh.txt"].startswith("BZh is how this plain page starts")


def test_a_damaged_stream_of_each_kind_fails_with_its_name(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    data = _records([p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))])
    for suffix, write in COMPRESS.items():
        write(src / f"whole{suffix}.jsonl{suffix}", data)
        cut = (src / f"whole{suffix}.jsonl{suffix}").read_bytes()
        (src / f"cut{suffix}.jsonl{suffix}").write_bytes(cut[: len(cut) // 2])
    result = run(src, tmp_path / "out", workers=1)
    assert result.exit_code == 3
    by_source = {e["source"]: e for e in result.manifest["input_files"]}
    for suffix, name in ((".gz", "gzip"), (".bz2", "bzip2"), (".xz", "xz"), (".zst", "zstd")):
        assert by_source[f"whole{suffix}.jsonl{suffix}"]["status"] == "ok"
        entry = by_source[f"cut{suffix}.jsonl{suffix}"]
        assert entry["status"] != "ok" and entry["error"], suffix
        assert name in entry["error"], (suffix, entry["error"])


def test_files_of_unknown_kinds_are_listed_and_a_folder_of_only_those_exits_3(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "crawl.pdf").write_bytes(b"%PDF-1.7 not read")
    (src / "notes.docx").write_bytes(b"PK\x03\x04 not read")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "clean", str(src), str(out)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 3, proc.stderr
    assert "every input was skipped: 2 files" in proc.stderr and "crawl.pdf" in proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["files_skipped"] == 2 and manifest["counts"]["documents"] == 0
    assert [s["source"] for s in manifest["skipped_files"]] == ["crawl.pdf", "notes.docx"]
    assert all("unknown format" in s["reason"] for s in manifest["skipped_files"])
    (src / "page.txt").write_text((SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text())
    proc = subprocess.run([sys.executable, "-m", "clean", str(src), str(out)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "skipped     2 files" in proc.stderr


def test_a_folder_named_clean_in_the_working_directory_does_not_shadow_the_package(tmp_path: Path) -> None:
    """``clean raw/ clean/``: an output folder named as the package, in the working directory, is a namespace package
    there once the run has made it; the workers, pool and Ray alike, import the installed package, not the folder."""
    import shutil

    script = shutil.which("clean", path=str(Path(sys.executable).parent))
    assert script, "the console script is installed beside the interpreter"
    (tmp_path / "raw").mkdir()
    for page in sorted(SEEDS.glob("*.txt")):
        (tmp_path / "raw" / page.name).write_bytes(page.read_bytes())
    pool = ["--workers", "2", "--shard-docs", "1"]
    runs = [
        [sys.executable, "-m", "clean", "raw", "clean", *pool],  # the working directory first on sys.path
        [script, "raw", "clean", *pool],
    ]
    try:
        import ray  # noqa: F401

        runs.append([script, "raw", "clean", "--engine", "ray", *pool])
    except ImportError:
        pass
    for cmd in runs:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
        assert proc.returncode == 0, (cmd, proc.stderr)
        assert len(pq.read_table(tmp_path / "clean" / "documents")) == 5
