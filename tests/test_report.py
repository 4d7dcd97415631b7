"""OUT/report.html, the progress bar and the summary: written for real on the seeds, rendered in Chromium."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import SEEDS

from clean.audit.summary import summarise
from clean.config import Config
from clean.progress import Progress
from clean.runner import run

STATUS = re.compile(r'<div id="render-status"[^>]*>')
TIMINGS = re.compile(r'<p class="timings">.*?</p>')


def clean_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clean", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("report") / "out"
    proc = clean_cli(SEEDS, out, "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="module")
def seeds_out(seeds_run) -> Path:
    return seeds_run[0]


def test_report_is_written_listed_and_self_contained(seeds_out: Path) -> None:
    page = (seeds_out / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((seeds_out / "manifest.json").read_text())
    assert manifest["files"]["report"] == ["report.html"]
    size = len(page.encode())
    assert 200_000 < size < 400_000, f"{size} bytes: Chart.js (205 KB) inlined once, plus the seeds' tables"
    assert page.count("Chart.js v4.6.1") == 1
    # nothing is fetched: no stylesheet, script or image from elsewhere
    assert not re.search(r"""<(link|img|iframe)\b|\bsrc=|@import|url\(""", page)
    assert not re.search(r"""href=(?!["']?#)""", page)
    removals = pq.read_table(seeds_out / "removals")
    by_rule = manifest["removals_by_rule"]
    assert removals.num_rows == sum(by_rule.values()) == 46
    for rule, count in by_rule.items():
        assert re.search(rf"<td><code>{re.escape(rule)}</code></td><td>[a-z_]+</td><td class=num>{count}</td>", page)
    assert "<b>5</b>ok</div>" in page and "<b>0</b>failed</div>" in page and "<b>46</b>removals</div>" in page
    assert "Dedup ran and found no duplicate clusters." in page
    # the documents that lost the most, the first with its removed lines and the rules that took them
    assert page.index("001_0a28f59e1322be48.txt</code>: 859 characters removed") < page.index(
        "004_bf6ca3c3fed56fed.txt</code>: 553 characters removed")
    assert "Brett Shapiro is a co-owner of GovDocFiling" in page and "clean --explain 001_0a28f59e1322be48.txt OUT" in page
    assert STATUS.search(page).group().count('data-charts="4"') == 1
    assert page.count("<canvas") == 4


def test_a_rerun_gives_the_same_report_but_for_its_timings(seeds_out: Path, tmp_path: Path) -> None:
    first = (seeds_out / "report.html").read_text(encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    (out / "report.html").write_text("stale", encoding="utf-8")
    assert run(SEEDS, out, workers=1).exit_code == 0
    again = (out / "report.html").read_text(encoding="utf-8")
    assert again != "stale" and len(TIMINGS.findall(again)) == 1
    assert TIMINGS.sub("", again) == TIMINGS.sub("", first)


def with_duplicates(seeds_out: Path, out: Path) -> Path:
    """A real run on the seeds plus copies: seed 000 twice (exact, and with a paragraph dropped), seed 001 edited.

    Dedup finds two clusters, of three documents and of two; the originals come first in corpus order and are kept.
    """
    corpus = out.parent / f"{out.name}-input"
    shutil.copytree(SEEDS, corpus)
    first, second = sorted(SEEDS.glob("000_*.txt"))[0], sorted(SEEDS.glob("001_*.txt"))[0]
    (corpus / "zz").mkdir()
    shutil.copy(first, corpus / "zz" / "000-exact.txt")
    lines = first.read_text(encoding="utf-8").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    (corpus / "zz" / "000-shorter.txt").write_text("\n".join(lines[:longest] + lines[longest + 1 :]), encoding="utf-8")
    edited = second.read_text(encoding="utf-8").replace(" the ", " a ", 3).replace("company", "firm", 2)
    (corpus / "zz" / "001-edited.txt").write_text(edited, encoding="utf-8")
    assert run(corpus, out, workers=1).exit_code == 0
    return out


def test_duplicate_clusters_by_size(seeds_out: Path, tmp_path: Path) -> None:
    out = with_duplicates(seeds_out, tmp_path / "dups")
    summary = summarise(out, json.loads((out / "manifest.json").read_text()))
    assert summary.cluster_sizes == {3: 1, 2: 1} and summary.duplicates == 3
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "2 clusters hold 5 documents; 3 of them are marked as duplicates" in page
    assert 'id="chart-clusters"' in page
    assert page.count("<canvas") == 5 and 'data-charts="5"' in page
    from clean.audit.explain import explain
    from clean.audit.show import format_explanation

    text = format_explanation(explain(out, "zz/000-shorter.txt"))
    assert re.search(
        r"duplicates  cluster 000_f36c42251596383b.txt; duplicate of 000_f36c42251596383b.txt \(similarity 0\.\d\d\); "
        r"with 000_f36c42251596383b.txt, zz/000-exact.txt",
        text,
    ), text


# ---------------------------------------------------------------- in Chromium


def chromium() -> str:
    """Debian's chromium (CI installs it in .ci/run); a dev machine without it skips, CI fails."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium for the report test")
        pytest.skip("needs Debian's chromium (apt-get install chromium) to render report.html")
    return path


def render(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    """Open ``page`` in headless Chromium with no network; its console goes to stderr (--enable-logging)."""
    profile = tmp_path / f"profile-{page.stem}-{len(extra)}"
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
        "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}", "--enable-logging=stderr",
        "--v=0", "--hide-scrollbars", *extra, page.resolve().as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def rendered(page: Path, tmp_path: Path) -> tuple[dict[str, int], list[str]]:
    """The render status the page's script wrote, and every console message (errors, warnings, logs)."""
    proc = render(page, tmp_path, "--dump-dom")
    found = STATUS.search(proc.stdout)
    assert found, proc.stdout[-2000:]
    status = {k: int(v) for k, v in re.findall(r'data-(\w+)="(\d+)"', found.group())}
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    return status, console


def test_every_chart_renders_in_chromium_with_no_console_errors(seeds_out: Path, tmp_path: Path) -> None:
    dups = with_duplicates(seeds_out, tmp_path / "dups")
    for out in (seeds_out, dups):
        page = out / "report.html"
        charts = page.read_text(encoding="utf-8").count("<canvas")
        status, console = rendered(page, tmp_path)
        assert console == [], console
        assert status == {"charts": charts, "drawn": charts, "nonempty": charts, "errors": 0}, status
    shot = tmp_path / "report.png"
    render(seeds_out / "report.html", tmp_path, "--window-size=1280,2000", f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_the_chromium_check_sees_a_broken_page(seeds_out: Path, tmp_path: Path) -> None:
    page = (seeds_out / "report.html").read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    # without Chart.js the drawing script throws: the error is counted, nothing is drawn, the console says so
    broken.write_text(re.sub(r"<script>/\* Chart\.js.*?</script>", "", page, flags=re.S), encoding="utf-8")
    status, console = rendered(broken, tmp_path)
    assert status["errors"] == 1 and status["nonempty"] == 0 and status["charts"] == 4
    assert any("Chart is not defined" in line for line in console)
    empty = tmp_path / "empty.html"
    # a chart whose bars are all zero draws axes but no bar: not counted as rendered
    empty.write_text(re.sub(r'"data":\[(\d+,)*\d+\]', lambda m: '"data":[0]', page, count=1), encoding="utf-8")
    status, console = rendered(empty, tmp_path)
    assert console == [] and status["drawn"] == 4 and status["nonempty"] == 3


# ---------------------------------------------------------------- progress and summary


def test_summary_on_stderr_and_no_bar_when_piped(seeds_run) -> None:
    out, proc = seeds_run
    err = proc.stderr
    assert "\r" not in err and "shards" not in err, "no progress bar when stderr is not a terminal"
    assert err.startswith("clean: done\n")
    assert "  documents   5 in, 5 written: 5 ok, 0 empty, 0 failed\n" in err
    assert "  text        18,811 -> 17,041 characters (-9.4%)\n" in err
    assert "  removals    46: citation_marker 12, attribution 7, promo 4, title 4, author_box 3, footer 3, 11 more kinds\n" in err
    assert "  duplicates  0 of 5 documents (0 exact) in 0 clusters; 0 of 55 passages in 0 clusters\n" in err and "  failures    none\n" in err
    assert re.search(r"  time        \d+\.\d s \(plan ", err)
    assert f"  output      {out}: documents/, removals/, passages/, signatures/, report.html, manifest.json, README.md\n" in err
    assert proc.stdout == ""


def test_quiet_prints_nothing_and_a_log_file_gets_the_run(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    proc = clean_cli(SEEDS, tmp_path / "out", "--workers", "1", "-q", "--log-file", log)
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == ""
    text = log.read_text(encoding="utf-8")
    assert re.search(r"INFO clean\.cli: clean \d+\.\d+\.\d+: .*seeds -> .*out with \{'workers': 1", text)
    assert "INFO clean.cli: finished: clean: done documents 5 in, 5 written" in text
    assert "INFO clean.publish: wrote" in text and "report.html" in text


def test_progress_counts_files_and_documents_from_the_done_markers(tmp_path: Path) -> None:
    stream = io.StringIO()
    config = Config(workers=1, shard_docs=2)
    progress = Progress(tmp_path / "out", config, enabled=True, file=stream)
    run(SEEDS, tmp_path / "out", config, progress=progress)
    progress.close()
    frames = stream.getvalue().split("\r")
    assert any(f.startswith("cleaning: 100%|") and "3/3 shards" in f and "5/5 files, 5 docs" in f for f in frames)
    assert any(f.startswith("writing: 100%|") for f in frames)
    quiet = io.StringIO()
    run(SEEDS, tmp_path / "again", config, progress=Progress(tmp_path / "again", config, file=quiet))
    assert quiet.getvalue() == "", "off when the stream is not a terminal"


def test_losses_are_summed_per_document_across_part_files(seeds_out: Path, tmp_path: Path) -> None:
    """The report keeps only the documents that lost the most (never a dict of every document): a document's
    removals split over two part files still count as one document, with their characters summed."""
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    manifest = json.loads((out / "manifest.json").read_text())
    removals = pq.read_table(out / "removals")
    whole = summarise(out, manifest)
    cut = removals.num_rows // 2
    first, second = removals.column("id")[cut - 1].as_py(), removals.column("id")[cut].as_py()
    assert first == second  # the cut falls inside one document's removals
    for old in (out / "removals").iterdir():
        old.unlink()
    pq.write_table(removals.slice(0, cut), out / "removals" / "part-00000.parquet")
    pq.write_table(removals.slice(cut), out / "removals" / "part-00001.parquet")
    manifest["files"]["removals"] = ["removals/part-00000.parquet", "removals/part-00001.parquet"]
    split = summarise(out, manifest)
    assert (split.removed_documents, whole.removed_documents) == (4, 4)  # one seed loses only joined lines
    assert [(d["id"], d["removed_chars"]) for d in split.top] == [(d["id"], d["removed_chars"]) for d in whole.top]
    assert split.rules == whole.rules and split.kinds == whole.kinds
