"""An HTML page as the page model reads it: one line per block of visible text, each with where it sits in the DOM.

Why not ``html_text``'s text form: it puts a space between adjacent inline elements, which splits a Chinese or
Japanese clause into two tokens wherever a link or an emphasis sits inside it (on the corpus' ``zh_immortal``
set, keeping every line of that form recalls 0.63 of the gold's shingles, trafilatura's output 0.90). Here
inline text is joined as the page writes it, and a line ends where a block element (paragraph, heading, list
item, table cell, ``<br>``, a ``<div>``) opens or closes, as a browser would break it.

Each block also carries what the issue's HTML features need and a text form cannot give: the tag that holds it,
its depth, the share of its characters inside links, and which of a small vocabulary of class/id words its
ancestors carry (``nav``, ``footer``, ``comment``, ``share``, ``related``, ...). The vocabulary describes kinds
of page chrome, not sites.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Elements that break a line where they open and close.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
#: Elements whose text is never shown.
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "button",
    ]
)
#: Of ``SKIP_TAGS``, those a broken page can wrap its article in: an unclosed ``<button>`` or ``<noscript>``
#: takes in everything after it. Such an element is read when it holds paragraphs (see ``_wraps_article``).
SOFT_SKIP_TAGS = frozenset(["noscript", "button"])
#: What makes a soft-skipped element an accident of parsing: this many characters of text in block elements.
WRAPPED_ARTICLE_CHARS = 300
#: Structural tags an ancestor may be; each becomes a feature.
LANDMARKS = ("nav", "header", "footer", "aside", "article", "main", "form", "li", "table", "blockquote")
#: Words of class and id attributes that name a kind of block; each is a feature (any ancestor's class or id
#: holds one of the word's forms as a token part: split at hyphens, underscores, digits and camelCase).
CHROME_WORDS: dict[str, tuple[str, ...]] = {
    "nav": ("nav", "menu", "breadcrumb", "navbar", "topbar", "pagination", "pager"),
    "footer": ("footer", "copyright", "legal", "bottom"),
    "header": ("header", "masthead", "topbar", "branding", "logo"),
    "sidebar": ("sidebar", "aside", "widget", "rail", "secondary"),
    "comment": ("comment", "comments", "reply", "respond", "discussion", "disqus"),
    "share": ("share", "sharing", "social", "follow", "facebook", "twitter"),
    "related": ("related", "recommend", "recommended", "popular", "trending", "more", "readmore", "teaser"),
    "ad": ("ad", "ads", "advert", "advertisement", "banner", "sponsor", "sponsored", "promo", "dfp"),
    "meta": ("byline", "author", "date", "time", "meta", "dateline", "published", "timestamp"),
    "tags": ("tag", "tags", "category", "categories", "topic", "topics"),
    "subscribe": ("subscribe", "newsletter", "signup", "cookie", "consent", "modal", "popup"),
    "content": ("article", "content", "post", "entry", "story", "body", "main", "text", "prose", "blog"),
    "hidden": ("hidden", "hide", "sr", "visually", "screen", "offscreen"),
}
_LANDMARK_SET = frozenset(LANDMARKS)
_PARTS = re.compile(r"[a-z]+")
#: A lower-case letter followed by a capital: where "commentBody" or "relatedPosts" join two words.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACE = re.compile(r"\s+")
#: Line tags that get their own feature; anything else is "other".
LINE_TAGS = ("p", "div", "li", "h", "td", "a", "span", "dd", "pre", "blockquote", "figcaption")
DOM_NAMES = (
    *(f"tag_{t}" for t in LINE_TAGS),
    "tag_other",
    "depth",
    "link_share",
    "in_link",
    *(f"in_{t}" for t in LANDMARKS),
    *(f"cls_{w}" for w in CHROME_WORDS),
)


@dataclass(frozen=True, slots=True)
class Block:
    """One line of visible text and where it sits."""

    text: str
    dom: tuple[float, ...]


_NO_WORDS: frozenset[str] = frozenset()


def _words_of(el: etree._Element) -> frozenset[str]:
    """The kinds of ``CHROME_WORDS`` the element's class and id name."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return _NO_WORDS
    return _chrome_words(f"{cls or ''} {ident or ''}")


@functools.lru_cache(maxsize=1 << 14)
def _chrome_words(value: str) -> frozenset[str]:
    """Remembered: a site's pages repeat the same few hundred class strings on every element."""
    found: set[str] = set()
    for part in set(_PARTS.findall(_CAMEL.sub(" ", value).lower())):
        found.update(_KINDS_OF_FORM.get(part, ()))
    return frozenset(found) if found else _NO_WORDS


