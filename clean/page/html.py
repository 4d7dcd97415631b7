"""Lift the article body and its metadata out of an HTML news page.

Targets the page chrome that surrounds an article: navigation, header and footer, share bars, related-link
blocks, comment threads, cookie banners. trafilatura does the boilerplate removal; this module chooses its
settings (measured on ``../shared/eval/news-pages``), turns its output into one paragraph per line, and
turns its failures into a ``ValueError`` the caller records against the one document. Noise that survives
inside the body as whole lines (bylines, photo credits, promos) is left to the line cleaners.
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import lxml.html

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Pages longer than this are refused rather than parsed. trafilatura applies the same bound
#: (``MAX_FILE_SIZE`` = 20,000,000 in its settings.cfg) to bytes but not to ``str`` input, which is what we pass.
MAX_HTML_CHARS = 20_000_000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANG = re.compile(r"[a-z]{2,3}")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
# a repeated headline sits within the first lines (after a kicker or a teaser at most): seen at lines 0-2
_TITLE_WINDOW = 3
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " // ")  # en and em dashes too
_MIN_TITLE_WORDS = 3
# where a page may state its language, after <html lang> / <html xml:lang>, most explicit first
_LANG_XPATHS = (
    "//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')='content-language']/@content",
    "//meta[@property='og:locale']/@content",
    "//meta[@name='language' or @name='dc.language' or @name='DC.language']/@content",
)


@dataclass(frozen=True)
class Extracted:
    """What a page yields: its article body and the metadata found around it.

    ``text`` has one paragraph, heading, list item or table row per line, no blank lines and no repeat of the
    headline. ``date`` is ISO ``YYYY-MM-DD``. ``site`` is the page's own site name, else the URL's host without
    ``www.``. ``url`` is the URL given, else the page's canonical one. ``language`` is the language the page
    declares (``<html lang>``, then its meta tags) as a lowercase primary subtag such as ``en``; it is not
    detected from the text, and some pages declare it wrongly (a German blog on news-pages says ``en``).
    """

    text: str
    title: str | None
    author: str | None
    date: str | None
    site: str | None
    url: str | None
    language: str | None


@dataclass(frozen=True)
class HtmlOptions:
    """How trafilatura is asked to work; the defaults scored best on news-pages (88 pages, 4-gram shingles).

    Measured with trafilatura 2.3.1, F1 (P / R), headline drop on:
    precision 0.971 (0.969 / 0.973), balanced 0.964 (0.954 / 0.974), recall 0.963 (0.951 / 0.974);
    precision without tables 0.962 (R 0.959); precision without the headline drop 0.969.
    trafilatura's ``deduplicate`` is not offered: even with a fresh cache per page it cost 0.006 F1 (recall
    -0.012, one page emptied), and its default cache is process-wide, so output would depend on which pages a
    worker saw before. ``fast`` (no fallback extractors) cost 0.011 F1 for 30% less time.

    Attributes:
        focus: trafilatura's trade-off: ``precision`` prunes more of the chrome, ``recall`` keeps doubtful blocks.
        tables: keep tables found in the body (one row per line, cells joined by `` | ``).
        drop_title_line: drop a line among the first three that repeats the headline, which trafilatura
            often keeps as the first body line.
        fast: trafilatura's fast mode (no readability or justext fallback inside trafilatura): how both HTML
            page models run trafilatura as a peer (``model.html_page.PEER_OPTIONS``).
    """

    focus: Literal["balanced", "precision", "recall"] = "precision"
    tables: bool = True
    drop_title_line: bool = False
    fast: bool = False


DEFAULT_OPTIONS = HtmlOptions()


def extract_html(html: str, url: str | None = None, options: HtmlOptions = DEFAULT_OPTIONS) -> Extracted:
    """Extract the article body and metadata of one HTML page.

    Args:
        html: the page, decoded.
        url: where the page came from; helps trafilatura resolve the site and is returned as ``url``.
        options: expert override of the extraction settings.

    Returns:
        The body as one paragraph per line (no blank lines, no title line) and the metadata found. A page
        with no recognisable article gives ``text == ""``: that is a result, not an error.

    Raises:
        ValueError: the page cannot be parsed or extraction crashed; the message is one line, fit for a
            manifest, and the caller should fail this document only.
    """
    return extract_tree(parse_html(html), url, options)


#: An element that holds text: what makes a string that trafilatura refused worth parsing as a fragment.
_MARKUP = re.compile(r"<(?:p|div|article|section|main|form|table|td|span|h[1-6]|li|br|pre|body)\b", re.IGNORECASE)


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura parses it, or None for a blank page or one that is not HTML.

    Raises:
        ValueError: the page is too large, or cannot be parsed (a one-line message).
    """
    if len(html) > MAX_HTML_CHARS:
        raise ValueError(f"html too large: {len(html):,} characters (limit {MAX_HTML_CHARS:,})")
    html = _read_on(_encodable(html))
    parser = _parser()
    try:
        tree = _load_html(html, parser)
        if tree is None and _MARKUP.search(html):
            # trafilatura turns away a fragment whose root holds fewer than two elements (an <article> with one
            # <div>, a record's body saved without <html>): its text is still a page's, so parse it as one.
            tree = lxml.html.document_fromstring(html, parser=parser)
    except Exception as exc:  # lxml raises many kinds on hostile pages; each fails one document
        raise ValueError(f"html extraction failed: {_one_line(exc)}") from exc
    limits = [e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
    if limits:
        # libxml2 stops at a limit and drops the rest of the page without a word: the page came out empty. Say so
        # instead (and before resiliparse, which takes minutes on a page nested a hundred thousand deep).
        if "depth" in limits[0]:
            raise ValueError(f"html nests elements deeper than {MAX_DEPTH:,} levels, the HTML parser's limit")
        raise ValueError(f"html is beyond the HTML parser's limits: {limits[0].strip()}")
    return tree


def _from_bytes(html: str, parser: lxml.html.HTMLParser) -> HtmlElement | None:
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=parser)
    except Exception:
        return None


