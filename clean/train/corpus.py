"""The labelled corpus the page model learns from: pages, their text form, and folds by source and site.

Training and the leave-one-source-out benchmark read pages through here, so both see the same text form of
a page (the corpus README's: ``html_text`` with ``guess_layout``, the hard select-all input) and the same folds.
Only training imports this module; ``html_text`` is a training extra, not a dependency of cleaning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pyarrow.parquet as pq
import regex

from clean.encoding import decode

#: An XML declaration at the head of a page.
_XML_DECLARATION = regex.compile(r"^\s*<\?xml[^>]*\?>")

#: Where the corpus lives beside a checkout of the repository (``../shared/corpus/pages``).
DEFAULT_PAGES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pages"


@dataclass(frozen=True, slots=True)
class Page:
    """One labelled page: where it comes from, its bytes, and the text a person marked as its content."""

    id: str
    source: str
    domain: str
    page_type: str
    lang: str | None
    html: bytes
    gold: str


def read_pages(root: Path = DEFAULT_PAGES, sources: set[str] | None = None) -> Iterator[Page]:
    """Every page of the corpus (or of ``sources``), in file then row order."""
    for path in sorted(root.glob("*.parquet")):
        source = path.stem
        if sources is not None and source not in sources:
            continue
        table = pq.read_table(path, columns=["id", "source", "domain", "page_type", "lang", "html", "gold"])
        for row in table.to_pylist():
            yield Page(
                id=row["id"],
                source=source,  # the file's name: cleaneval and msv hold subsets with their own source labels
                domain=row["domain"] or "",
                page_type=row["page_type"] or "",
                lang=row["lang"],
                html=row["html"] or b"",
                gold=row["gold"] or "",
            )


def decoded(html: bytes, source: str = "corpus page") -> str:
    """A page's HTML decoded as a run decodes it (its declared charset, else UTF-8, else detected); an
    undecodable page is empty, as a failed document would leave it."""
    try:
        return decode(html, source=source, html=True)[0]
    except ValueError:
        return ""


def text_form(html: bytes) -> str:
    """The page as a user's ``.txt`` holds it: every visible block on its own line (the corpus README's form).

    The bytes are decoded as ``clean`` decodes an HTML page before ``html_text`` reads them: lxml given bytes
    without a ``<meta charset>`` reads them as Latin-1, and 700 corpus pages (23 of zh_immortal's 69 whole)
    came out as mojibake no browser's select-all would give.
    """
    import html_text

    markup = _XML_DECLARATION.sub("", decoded(html), count=1)  # lxml refuses one in a decoded string
    if not markup.strip():
        return ""
    try:
        tree = lxml.html.fromstring(markup)
    except (ValueError, lxml.etree.ParserError):
        return ""
    return html_text.extract_text(tree, guess_layout=True)


def fold_of(page: Page) -> str:
    """The unit a page is held out with: its source (train on the other eleven, score this one)."""
    return page.source