#: Each form of ``CHROME_WORDS`` with the kinds it names (a form may name two: "topbar").
_KINDS_OF_FORM: dict[str, tuple[str, ...]] = {
    form: tuple(name for name, forms in CHROME_WORDS.items() if form in forms)
    for forms in CHROME_WORDS.values()
    for form in forms
}


def _tag(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # a comment or processing instruction
        return ""
    name = _TAG_NAMES.get(tag)
    if name is None:
        name = _TAG_NAMES[tag] = tag.rsplit("}", 1)[-1].lower()
    return name


#: Tag names as ``_tag`` gives them, by the parser's spelling (a page uses a few dozen).
_TAG_NAMES: dict[str, str] = {}


def blocks(tree: etree._Element) -> list[Block]:
    """The page's lines of visible text in document order, each with its DOM features (``DOM_NAMES``)."""
    out: list[Block] = []
    buf: list[str] = []
    link_chars = 0
    # the state of the open elements, innermost last: (tag, chrome words so far, landmarks so far)
    stack: list[tuple[str, frozenset[str], frozenset[str]]] = []
    owner: list[str] = []  # the innermost block element's tag at the first text of the current line
    links = 0  # open <a> elements
    skip: etree._Element | None = None
    row: etree._Element | None = None  # the data-table row being read as one line

    def add(text: str | None) -> None:
        nonlocal link_chars
        if not text:
            return
        if not buf and not text.strip():
            return
        if not buf:
            owner[:] = [_line_tag(stack)]
        buf.append(text)
        if links:
            link_chars += len(text.strip())

    def flush() -> None:
        nonlocal link_chars
        text = _SPACE.sub(" ", "".join(buf)).strip()
        if text:
            words = stack[-1][1] if stack else frozenset()
            marks = stack[-1][2] if stack else frozenset()
            tag = owner[0] if owner else "other"
            dom = (
                *_tag_columns(tag),
                float(len(stack)),
                min(1.0, link_chars / max(1, len(text))),
                1.0 if links else 0.0,
                *_ancestry_columns(marks, words),
            )
            out.append(Block(text, dom))
        buf.clear()
        link_chars = 0

    holders, segments = _react_segments(tree)

    def walk(root: etree._Element) -> None:
        nonlocal skip, row, links
        for event, el in etree.iterwalk(root, events=("start", "end")):
            tag = _tag(el)
            if skip is not None:
                if event == "end" and el is skip:
                    skip = None
                    if el is not root or root not in reading:  # a moved segment's tail stays where it stood
                        add(el.tail)
                continue
            if event == "start":
                if not tag:  # a comment or processing instruction: only its tail is text
                    continue
                if el in holders and holders[el] not in reading:
                    reading.add(holders[el])
                    walk(holders[el])  # the segment is read where the page shows it
                    skip = el
                    continue
                if el in placed and el is not root:
                    skip = el  # read at its placeholder
                    continue
                # a segment's ``hidden`` is React's, not the page's: it is read unless its style hides it
                if _skipped(el, tag) and not (el in segments and not _invisible(el.get("style"))):
                    skip = el
                    continue
                if row is not None and tag in _CELLS:
                    add(" ")
                elif tag in BLOCK_TAGS:
                    flush()
                    if tag == "tr" and _data_row(el):
                        row = el
                parent_words, parent_marks = (stack[-1][1], stack[-1][2]) if stack else (frozenset(), frozenset())
                mark = "h" if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else tag
                marks = parent_marks | {tag} if tag in _LANDMARK_SET else parent_marks
                own = _words_of(el)
                stack.append((mark, parent_words | own if own else parent_words, marks))
                if tag == "a":
                    links += 1
                add(el.text)
            else:
                if not tag:
                    add(el.tail)
                    continue
                if tag == "a":
                    links = max(0, links - 1)
                if row is not None and tag in _CELLS:
                    add(" ")
                elif tag in BLOCK_TAGS:
                    flush()
                    if el is row:
                        row = None
                if stack:
                    stack.pop()
                if el is not root or root not in reading:  # a moved segment's tail stays where it stood
                    add(el.tail)

    placed = frozenset(holders.values())
    reading: set[etree._Element] = set()
    walk(tree)
    flush()
    return out


@functools.cache
def _tag_columns(tag: str) -> tuple[float, ...]:
    """The line tag's one-hot columns (``tag_*`` of ``DOM_NAMES``)."""
    return (*(1.0 if tag == t else 0.0 for t in LINE_TAGS), 0.0 if tag in LINE_TAGS else 1.0)


@functools.lru_cache(maxsize=1 << 12)
def _ancestry_columns(marks: frozenset[str], words: frozenset[str]) -> tuple[float, ...]:
    """The ``in_*`` and ``cls_*`` columns of ``DOM_NAMES``: a page has few distinct ancestries."""
    return (*(1.0 if t in marks else 0.0 for t in LANDMARKS), *(1.0 if w in words else 0.0 for w in CHROME_WORDS))


_CELLS = frozenset(["td", "th"])
#: What a data table's cell never holds: a cell with a paragraph, a list, a table or any other block lays a
#: page out (a ``<br>`` only breaks a name or an address).
_LAYOUT_IN_CELL = BLOCK_TAGS - {"br"}


def _data_row(tr: etree._Element) -> bool:
    """A row of two or more cells of data (figures, names, short phrases): read as one line, its cells joined
    by spaces, as the row reads across. Split cell by cell, a standings table became a column of names
    and a column of lone figures, each a line no reader keeps and no shingle of the row matches. A layout
    table's cells hold paragraphs, lists or tables of their own and stay lines of their own."""
    cells = 0
    for child in tr:
        if _tag(child) not in _CELLS:
            continue
        cells += 1
        for inner in child.iterdescendants():
            if _tag(inner) in _LAYOUT_IN_CELL:
                return False
    return cells >= 2


#: React's streamed server rendering (React 18 and later; Next.js pages): the HTML of a part that was not ready when
#: the page began to stream comes further down, in ``<div hidden id="S:n">``, and an inline script
#: (``$RC("B:m","S:n")``, or ``$RS("S:n","P:m")``) moves it into the ``<template id="B:m">`` (``"P:m"``) that holds
#: its place. A browser shows it there; read without the script it is hidden text, and on some pages it is the whole
#: article: 32 corpus pages of 28 sites (31 of wcxb's 1,476, one of tiptop's) hold such segments, and on several of
#: them our lines had none of the gold's text while trafilatura, which does not read ``hidden``, found it.
_REACT_SWAP = re.compile(r'\$R[CS]\("([BPS]:\d+)","([BPS]:\d+)"')


def _react_segments(tree: etree._Element) -> tuple[dict[etree._Element, etree._Element], frozenset[etree._Element]]:
    """React's streamed segments of the page: ``{placeholder: segment}`` for those whose place is known (from the
    page's ``$RC``/``$RS`` calls, else by their shared number: a guess for pages saved without their scripts, as the
    corpus' are), and every segment (read where it stands when its place is not known)."""
    found = tree.xpath('//div[@hidden][starts-with(@id, "S:")]')
    if not found:
        return {}, frozenset()
    segments = {el.get("id"): el for el in found}
    holders = {el.get("id"): el for el in tree.xpath('//template[starts-with(@id, "B:") or starts-with(@id, "P:")]')}
    swaps: dict[str, str] = {}
    for script in tree.xpath('//script[contains(., "$R")]'):
        for first, second in _REACT_SWAP.findall(script.text or ""):
            segment, holder = (second, first) if first.startswith("B") else (first, second)
            swaps[segment] = holder
    placed = {}
    for sid, segment in segments.items():
        number = sid[2:]
        hid = swaps.get(sid) or next((h for h in (f"B:{number}", f"P:{number}") if h in holders), None)
        if hid in holders and not _inside(holders[hid], segment):
            placed[holders[hid]] = segment
    return placed, frozenset(found)


def _inside(el: etree._Element, ancestor: etree._Element) -> bool:
    """``el`` is ``ancestor`` or lies within it (a segment is never moved into itself)."""
    return any(a is ancestor for a in el.iterancestors()) or el is ancestor


def _skipped(el: HtmlElement, tag: str) -> bool:
    """The element's text is not shown: a kind never shown, ``hidden``, or ``display: none`` inline."""
    if tag in SKIP_TAGS and not (tag in SOFT_SKIP_TAGS and _wraps_article(el)):
        return True
    return el.get("hidden") is not None or _invisible(el.get("style"))


def _wraps_article(el: HtmlElement) -> bool:
    """A button or noscript that holds paragraphs: the parser put the page's text in it (an unclosed tag)."""
    if el.find(".//p") is None and el.find(".//div") is None:
        return False
    return len(el.text_content()) >= WRAPPED_ARTICLE_CHARS


def _invisible(style: str | None) -> bool:
    """An inline style that hides the element."""
    return bool(style) and "display:none" in style.replace(" ", "").lower()


def _line_tag(stack: list[tuple[str, frozenset[str], frozenset[str]]]) -> str:
    """The innermost element that names what a line is (a block, a link or a span)."""
    for mark, _, _ in reversed(stack):
        if mark in LINE_TAGS or mark in BLOCK_TAGS:
            return mark
    return "other"