#: libxml2's nesting limit with ``huge_tree`` (256 without it: a page that leaves a few hundred ``<div>`` open, as
#: comment threads and generated pages do, came out empty).
MAX_DEPTH = 2048


@functools.cache
def _parser() -> lxml.html.HTMLParser:
    """trafilatura's parser (``trafilatura.utils.HTML_PARSER``), allowed libxml2's full depth and text sizes."""
    return lxml.html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True,
        huge_tree=True,
    )


def _load_html(html: str, parser: lxml.html.HTMLParser) -> HtmlElement | None:
    """``trafilatura.utils.load_html`` for a decoded page, with ``parser``: the same repairs and the same refusal of
    a string that is not a whole page."""
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    tree, from_bytes = None, False
    try:
        tree = lxml.html.fromstring(html, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, from_bytes = _from_bytes(html, parser), True
    except Exception:  # an empty document, among others: tried again as bytes, as trafilatura does
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(html, parser)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def extract_tree(tree: HtmlElement | None, url: str | None = None, options: HtmlOptions = DEFAULT_OPTIONS) -> Extracted:
    """``extract_html`` of a page parsed by ``parse_html``; the tree is left as it was (trafilatura works on
    a copy), so the page model can read the same tree."""
    import trafilatura

    if tree is None:  # blank, or not HTML at all: trafilatura refuses it, which is an empty result
        return Extracted("", None, None, None, _host(url), url, None)
    try:
        doc = trafilatura.bare_extraction(
            tree,  # trafilatura works on a copy, so the tree stays whole for the fallbacks below
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=options.tables,
            favor_precision=options.focus == "precision",
            favor_recall=options.focus == "recall",
            fast=options.fast,
        )
        if doc is None:  # nothing worth keeping as a body; the page's metadata is still worth having
            doc = trafilatura.extract_metadata(tree, default_url=url)
            doc.text = ""
        if not (doc.text or "").strip():
            # A page too short for trafilatura's size thresholds still has its paragraphs: take them
            # with trafilatura's own baseline rather than return nothing.
            doc.text = trafilatura.baseline(copy.deepcopy(tree))[1] or ""
        language = _language(tree)
    except Exception as exc:  # trafilatura and lxml raise many kinds on hostile pages; each fails one document
        raise ValueError(f"html extraction failed: {_one_line(exc)}") from exc

    title = _clean_field(doc.title)
    lines = _lines(doc.text or "")
    if options.drop_title_line and title:
        lines = _drop_title_lines(lines, title)
    page_url = url or _clean_field(doc.url)
    return Extracted(
        text="\n".join(lines),
        title=title,
        author=_clean_field(doc.author),
        date=doc.date if doc.date and _DATE.fullmatch(doc.date) else None,
        site=_clean_field(doc.sitename) or _host(page_url),
        url=page_url,
        language=language,
    )


#: ``</html>``, and an element after it that a reader would see (not a script, a style or a stray end tag).
_HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)
_SHOWN_AFTER = re.compile(r"<(?!(?:script|style|link|meta|noscript|html|body)\b)[a-z]", re.IGNORECASE)
_BODY_OR_HTML_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


