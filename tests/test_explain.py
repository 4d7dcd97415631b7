"""`clean --explain ID OUT` and `clean --list-rules`, run for real on the seeds and on pages made here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import SEEDS

from clean.audit.explain import _removal, explain, rebuild_page
from clean.cli import command
from clean.rules import default_rules

SEED_004 = "004_bf6ca3c3fed56fed.txt"
ANSI = "\x1b["
DATE_FIELD_PAGE = """City approves budget

Published: March 3, 2024 The city council approved the new budget on Monday after a long debate about schools and roads, officials said.

The mayor said the plan would raise spending on schools by four percent over the next two years, and that roads would get more money too.

Council members voted seven to two in favour of the plan after a debate that ran late into the evening.
"""


STORY = ("<html lang='en'><head><title>Rates held | The Ledger</title></head><body><nav>Home News</nav>"
         "<article><h1>Rates held</h1><p>The central bank kept rates unchanged on Wednesday, citing steady inflation "
         "and a cooling labour market, and said it would watch the data.</p><p>Markets had expected the decision, "
         "and bond yields were little changed after the announcement.</p></article>"
         "<footer>© 2024 The Ledger</footer></body></html>")


def clean_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clean", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("explain") / "out"
    proc = clean_cli(SEEDS, out, "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return out


def page_lines(stdout: str) -> dict[str, list[str]]:
    """Page lines of an explanation by their text: the marker and the annotation lines under each."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        m = re.match(r"^\s*\d+ ([-> ~*]) (.*)$", line)
        if m:
            current = found.setdefault(m.group(2), [])
            current.append(m.group(1))
        elif current is not None and line.startswith(" "):
            current.append(line.strip())
    return found


def test_explain_seed_004_names_the_repair_the_attributions_and_the_footer(seeds_out: Path) -> None:
    proc = clean_cli("--explain", SEED_004, seeds_out)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert ANSI not in out, "piped output is plain"
    assert out.startswith(SEED_004)
    assert "author      Nidhi Govil" in out and "duplicates  none found" in out
    assert f"read from {SEEDS / SEED_004}" in out
    lines = page_lines(out)
    benzinga = lines["Source: Benzinga"]
    assert benzinga[0] == "-" and any(a.startswith("^ attribution.source_v1 (attribution, drop)") for a in benzinga)
    assert benzinga.count("-") == 6, "the six 'Source: Benzinga' lines are each marked as removed"
    assert lines["© 2025 Triveous Technologies Private Limited"][:2] == ["-", "^ copyright.notice_v1 (copyright, drop): "
                                                                         "a copyright notice"]
    assert any(a.startswith("^ social.logo_v1") for a in lines["Instagram logo"])
    # the newsletter pitch after the footer's site line: the page model ends the article at that boundary
    pitch = lines["Your Daily Dose of Curated AI News"]
    assert pitch[0] == "-" and any(a.startswith("^ model.page_text_v2 (footer, drop)") and "section boundary" in a
                                   for a in pitch)
    assert lines["Reviewed byNidhi Govil"][0] == ">" and "to author" in lines["Reviewed byNidhi Govil"][1]
    # the citation numeral that split a sentence from its period, and the period joined back
    repaired = next(v for k, v in lines.items() if k.endswith("captured investor attention and confidence."))
    assert repaired[0] == "*"
    assert any("repair.citation_numeral_v1 (citation_marker, drop '1' from line 14" in a for a in repaired)
    assert any("repair.citation_numeral_v1 (citation_marker, join '.' from line 16" in a for a in repaired)
    kept = next(v for k, v in lines.items() if k.startswith("Alibaba's strategic AI investments"))
    assert kept == [" "]


def test_colour_only_when_forced_or_on_a_terminal(seeds_out: Path) -> None:
    forced = clean_cli("--explain", SEED_004, seeds_out, "--color")
    assert forced.returncode == 0 and ANSI in forced.stdout
    assert "\x1b[31m" in forced.stdout, "removed lines are red"
    runner = CliRunner()
    coloured = runner.invoke(command, ["--explain", SEED_004, str(seeds_out)], color=True)
    assert coloured.exit_code == 0 and ANSI in coloured.output
    plain = runner.invoke(command, ["--explain", SEED_004, str(seeds_out)], color=False)
    assert plain.exit_code == 0 and ANSI not in plain.output
    never = runner.invoke(command, ["--explain", SEED_004, str(seeds_out), "--no-color"], color=True)
    assert ANSI not in never.output
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.output) == plain.output


def test_unknown_id_or_not_an_output_exits_2_with_one_line(seeds_out: Path, tmp_path: Path) -> None:
    for args in (("--explain", "no-such-id", seeds_out), ("--explain", SEED_004, tmp_path),
                 ("--explain", SEED_004), ("--explain", SEED_004, seeds_out, seeds_out)):
        proc = clean_cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
        assert proc.stdout == ""
        if "no-such-id" in args:
            assert "no document with id 'no-such-id'" in proc.stderr


