"""Lift the author out of the body: a byline split over two lines (the label, then the name) and the author's box
after an article (a name line, then a short biography), moved into the ``author`` field (``to_metadata``)."""

from __future__ import annotations

from collections.abc import Sequence

import regex

from clean.page.cleaner import Context, Line, Proposal
from clean.page.lift import through_second_prose
from clean.page.text import is_prose, word_count
from clean.rules.bylines import BYLINE_LEAD, NAME

_NAME_LINE = regex.compile(rf"(?P<name>{NAME})")
#: A person's or a newsroom's name under a byline label: capitalised words ("The Water Coolest", "Jane Doe").
_BYLINE_NAME = regex.compile(r"\p{Lu}[\p{L}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}'’.\-]*|[a-z]{1,3})){1,5}")
#: "About <name>" heading an author box, in the languages of the rules' word lists.
_ABOUT_WORDS = ("about ", "sobre ", "über ", "à propos de ", "a propos de ", "acerca de ", "a proposito di ", "over ")
_ABOUT_FIRST = frozenset(w[0] for w in _ABOUT_WORDS) | frozenset(w[0].upper() for w in _ABOUT_WORDS)
_ABOUT = regex.compile(
    "(?i:" + "|".join(regex.escape(w.strip()) for w in _ABOUT_WORDS) + rf")\s+(?P<name>{NAME})"
)
#: A bio names a person (two to five capitalised words) and says what they do within its first words.
_BIO = regex.compile(
    r"(?P<name>\p{Lu}[\p{L}'’.\-]+(?:\s+\p{Lu}[\p{L}'’.\-]+){1,4})(?: \(@\w{1,30}\))?"
    r" (?:is|was|has been|covers|writes|joined|reports)\b"
    r"(?P<what>.{0,400})",
)
#: What an organisation's boilerplate says of it ("Acme Corp. (NASDAQ: ACME) is a leading provider ...").
_ORG_BIO = regex.compile(
    r"\b(?:company|companies|provider|manufacturer|firm|organi[sz]ation|corporation|headquartered|founded in|"
    r"employs|employees|subsidiar\w*|nasdaq|nyse|listed on|inc\.|ltd\.?|llc|gmbh|plc|nonprofit|non-profit|"
    r"empresa|unternehmen|société|azienda|bedrijf)(?!\w)",
    regex.IGNORECASE,
)
_PRONOUN = regex.compile(r"\b(?:he|she|his|her|him|hers)\b", regex.IGNORECASE)
#: Lines that close an "About <company>" block besides those naming the company.
_MORE_INFO = regex.compile(r"(?:for (?:more|further) information|to learn more|more information)\b", regex.IGNORECASE)
_ROLE_WORDS = regex.compile(
    r"\b(?:writer|reporter|editor|journalist|correspondent|columnist|contributor|author|owner|co-owner|founder|"
    r"analyst|producer|covers|writes|graduate|based in|freelance|blogger|host)\b",
    regex.IGNORECASE,
)


#: A byline's label printed on a line of its own, the name on the next ("By" / "Sarah E. Needleman").
_BYLINE_LABEL = regex.compile(BYLINE_LEAD)