def _read_on(html: str) -> str:
    """The page without its ``</body>`` and ``</html>`` when it goes on after ``</html>``.

    A browser reads on (HTML5 puts what follows into the body); libxml2 drops it, and a page whose ``<body>``
    opens after a stray ``</html>`` comes out with no text at all: 4 of the corpus' 5,101 pages, in four sources
    (a blog's template closed ``</html>`` before its body). Without the end tags the parser reads to the end.
    """
    end = _HTML_END.search(html)
    if end is None or _SHOWN_AFTER.search(html, end.end()) is None:
        return html
    return _BODY_OR_HTML_END.sub("", html)


def _encodable(html: str) -> str:
    """The page with lone surrogates replaced: lxml silently truncates the text at the first one."""
    try:
        html.encode("utf-8")
    except UnicodeEncodeError:
        return html.encode("utf-8", "replace").decode("utf-8")
    return html


def _lines(text: str) -> list[str]:
    """Non-empty, stripped lines."""
    return [line for line in (raw.strip() for raw in text.splitlines()) if line]


def _drop_title_lines(lines: list[str], title: str) -> list[str]:
    """Lines without a headline repeat among the first few.

    trafilatura often keeps the page's ``<h1>`` as the first body line, sometimes after a kicker ("Review") or a
    teaser, and its title may carry the site name ("Headline | Site") that the ``<h1>`` lacks. On news-pages
    this drops 11 headlines (F1 +0.0016) and no body line.
    """
    forms = _title_forms(title)
    return [line for i, line in enumerate(lines) if i >= _TITLE_WINDOW or _words(line) not in forms]


def _title_forms(title: str) -> set[str]:
    """The title's words, whole and on either side of a site-name separator."""
    parts: set[str] = set()
    for sep in _TITLE_SEPARATORS:
        if sep in title:
            head, _, tail = title.rpartition(sep)
            first, _, rest = title.partition(sep)
            parts.update(_words(part) for part in (head, tail, first, rest))
    # a short side is a site name or a kicker ("Opinion"), not a headline that a body line repeats
    forms = {part for part in parts if len(part.split()) >= _MIN_TITLE_WORDS}
    forms.add(_words(title))
    forms.discard("")
    return forms


def _words(text: str) -> str:
    """Casefolded word tokens joined by spaces: the line/title comparison ignores punctuation and quotes."""
    return " ".join(_WORD.findall(text.casefold()))


def _clean_field(value: str | None) -> str | None:
    """A metadata string with its whitespace collapsed, or None when blank."""
    value = _SPACE.sub(" ", value).strip() if value else ""
    return value or None


def _host(url: str | None) -> str | None:
    """The URL's host without ``www.``, or None."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _language(tree: HtmlElement) -> str | None:
    """The page's declared language as a lowercase primary subtag (``en`` from ``en-US`` or ``en_US``)."""
    root = tree.getroottree().getroot()
    declared = itertools.chain(
        (root.get("lang"), root.get("xml:lang")),
        (str(value) for xpath in _LANG_XPATHS for value in tree.xpath(xpath)),
    )
    for value in declared:
        tag = (value or "").strip().replace("_", "-").split("-")[0].split(",")[0].strip().lower()
        if _LANG.fullmatch(tag):
            return tag
    return None


def _one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, short enough for a manifest."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text[:200]
