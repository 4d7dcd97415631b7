"""Small measurements of a line that several cleaners share: words, prose-likeness, headline-likeness.

Kept in one place so that the zone scorer, the metadata lifter and the repair step agree on what
"prose" means. Scripts without spaces between words (Chinese, Japanese, Thai) are measured in
characters, so the same thresholds hold for them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

import regex

T = TypeVar("T")

WORD = regex.compile(r"\w+(?:[-'’.]\w+)*", regex.UNICODE)
#: Scripts written without spaces between words. Not Hangul: Korean spaces its words, as English does.
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
_TERMINAL = tuple('.!?…。！？"”’»)]:;')
_QUOTE_PAIRS = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("«", '"'), ("»", '"'), ("–", "-"), ("—", "-"))
_URL = regex.compile(r"https?://\S+|www\.\S+", regex.IGNORECASE)
_WORD_CHAR = regex.compile(r"\w")
#: Single-byte code pages that between them spell most news text in Latin, Cyrillic and Greek script (the
#: typographic quotes and dashes included). A line one of them encodes is counted from its bytes.
_CODE_PAGES = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254")


def _byte_classes(codec: str) -> bytes:
    """Each byte of ``codec`` as a word character (a), a joiner inside a word (j) or a separator (space),
    by the same ``\\w`` and joiners as ``WORD``, so counts from the classes are ``WORD``'s counts."""
    out = bytearray(b" " * 256)
    for b in range(256):
        try:
            ch = bytes([b]).decode(codec)
        except UnicodeDecodeError:  # a byte the code page leaves undefined: never produced by encoding
            continue
        if _WORD_CHAR.match(ch):
            out[b] = ord("a")
        elif ch in "-'’.":
            out[b] = ord("j")
    return bytes(out)


_BYTE_CLASSES = [(codec, _byte_classes(codec)) for codec in _CODE_PAGES]
_ASCII_CLASSES = _BYTE_CLASSES[0][1]

#: Lines a measurement remembers before it forgets them all and starts over.
MEMO_LINES = 1 << 16


class _Memo(dict):
    """A function of one line, remembered per line: ``memo[line]`` is ``fn(line)``.

    Cleaners ask about the same lines many times (every cleaner, every round), and lines recur across a
    site's pages. The dict's own lookup answers a repeat in 82 ns and a new line in 0.49 us (the function's
    call included); ``functools.lru_cache``, which keeps a recency list, took 111 ns and 0.70 us, in all a
    twentieth of the text cleaners' time. Forgetting everything at the bound, instead of the least recent
    line, costs a corpus little: a site's boilerplate is asked about again on its next page.
    """

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[str], Any]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, line: str) -> Any:
        if len(self) >= MEMO_LINES:
            self.clear()
        value = self[line] = self.fn(line)
        return value


_MEMOS: list[_Memo] = []


def remembered(fn: Callable[[str], T]) -> Callable[[str], T]:
    """``fn`` remembered per line (see ``_Memo``); ``forget()`` clears every such function's memory."""
    memo = _Memo(fn)
    _MEMOS.append(memo)
    return memo.__getitem__


def forget() -> None:
    """Forget every remembered measurement (benchmarks time lines seen for the first time)."""
    for memo in _MEMOS:
        memo.clear()


@remembered
def word_count(line: str) -> int:
    """Words in a line; for scripts written without spaces, one word per two characters.

    A word is a run of word characters, or several joined by single joiners ("U.S.", "don't"), so a word
    starts at every run that follows a separator, or a joiner that does not itself follow a run: three
    counts on the line's bytes mapped to their classes, all in C. Finding the words with ``WORD`` took
    two to three times as long, and was a tenth of the text cleaners' time.
    """
    spaced = " " + line
    if line.isascii():
        classes = spaced.encode().translate(_ASCII_CLASSES)
        return classes.count(b" a") + classes.count(b" ja") + classes.count(b"jja")
    for codec, table in _BYTE_CLASSES:
        try:
            classes = spaced.encode(codec).translate(table)
        except UnicodeEncodeError:
            continue
        return classes.count(b" a") + classes.count(b" ja") + classes.count(b"jja")
    cjk = len(_CJK.findall(line))
    if cjk > len(line) / 3:
        return max(1, cjk // 2)
    return len(WORD.findall(line))


def ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_TERMINAL)


@remembered
def is_prose(line: str) -> bool:
    """A line that reads as running text: enough words, and either a sentence end or plenty of words."""
    n = word_count(line)
    if n < 7:
        return False
    if ("://" in line or "www." in line.lower()) and _URL.search(line) and len(_URL.sub("", line).split()) < 4:
        return False
    if ends_sentence(line) and not line.endswith(":"):
        return True
    # Long enough to be running text without a sentence end, unless its words are nearly all capitalised:
    # a mega-menu or a row of section names ("Latest News Applications Cloud Data Center ...") is long too.
    return n >= 20 and not _capitalised(line)


def _capitalised(line: str) -> bool:
    """Nine words in ten (of those that start with a cased letter) start with a capital."""
    cased = upper = 0
    for word in line.split():
        first = word[0]
        if first.isupper():
            upper += 1
            cased += 1
        elif first.islower():
            cased += 1
    return cased >= 10 and upper >= 0.9 * cased


def is_headline(line: str, *, max_words: int = 25) -> bool:
    """A line that could be a title or sub-heading: short, no closing period, starting with a capital or digit."""
    n = word_count(line)
    if n == 0 or n > max_words or (line.endswith((".", ",", ";", ":")) and not line.endswith("...")):
        return False
    first = line.lstrip("\"'“‘«¿¡([")[:1]
    return bool(first) and (first.isupper() or first.isdigit() or not first.isalpha())


@remembered
def fold(line: str) -> str:
    """A comparison key: quotes and dashes unified, case folded, whitespace collapsed, NFKC.

    ``str.replace`` per quote character present, not ``str.translate``: translate looks up every character
    of a non-ASCII line in a dict, which made this the corpus step's largest cost (2.3 s per 150k lines).
    """
    if line.isascii():  # NFKC changes no ASCII character, and ASCII case folding is lower()
        text = line.lower()
    else:
        text = unicodedata.normalize("NFKC", line)
        if not text.isascii():
            for old, new in _QUOTE_PAIRS:
                if old in text:
                    text = text.replace(old, new)
        text = text.casefold()
    # Lines reach here already trimmed with single spaces (repair did that), and splitting a long line into
    # words to join it again was most of this function's time; only text that needs it takes that path.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())