def lift_split_byline(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """A byline broken over two lines near the top: the label alone, then the name. The name goes to ``author``
    and both lines go; a label whose next line is not a name (two to six words, capitalised) is left alone."""
    window = through_second_prose(lines)
    for i, line in enumerate(window[:-1]):
        if len(line.text) > 20 or _BYLINE_LABEL.fullmatch(line.text) is None:  # labels are short
            continue
        name = window[i + 1].text
        if 2 <= len(name.split()) <= 6 and _BYLINE_NAME.fullmatch(name):
            return [
                Proposal(line.n, "byline.split_v1", "byline", "drop", "a byline's label on a line of its own"),
                Proposal(window[i + 1].n, "byline.split_v1", "byline", "to_metadata",
                         "the name under a byline's label", field="author", value=name),
            ]
    return []


def lift_author_box(lines: Sequence[Line], ctx: Context) -> list[Proposal]:
    """An author box after the article: a name line, then lines that start with that name (link, bio).

    The name goes to ``author`` (when no byline gave one) and the box is dropped. A bio line alone
    ("Jane Doe is a reporter covering...") near the end counts too.
    """
    props: list[Proposal] = []
    tail_start = max(0, len(lines) - 15)
    taken: set[int] = set()
    for i in range(tail_start, len(lines)):
        text = lines[i].text
        if i in taken or not _NAME_LINE.fullmatch(text) or not 2 <= len(text.split()) <= 4:
            continue
        followers = [
            k
            for k in range(i + 1, min(i + 4, len(lines)))
            if lines[k].text.startswith(text) and len(lines[k].text) > len(text)
        ]
        if not followers:
            continue
        props.append(
            Proposal(
                lines[i].n,
                "author_box.name_v1",
                "author_box",
                "to_metadata",
                "the name heading an author box",
                field="author",
                value=text,
            )
        )
        for k in followers:
            taken.add(k)
            props.append(
                Proposal(
                    lines[k].n,
                    "author_box.entry_v1",
                    "author_box",
                    "drop",
                    "a line of the author box (profile link or bio)",
                )
            )
    first_prose = next((i for i, line in enumerate(lines) if is_prose(line.text)), len(lines))
    # "About Jane Doe" over a paragraph that names her: an author box wherever it sits after the article starts
    # (footers of links often follow it, so it need not be among the last lines).
    for i in range(first_prose + 1, len(lines) - 1):
        heading = lines[i].text
        if heading[:1] not in _ABOUT_FIRST or len(heading) > 60 or not heading[:16].lower().startswith(_ABOUT_WORDS):
            continue  # most lines: no regex, most not even a lowered copy
        m = _ABOUT.fullmatch(heading)
        if m is None or i in taken or i + 1 in taken:
            continue
        bio = lines[i + 1].text
        if not is_prose(bio) or word_count(bio) > 150:
            continue
        first = m["name"].split()[0]
        # "About Acme" over "Acme is a leading provider of ...": a press release's company boilerplate, not an
        # author ("About Us" is not, as no paragraph opens with "Us").
        if bio.startswith(first) and _ORG_BIO.search(bio) and not _PRONOUN.search(bio):
            block = [i, i + 1]
            for k in range(i + 2, min(i + 6, len(lines))):
                if k in taken or not (lines[k].text.startswith(first) or _MORE_INFO.match(lines[k].text)):
                    break
                block.append(k)
            taken.update(block)
            props.extend(
                Proposal(lines[k].n, "about.company_v1", "about", "drop",
                         "an 'About <company>' block: the boilerplate that closes a press release")
                for k in block
            )
            continue
        # Two words at least: "About Us" is a footer link, not a name.
        if len(m["name"].split()) >= 2 and m["name"] in bio:
            taken.update((i, i + 1))
            props.append(
                Proposal(
                    lines[i].n, "author_box.name_v1", "author_box", "to_metadata", "the name heading an author box",
                    field="author", value=m["name"],
                )
            )
            props.append(
                Proposal(lines[i + 1].n, "author_box.bio_v1", "author_box", "drop", "an author's bio after the article")
            )
    for i in range(max(tail_start, first_prose + 1), len(lines)):  # a bio comes after an article
        if i in taken:
            continue
        m = _BIO.fullmatch(lines[i].text)
        if (
            m
            and _ROLE_WORDS.search(" ".join(m["what"].split()[:15]))
            and word_count(lines[i].text) <= 80
            and (i >= len(lines) - 6 or (ctx.meta.author and m["name"].startswith(ctx.meta.author)))
        ):
            props.append(
                Proposal(lines[i].n, "author_box.bio_v1", "author_box", "drop", "an author's bio after the article")
            )
    return sorted(props, key=lambda p: p.n)
