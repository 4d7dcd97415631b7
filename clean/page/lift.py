"""Lift metadata out of the body: the headline and the publication date (the author: ``lift_author``).

News pages print their metadata as lines of text: the page title and the headline (often twice, or
glued behind a breadcrumb), a "date 2026-01-12" field, a "Name - Nov 19, 2019" byline, an author box
at the end. These cleaners move such lines into metadata fields (``to_metadata``) so the body keeps
only the article and nothing about the page is lost.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence

import regex

from clean.page.cleaner import Context, Line, Proposal
from clean.page.dates import find_date, search_date
from clean.page.text import fold, is_headline, is_prose, word_count
from clean.rules.bylines import NAME

#: How far into the page a headline is looked for. Pages print the headline before the first paragraph,
#: but a select-all copy can put 400 lines of menu in front of it.
HEAD_LINES = 400

_SITE_SUFFIX = regex.compile(r"^(?P<title>.{10,}?)\s+(?:[-|–—•·:]|::)\s+(?P<site>[^-|–—•·]{2,40})$")
#: Labels printed before a publication date, longest first (an alternation takes the first that fits).
_DATE_LABELS = "|".join(sorted([
    "date", "dated", "published", "publish date", "published on", "first published", "posted", "posted on",
    "updated", "last updated", "modified", "last modified", "veröffentlicht am", "veröffentlicht", "aktualisiert am",
    "aktualisiert", "stand", "publié le", "mis à jour le", "publicado el", "publicado", "actualizado el",
    "actualizado", "pubblicato il", "pubblicato", "aggiornato il", "aggiornato", "gepubliceerd op", "gepubliceerd",
    "publicado em", "atualizado em", "atualizado", "опубликовано", "обновлено", "дата публикации", "дата",
    "기사입력", "입력", "수정", "승인", "등록", "최종수정", "公開日", "更新日", "配信日", "掲載日", "发布时间",
    "发布日期", "更新时间", "时间", "日期",
], key=len, reverse=True))
_DATE_FIELD = regex.compile(rf"^(?:(?:{_DATE_LABELS})\s*[:：]?\s*)?", regex.IGNORECASE)
#: What a line of publication and update dates holds besides its dates: labels, times, time zones, separators.
_DATE_FIELDS_REST = regex.compile(
    rf"(?:[\s|•·,;/–—()\[\]-]|at|on|um|à|às|(?:{_DATE_LABELS})\s*[:：]?"
    r"|\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?"
    # a weekday before the time: "Updated: Sat 8:31 PM, Feb 17, 2018"
    r"|(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b\.?"
    r"|(?-i:GMT|UTC|BST|CET|CEST|EET|EEST|WET|EST|EDT|ET|CST|CDT|CT|MST|MDT|MT|PST|PDT|PT|IST|JST|KST|HKT|SGT|AEST"
    r"|AEDT)\b)*",
    regex.IGNORECASE,
)
_NAME_DATE = regex.compile(rf"(?P<name>{NAME})\s*(?:[-|–—•·,]|\bon\b)?\s*(?=\S)")
def _head(lines: Sequence[Line]) -> list[int]:
    """Positions of the lines before the first prose line: where headline and byline sit."""
    out = []
    for i, line in enumerate(lines[:HEAD_LINES]):
        if is_prose(line.text):
            break
        out.append(i)
    return out


def lift_title(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """Find the headline among the lines before the article and move it to ``title``.

    In order: a headline printed twice (the page title and the h1); a line that ends with another (a
    breadcrumb glued to the headline) or starts with it (the page title with the site's name after it);
    else the first line when it reads as a headline.
    """
    head = _head(lines)
    if ctx.meta.title:
        return _drop_known_title(lines, head, ctx.meta.title)
    folded = {i: fold(lines[i].text) for i in head}
    candidates = [i for i in head if is_headline(lines[i].text) and word_count(lines[i].text) >= 2]
    # A headline printed twice: keep the later copy (the h1, nearest the article) as the title.
    copies = Counter(folded.values())
    for j in reversed(candidates):
        if copies[folded[j]] > 1:
            return _title_and_echoes(lines, head, j, folded, ctx)
    # A headline glued behind a breadcrumb, or followed by the site's name: a longer head line that starts
    # or ends with it. Sorted lists answer that per candidate without comparing every pair (a head can be
    # 400 lines of menu, a hundred of them headline-like).
    starts = sorted(copies)
    ends = sorted(f[::-1] for f in copies)
    for j in candidates:
        if word_count(lines[j].text) >= 3 and (_extended(starts, folded[j]) or _extended(ends, folded[j][::-1])):
            return _title_and_echoes(lines, head, j, folded, ctx)
    # The first line is a headline only when a body follows it: a lone paragraph is not its own title.
    if candidates and candidates[0] == head[0] and word_count(lines[head[0]].text) >= 3 and len(lines) > 1:
        line = lines[head[0]]
        m = _SITE_SUFFIX.match(line.text)
        if m and word_count(m["site"]) <= 4 and word_count(m["title"]) >= 3:
            return [
                _site_suffix(line, m),
                Proposal(
                    line.n,
                    "title.page_title_v1",
                    "title",
                    "to_metadata",
                    "the page title (headline and site name) printed as the first line",
                    field="title",
                    value=m["title"].strip(),
                )
            ]
        return [
            Proposal(
                line.n,
                "title.first_line_v1",
                "title",
                "to_metadata",
                "the first line reads as a headline",
                field="title",
                value=line.text,
            )
        ]
    return []


def _extended(ordered: list[str], key: str) -> bool:
    """Whether a longer string in ``ordered`` (sorted) starts with ``key``: if any does, the first one after
    ``key``'s own place does."""
    pos = bisect.bisect_right(ordered, key)
    return pos < len(ordered) and ordered[pos].startswith(key)


def _site_suffix(line: Line, m: regex.Match) -> Proposal:
    """The " | Site Name" after a page title: moved to ``site``, so the title line can go as the title."""
    return Proposal(line.n, "metadata.site_suffix_v1", "metadata", "to_metadata",
                    "the site's name printed after the page title", m.end("title"), None,
                    field="site", value=m["site"].strip())


def _title_and_echoes(
    lines: Sequence[Line], head: list[int], j: int, folded: dict[int, str], ctx: Context
) -> list[Proposal]:
    title = lines[j].text
    key = folded[j]
    props = [
        Proposal(
            lines[j].n,
            "title.repeated_headline_v1",
            "title",
            "to_metadata",
            "the headline, printed again before the article",
            field="title",
            value=title,
        )
    ]
    for i in head:
        if i == j:
            continue
        if folded[i] == key:
            props.append(
                Proposal(lines[i].n, "title.repeated_headline_v1", "title", "drop", "another copy of the headline")
            )
        elif folded[i].endswith(key) and len(folded[i]) > len(key):
            props.append(
                Proposal(
                    lines[i].n,
                    "title.breadcrumb_glued_v1",
                    "navigation",
                    "drop",
                    "a breadcrumb with the headline glued to its end",
                )
            )
        elif folded[i].startswith(key) and len(folded[i]) > len(key):
            m = _SITE_SUFFIX.match(lines[i].text)
            if m and word_count(m["site"]) <= 4 and fold(m["title"]) == key:
                props.append(_site_suffix(lines[i], m))
            props.append(
                Proposal(
                    lines[i].n,
                    "title.page_title_v1",
                    "title",
                    "drop",
                    "the page title: the headline followed by the site's name",
                )
            )
    return sorted(props, key=lambda p: p.n)


def _drop_known_title(lines: Sequence[Line], head: list[int], title: str) -> list[Proposal]:
    """With the title already known (from the record or the HTML), drop its copies near the top."""
    key = fold(title)
    props = []
    positions = head or list(range(min(3, len(lines))))
    for i in positions[:HEAD_LINES]:
        f = fold(lines[i].text)
        if f == key or _title_part(f, key, lines[i].text) or (
            len(key) >= 20
            and len(f) > len(key)
            and (f.startswith(key) or f.endswith(key))
            and word_count(lines[i].text) <= word_count(title) + 6
        ):
            props.append(
                Proposal(lines[i].n, "title.repeated_headline_v1", "title", "drop", "a copy of the document's title")
            )
    return props


#: What joins a headline to the site's name or a section label in a page's <title>.
_TITLE_JOINS = (" - ", " | ", " – ", " — ", ": ", " :: ", " · ", " • ", " « ", " » ")


def _title_part(folded: str, key: str, line: str) -> bool:
    """Whether a line is the headline part of a <title> that adds the site's name or a section around it
    ("Headline - Site", "Opinion | Headline", "Site | tagline: Headline")."""
    if len(folded) < 15 or word_count(line) < 3 or len(folded) >= len(key):
        return False
    return any(key.startswith(folded + join) or key.endswith(join + folded) for join in _TITLE_JOINS)


def through_second_prose(lines: Sequence[Line]) -> list[Line]:
    """The lines up to and including the second prose line: where a date field or byline can sit.

    Counting prose lines rather than positions keeps the window the same when short lines around it are
    removed, so cleaning a cleaned text finds nothing new.
    """
    out: list[Line] = []
    prose: set[str] = set()  # distinct: a repeated paragraph is removed later and must not shift the window
    for line in lines[:HEAD_LINES]:
        out.append(line)
        if is_prose(line.text):
            prose.add(fold(line.text))
            if len(prose) == 2:
                break
    return out


def lift_date(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """Move a leading date field, a date line or the date of a byline into ``date``.

    Only the lines before the article and its first lines are searched: a date inside the article's
    prose is content ("The deal closed on March 3, 2021"), never metadata.
    """
    props: list[Proposal] = []
    for line in through_second_prose(lines):
        text = line.text
        hit = find_date(text)
        if hit is None:
            continue
        found, date = hit
        prefix = _DATE_FIELD.match(text[: found.start()])
        if prefix and prefix.end() == found.start():
            rest = text[found.end() :]
            if not rest.strip(" ,|-–—•·"):
                props.append(
                    Proposal(
                        line.n,
                        "metadata.date_line_v1",
                        "metadata",
                        "to_metadata",
                        "a publication date on a line of its own",
                        field="date",
                        value=date,
                    )
                )
                continue
            if prefix.group() and is_prose(rest):
                end = found.end() + len(rest) - len(rest.lstrip())
                props.append(
                    Proposal(
                        line.n,
                        "metadata.date_field_v1",
                        "metadata",
                        "to_metadata",
                        "a date field printed before the first paragraph",
                        0,
                        end,
                        field="date",
                        value=date,
                    )
                )
                continue
        if _only_dates(text, found):
            # "PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05, Tue, Nov 19, 2019": the first is the date.
            props.append(
                Proposal(
                    line.n,
                    "metadata.date_fields_v1",
                    "metadata",
                    "to_metadata",
                    "a line of publication and update dates, with their times and labels",
                    field="date",
                    value=date,
                )
            )
            continue
        if word_count(text) <= 16 and not is_prose(text):
            before = text[: found.start()]
            byline = _NAME_DATE.fullmatch(before) or regex.fullmatch(r"(?i:by)\s*" + _NAME_DATE.pattern, before)
            start = found.start()
            while start > 0 and text[start - 1] in " -|–—•·,":
                start -= 1
            if byline and not text[found.end() :].strip(" ,|-–—•·"):
                props.append(
                    Proposal(
                        line.n,
                        "metadata.byline_date_v1",
                        "metadata",
                        "to_metadata",
                        "the date printed in a byline",
                        start,
                        None,
                        field="date",
                        value=date,
                    )
                )
                props.append(
                    Proposal(
                        line.n,
                        "byline.name_date_v1",
                        "byline",
                        "to_metadata",
                        "a byline naming the author beside the date",
                        field="author",
                        value=byline["name"].strip(),
                    )
                )
    return props


def _only_dates(text: str, found: regex.Match) -> bool:
    """Whether ``text`` holds nothing but dates (``found`` is its first), their times, zones and labels.

    Date by date from the first, with the fast date search: ``DATE.sub`` over the whole line tried the date
    pattern's alternations at every position, as slow as the search the date locator exists to avoid."""
    if _DATE_FIELDS_REST.fullmatch(text, 0, found.start(), timeout=0.5) is None:
        return False
    rest = text[found.end() :]
    for _ in range(4):  # a published and an updated date, perhaps a third
        rest = rest[_DATE_FIELDS_REST.match(rest, timeout=0.5).end() :]
        if not rest:
            return True
        following = search_date(rest)
        if following is None or following.start() != 0:
            return False
        rest = rest[following.end() :]
    return not rest