def test_every_seed_page_rebuilds_exactly_with_and_without_the_input(seeds_out: Path) -> None:
    docs = pq.read_table(seeds_out / "documents").to_pylist()
    removals = pq.read_table(seeds_out / "removals").to_pylist()
    for doc in docs:
        e = explain(seeds_out, doc["id"])
        assert e.exact and e.input_path == str(SEEDS / doc["source"]) and e.note is None
        # what is left of each line, in order, is the published text
        assert "\n".join(line.output for line in e.lines if line.output is not None) == doc["text"]
        assert sum(len(line.marks) + len(line.repairs) for line in e.lines) == doc["n_removed"]
        alone = rebuild_page(doc, [_removal(r) for r in removals if r["id"] == doc["id"]])
        assert alone.exact and alone.input_path is None
        assert [(x.n, x.text, [(m.removal.rule, m.span) for m in x.marks]) for x in alone.lines] == [
            (x.n, x.text, [(m.removal.rule, m.span) for m in x.marks]) for x in e.lines]
        assert len(alone.repairs) == sum(len(x.repairs) for x in e.lines)


def test_explain_without_the_input_file_a_record_and_a_partial_line(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / SEED_004, src / SEED_004)
    (src / "dated.txt").write_text(DATE_FIELD_PAGE, encoding="utf-8")
    (src / "story.html").write_text(STORY, encoding="utf-8")
    (src / "records.jsonl").write_text("".join(
        json.dumps({"text": f"Shares rose {i}% on Monday after the results, the company said in a statement.\nShare\n"})
        + "\n" for i in range(1, 21)) + "{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    # 1 KB shards: the JSONL is cut into pieces, and explaining one of its records reads only the piece that holds it
    assert clean_cli(src, out, "--workers", "1", "--shard-mb", "0.001").returncode == 3
    story = explain(out, "story.html")  # the page is the text trafilatura extracts, extracted again
    assert story.exact and story.input_path and story.document["title"] == "Rates held"
    assert [line.output for line in story.lines if line.output] == story.document["text"].split("\n")

    dated = clean_cli("--explain", "dated.txt", out)
    assert dated.returncode == 0, dated.stderr
    assert "date        2024-03-03" in dated.stdout
    line = page_lines(dated.stdout)["[-Published: March 3, 2024 -]The city council approved the new budget on Monday "
                                    "after a long debate about schools and roads, officials said."]
    assert line[0] == "~" and "metadata.date_field_v1 (metadata, to date)" in line[1]

    record = clean_cli("--explain", "records.jsonl:17", out)
    assert record.returncode == 0, record.stderr
    assert "records.jsonl (jsonl), read from" in record.stdout and page_lines(record.stdout)["Share"][0] == "-"
    assert "Shares rose 17% on Monday" in record.stdout
    broken = clean_cli("--explain", "records.jsonl:21", out)
    assert broken.returncode == 0 and "status      failed: " in broken.stdout and "(no page: the document failed" in broken.stdout

    (src / SEED_004).unlink()
    (src / "dated.txt").unlink()
    moved = clean_cli("--explain", SEED_004, out)
    assert moved.returncode == 0, moved.stderr
    assert "the input file is no longer at" in moved.stdout and "page rebuilt from OUT" in moved.stdout
    assert "attribution.source_v1" in moved.stdout and "copyright.notice_v1" in moved.stdout
    # repairs cannot be placed on lines without the input: they are listed with their input line numbers
    assert "* line 14: drop '1': repair.citation_numeral_v1 (citation_marker)" in moved.stdout
    assert page_lines(clean_cli("--explain", "dated.txt", out).stdout) == page_lines(dated.stdout)


def test_list_rules_prints_every_rule_with_kind_reason_and_an_example() -> None:
    proc = clean_cli("--list-rules")
    assert proc.returncode == 0, proc.stderr
    assert ANSI not in proc.stdout
    rules = list(default_rules())
    assert f"{len(rules)} line rules" in proc.stdout
    for rule in rules:
        assert re.search(rf"^{re.escape(rule.name)}  \({rule.kind}, ", proc.stdout, re.M), rule.name
        assert f"    {rule.reason}\n" in proc.stdout and f"    e.g. {rule.examples[0]!r}\n" in proc.stdout
    assert ANSI in CliRunner().invoke(command, ["--list-rules"], color=True).output
    assert clean_cli("--list-rules", SEEDS, "out").returncode == 2


def test_a_folder_named_rules_is_still_an_input(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    shutil.copy(SEEDS / SEED_004, tmp_path / "rules" / SEED_004)
    proc = clean_cli("rules", "out", "--workers", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert pq.read_table(tmp_path / "out" / "documents").column("id").to_pylist() == [SEED_004]


def test_explain_shows_what_weighed_most_in_each_model_removal(seeds_out: Path) -> None:
    # Every line the page model dropped is shown with P(content) and the features that moved its score most,
    # recomputed from the input; the weighings' shares are real SHAP values (they and the base give the score).
    docs = pq.read_table(seeds_out / "documents").to_pylist()
    shown = 0
    for doc in docs:
        e = explain(seeds_out, doc["id"])
        model_lines = [line for line in e.lines if any(m.removal.rule.startswith("model.") for m in line.marks)]
        for line in model_lines:
            prob, top = e.weighings[line.n]
            assert 0.0 <= prob <= 1.0 and len(top) == 3
            assert abs(top[0][2]) >= abs(top[1][2]) >= abs(top[2][2]) > 0
        if model_lines:
            proc = clean_cli("--explain", doc["id"], seeds_out)
            assert proc.returncode == 0, proc.stderr
            annotated = [n for n in page_lines(proc.stdout).values() if any("^ model." in a for a in n)]
            assert annotated and all(any("weighed most (first round, P(content) = " in a for a in n)
                                     for n in annotated)
            shown += 1
    assert shown >= 2
