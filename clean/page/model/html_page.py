"""An HTML page made ready for the page model: its blocks as lines, each with its DOM features, and what the
peer extractors kept of it.

The page model reads an HTML page as it reads a text page (the same cleaners, the same line features), with
two more kinds of evidence per line: where it sits in the DOM (``blocks``) and whether trafilatura and
the peer extractors kept it (``peers``: trafilatura with each of its three trade-offs, readability-lxml,
resiliparse). The peers cost most of an HTML page's time; trafilatura's default run also gives the metadata.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import lxml.html
import numpy as np

from clean.page.html import Extracted, HtmlOptions, extract_tree, parse_html
from clean.page.model.blocks import DOM_NAMES, blocks
from clean.page.model.page import HTML_NAME, PEERS_OF
from clean.page.model.peers import PeerText, verdicts

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: What trafilatura is asked for when its text is a feature: its defaults (the metadata comes with it) in its fast
#: mode, without the fallback extractors (readability, justext) it would otherwise compare its result with. On the
#: 88 dev pages that took its three runs from 1.84, 1.22 and 0.75 s to 1.27, 0.67 and 0.63 s; leave-one-source-out
#: on the corpus the models read its fast output as well as its full one (docs/model.md, "The HTML models").
PEER_OPTIONS = HtmlOptions(focus="balanced", fast=True)


@dataclass(frozen=True, slots=True)
class HtmlView:
    """What the cleaners' lines cannot say of an HTML page: per line of the page's text, its DOM features,
    and the peers' outputs. ``dom`` has a row per line of the text the cleaners received, by its number."""

    dom: np.ndarray
    peers: tuple[PeerText, ...]
    #: The HTML model the view was read for (its peers are that model's ``PEERS_OF``).
    model: str = HTML_NAME

    def repaired(self, origins: Sequence[int]) -> HtmlView:
        """The same view indexed by repaired line (``repair`` may join lines: a joined line keeps its first)."""
        rows = self.dom[np.asarray(origins, dtype=np.intp)] if len(origins) else self.dom[:0]
        return HtmlView(rows, self.peers, self.model)

    def features(self, ns: Sequence[int], texts: Sequence[str]) -> np.ndarray:
        """The ``HTML_EXTRA`` columns for the lines numbered ``ns`` whose current texts are ``texts``."""
        dom = self.dom[np.asarray(ns, dtype=np.intp)] if len(ns) else np.zeros((0, len(DOM_NAMES)))
        return np.hstack([dom, verdicts(texts, self.peers)])


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """An HTML page read for cleaning: its lines (one block a line), the metadata trafilatura found, and the view."""

    text: str
    extracted: Extracted
    view: HtmlView


def read_html(html: str, url: str | None = None, model: str = HTML_NAME) -> HtmlPage:
    """Parse a decoded page once; segment it into blocks, run trafilatura (text and metadata) and the other peers
    ``model`` reads (``PEERS_OF``).

    Raises:
        ValueError: the page is too large or cannot be parsed or extracted (a one-line message).
    """
    tree = parse_html(html)
    extracted = extract_tree(tree, url, PEER_OPTIONS)
    found = blocks(tree) if tree is not None else []
    dom = np.array([b.dom for b in found], dtype=np.float64).reshape(len(found), len(DOM_NAMES))
    outputs = {
        "trafilatura": lambda: extracted.text,
        "trafilatura_precision": lambda: _trafilatura(tree, precision=True),
        "trafilatura_recall": lambda: _trafilatura(tree, recall=True),
        "readability": lambda: _readability(html),
        "resiliparse": lambda: _resiliparse(html),
    }
    peers = tuple(PeerText.of(outputs[peer]()) for peer in PEERS_OF[model])
    return HtmlPage("\n".join(b.text for b in found), extracted, HtmlView(dom, peers, model))


def _trafilatura(tree: HtmlElement | None, *, precision: bool = False, recall: bool = False) -> str:
    """trafilatura's text of the page with one of its trade-offs, in the fast mode of ``PEER_OPTIONS`` ("" when it
    finds none or fails)."""
    import trafilatura

    if tree is None:
        return ""
    try:
        return trafilatura.extract(
            tree, include_comments=False, include_tables=True, favor_precision=precision, favor_recall=recall,
            fast=PEER_OPTIONS.fast,
        ) or ""
    except Exception:  # a peer's crash is a missing opinion, not a failed document
        return ""


def _resiliparse(html: str) -> str:
    """resiliparse's main-content text of the page ("" when it finds none or fails: one peer's silence)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    try:
        return extract_plain_text(HTMLTree.parse(html), main_content=True) or ""
    except Exception:  # a peer's crash is a missing opinion, not a failed document
        return ""


def _readability(html: str) -> str:
    """readability-lxml's article, as lines of visible text ("" when it finds none or fails)."""

    logger = logging.getLogger("readability.readability")
    if logger.level == logging.NOTSET:  # it logs every page it finds thin (the command sets its own level)
        logger.setLevel(logging.ERROR)
    try:
        summary = _text_only_readability()(html).summary(html_partial=True)
        return "\n".join(b.text for b in blocks(lxml.html.fromstring(summary))) if summary.strip() else ""
    except Exception:  # a peer's crash is a missing opinion, not a failed document
        return ""


@functools.cache
def _text_only_readability() -> type:
    """readability-lxml's ``Document`` with a cleaner that leaves links alone.

    readability cleans each page with lxml's ``Cleaner(javascript=True)``, which rewrites every link and event
    attribute to take scripts out: half of its time on the 88 dev pages (2.2 -> 1.1 s), for a change to ``href``
    values only. We read the article's text, never its links, so the text is the same: on the 88 dev pages and on
    1,276 corpus pages (every fourth), and ``tests/test_html_model.py`` compares the two on a page with hidden
    blocks and script links so that a new readability-lxml cannot drift unseen. ``_parse`` is readability-lxml
    0.9's, with that one cleaner swapped.
    """
    from lxml_html_clean import Cleaner
    from readability import Document
    from readability.htmls import build_doc
    from readability.readability import REGEXES

    cleaner = Cleaner(
        scripts=True, javascript=False, comments=True, style=True, links=True, meta=False, add_nofollow=False,
        page_structure=False, processing_instructions=True, embedded=False, frames=False, forms=False,
        annoying_tags=False, remove_tags=None, remove_unknown_tags=False, safe_attrs_only=False,
    )

    class TextOnly(Document):
        def _parse(self, input: str) -> HtmlElement:
            doc, self.encoding = build_doc(input)
            for elem in doc.xpath("//*[@hidden]"):
                elem.drop_tree()
            for elem in doc.xpath("//*[@style]"):
                if REGEXES["displayNoneRe"].search(elem.get("style")):
                    elem.drop_tree()
            doc = cleaner.clean_html(doc)
            doc.resolve_base_href(handle_failures=self.handle_failures)
            return doc

    return TextOnly
