"""Corpus-wide boilerplate: lines that recur on many pages of one site go; quotes shared by a few stay."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from clean.runner import run

TOPICS = ["the port expansion", "a new tram line", "the school budget", "flood defences", "the hospital merger",
          "a solar farm", "the airport noise rules", "a housing plan", "the water tariff", "library hours"]


def article(i: int) -> list[str]:
    topic = TOPICS[i % len(TOPICS)]
    return [
        f"Councillors in district {i} voted on Tuesday to approve {topic}, after a debate that ran past midnight "
        f"and drew more than {40 + i} residents to the chamber.",
        f"The plan for {topic} will cost about {3 + i} million euros over five years, according to figures the "
        f"finance office published on Monday, and will be reviewed in {2025 + i % 3}.",
        f"Opponents of {topic} in district {i} said they would appeal, while supporters said the vote ended "
        f"{i + 2} years of delays.",
    ]


SHORT_CHROME = "Ledger Local Edition"
PROSE_CHROME = ("The Daily Ledger is an independent local newspaper owned by its readers and funded by "
                "subscriptions since 1901.")
QUOTE = ('"We will not accept any cuts to frontline services," the mayor said in a statement issued '
         "on Monday evening.")


def test_site_chrome_goes_and_shared_quotes_stay(tmp_path: Path) -> None:
    records = []
    for i in range(25):
        lines = article(i)
        lines.insert(1, SHORT_CHROME)
        lines.append(PROSE_CHROME)
        if i < 3:
            lines.insert(2, QUOTE)
        records.append({"id": f"ledger-{i:02d}", "url": f"https://www.dailyledger.example/news/{i}",
                        "text": "\n".join(lines)})
    # A page of another site with the same short line: counts are per site, so it stays there.
    other = article(99)
    other.insert(1, SHORT_CHROME)
    records.append({"id": "other-0", "url": "https://other.example/a", "text": "\n".join(other)})
    src = tmp_path / "in"
    src.mkdir()
    (src / "pages.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(src, out, workers=1, dedup=False)
    docs = {r["id"]: r for r in pq.read_table(out / "documents").to_pylist()}
    for i in range(25):
        text = docs[f"ledger-{i:02d}"]["text"]
        assert SHORT_CHROME not in text and PROSE_CHROME not in text
        assert text.splitlines() == article(i)[:1] + ([QUOTE] if i < 3 else []) + article(i)[1:]
    assert SHORT_CHROME in docs["other-0"]["text"]
    removals = [r for r in pq.read_table(out / "removals").to_pylist() if r["rule"] == "corpus.repeated_line_v1"]
    assert len(removals) == 50
    assert {r["stage"] for r in removals} == {"corpus"} and {r["kind"] for r in removals} == {"boilerplate"}
    assert docs["ledger-00"]["n_removed"] >= 2
    assert result.manifest["repeated_lines"]["lines_removed"] == 50


def test_too_few_pages_mean_nothing_is_mined(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        lines = article(i)
        lines.insert(1, SHORT_CHROME)
        (src / f"{i}.txt").write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    run(src, out, workers=1, dedup=False)
    texts = pq.read_table(out / "documents").column("text").to_pylist()
    assert all(SHORT_CHROME in t for t in texts)
