"""The quality gate: seeds exact and news-page F1 must not fall below the floors pinned in a file.

The figures use the benchmark's metric (4-token shingles, precision and recall averaged over pages).
Raising a floor is a one-line change in ``quality_floors.json``; a change that lowers a figure fails CI.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import GOLDEN, SEEDS, shared_path

from clean.document import RawRecord
from clean.evaluate import page_scores
from clean.page.pipeline import clean_text
from clean.page.records import clean_record

FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf-8"))
def test_seeds_exact_floor() -> None:
    exact = 0
    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = clean_text(path.read_text(encoding="utf-8"))
        want = json.loads((GOLDEN / "seeds" / f"{path.stem}.json").read_text(encoding="utf-8"))
        got = {"title": cleaned.title, "author": cleaned.author,
               "date": cleaned.date.isoformat() if cleaned.date else None}
        exact += cleaned.text == (GOLDEN / "seeds" / path.name).read_text(encoding="utf-8").rstrip("\n") and got == want
    assert exact >= FLOORS["seeds_exact"]


def test_news_pages_text_floor() -> None:
    pages = shared_path("eval", "news-pages")
    pairs = [((pages / "gold" / g.name).read_text(encoding="utf-8"),
              clean_text((pages / "text" / g.name).read_text(encoding="utf-8")).text)
             for g in sorted((pages / "gold").glob("*.txt"))]
    f1, precision, recall = page_scores(pairs)
    print(f"news-pages text: F1 {f1:.3f} P {precision:.3f} R {recall:.3f}")
    assert f1 >= FLOORS["news_pages_text_f1"]
    assert precision >= FLOORS["news_pages_text_precision"]
    assert recall >= FLOORS["news_pages_text_recall"]


def test_news_pages_html_floor() -> None:
    pages = shared_path("eval", "news-pages")
    urls = json.loads((pages / "pages.json").read_text(encoding="utf-8"))
    pairs = []
    for g in sorted((pages / "gold").glob("*.txt")):
        html = gzip.decompress((pages / "html" / f"{g.stem}.html.gz").read_bytes()).decode("utf-8", "replace")
        record = RawRecord(id=g.stem, source=g.name, format="html", html=html, url=None)
        pairs.append((g.read_text(encoding="utf-8"), clean_record(record).text))
    assert len(urls) >= len(pairs)
    f1, precision, _ = page_scores(pairs)
    print(f"news-pages html: F1 {f1:.3f} P {precision:.3f}")
    assert f1 >= FLOORS["news_pages_html_f1"]
    assert precision >= FLOORS["news_pages_html_precision"]


@pytest.mark.parametrize("floor", ["news_pages_text_f1", "news_pages_html_f1"])
def test_floors_are_meaningful(floor: str) -> None:
    """A floor under the issue's target would let a regression through unnoticed."""
    assert FLOORS[floor] >= 0.85
