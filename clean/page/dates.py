"""Find and parse publication dates in the short lines around an article.

A regex finds the span (so a cleaner can strip exactly the date and no more); parsing is a table of
month names in the languages of the pages we see. ``dateparser`` (installed with trafilatura) was
measured at milliseconds per call, too slow to try on every header line of millions of pages, while the
formats news sites print are few.
"""

from __future__ import annotations

import datetime as dt
import re

import regex

from clean.page.text import remembered
from clean.rules.re2match import locator

_MONTHS = {
    # en
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # de
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    "okt": 10,
    "dez": 12,
    # fr
    "janvier": 1,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    # es / pt / it
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    "janeiro": 1,
    "fevereiro": 2,
    "março": 3,
    "maio": 5,
    "junho": 6,
    "julho": 7,
    "setembro": 9,
    "outubro": 10,
    "dezembro": 12,
    "gennaio": 1,
    "febbraio": 2,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "settembre": 9,
    "ottobre": 10,
    "dicembre": 12,
    "gen": 1,
    "mag": 5,
    "giu": 6,
    "lug": 7,
    "ago": 8,
    "set": 9,
    "ott": 10,
    "dic": 12,
    # nl
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "mei": 5,
    "augustus": 8,
}

_MONTH = "(?:" + "|".join(sorted(map(regex.escape, _MONTHS), key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:19|20)\d\d"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|º|°)?"

#: The span of one date. Named groups say which part is which; times and weekdays are allowed around
#: it so the whole "Nov 19, 2019, 10:31 pm CST" goes when a byline's date is lifted.
_DATE_SOURCE = (
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:"
    rf"(?P<y>{_YEAR})[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)(?:[T\s]\d\d?:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?"
    rf"|(?P<mn>{_MONTH})\s+(?P<d2>{_DAY}),?\s+(?P<y2>{_YEAR})"
    rf"|(?P<d3>{_DAY})\.?\s+(?:de\s+)?(?P<mn3>{_MONTH})\s+(?:de\s+)?(?P<y3>{_YEAR})"
    rf"|(?P<d4>[0-3]?\d)[./](?P<m4>[01]?\d)[./](?P<y4>{_YEAR})"
    r")"
    r"(?:,?\s+(?:at\s+|um\s+|à\s+|às\s+|alle\s+|a\s+las\s+|-\s+)?\d\d?[:.h]\d\d(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
)
DATE = regex.compile(_DATE_SOURCE, regex.IGNORECASE)
#: Where the first date in a text can start, found by RE2 in one linear pass. The regex module's search
#: for DATE tries its month and weekday alternations at every position: 400 us on a 300-character
#: paragraph with a year in it, against a few us for RE2's.
_DATE_START = [locator(_DATE_SOURCE)]


def forget(*, automata: bool = True) -> None:
    """Forget the dates found per line and (``automata``) the automaton states of the date locator; see
    ``pipeline.clear_caches``."""
    find_date.__self__.clear()
    if automata:
        _DATE_START[0] = locator(_DATE_SOURCE)


_YEAR_ANYWHERE = re.compile(_YEAR)  # the stdlib engine: a plain scan, several times faster than DATE's


def has_year(text: str) -> bool:
    """False when ``text`` cannot hold a ``DATE``: every form of it spells a year 19xx or 20xx."""
    return ("19" in text or "20" in text) and _YEAR_ANYWHERE.search(text) is not None


@remembered
def find_date(text: str) -> tuple[regex.Match, dt.date] | None:
    """The first ``DATE`` in a line with the calendar day it names, or None.

    Remembered per line: the lifters look at the same header lines again in every cleaning round.
    """
    if not has_year(text):
        return None
    found = search_date(text)
    if found is None:
        return None
    date = to_date(found)
    return None if date is None else (found, date)


def search_date(text: str) -> regex.Match | None:
    """``DATE.search(text)``, the same first match, found in a fraction of the time."""
    pos = 0
    if _DATE_START[0] is not None:
        pos = _DATE_START[0](text)
        if pos is None:
            return None
    return DATE.search(text, pos=pos, timeout=0.5)


def parse_date(text: str) -> dt.date | None:
    """The first date in ``text``, or None when there is none or it is not a real calendar day."""
    hit = find_date(text)
    return None if hit is None else hit[1]


def to_date(found: regex.Match) -> dt.date | None:
    g = found.groupdict()
    try:
        if g["y"]:
            return dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
        if g["mn"]:
            return dt.date(int(g["y2"]), _month(g["mn"]), _day(g["d2"]))
        if g["mn3"]:
            return dt.date(int(g["y3"]), _month(g["mn3"]), _day(g["d3"]))
        if g["y4"]:
            # Day first: the US month-first form is rarer on the multilingual pages we see.
            return dt.date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
    except (ValueError, KeyError):
        return None
    return None


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()]


def _day(text: str) -> int:
    return int(regex.match(r"\d+", text).group())
