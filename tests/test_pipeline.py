"""The text pipeline on the seeds and on pages written to look like real ones."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import GOLDEN, SEEDS

from clean import clean_html, clean_text
from clean.page.pipeline import CleanOptions, reconstruct
from clean.page.repair import repair

SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem[:3])
def test_seed_matches_golden(path) -> None:
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    want_text = (GOLDEN / "seeds" / path.name).read_text(encoding="utf-8").rstrip("\n")
    want = json.loads((GOLDEN / "seeds" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert cleaned.text == want_text
    assert cleaned.title == want["title"]
    assert cleaned.author == want["author"]
    assert (cleaned.date.isoformat() if cleaned.date else None) == want["date"]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem[:3])
def test_removals_rebuild_the_repaired_input(path) -> None:
    text = path.read_text(encoding="utf-8")
    cleaned = clean_text(text)
    assert reconstruct(cleaned) == repair(text).lines


def test_seed_004_records_citation_repair_attribution_and_footer() -> None:
    cleaned = clean_text((SEEDS / "004_bf6ca3c3fed56fed.txt").read_text(encoding="utf-8"))
    rules = {r.rule for r in cleaned.removals}
    kinds = {r.kind for r in cleaned.removals}
    assert "repair.citation_numeral_v1" in rules
    assert sum(r.rule == "attribution.source_v1" for r in cleaned.removals) == 6
    assert {"copyright", "social", "footer"} <= kinds
    joined = [r for r in cleaned.removals if r.action == "join"]
    assert all(r.text == "." for r in joined)


CITATION_PAGE = """Markets rallied on Friday after the central bank held rates, lifting investor confidence
2
.
Analysts expected the pause. Bond yields fell for a third day, the data showed
[3]
.
"""


def test_citation_numerals_are_rejoined() -> None:
    fixed = repair(CITATION_PAGE)
    assert fixed.lines == [
        "Markets rallied on Friday after the central bank held rates, lifting investor confidence.",
        "Analysts expected the pause. Bond yields fell for a third day, the data showed.",
    ]
    assert [r.action for r in fixed.removals] == ["drop", "join", "drop", "join"]


def test_space_before_punctuation_and_hard_wraps() -> None:
    wrapped = (
        "The city council voted on Tuesday to approve the new budget, which\n"
        "raises spending on schools and roads by four percent over last year\n"
        "and trims the parks budget .\n"
        "\n"
        "Opponents said the plan relied on optimistic revenue forecasts that\n"
        "might not hold if the regional economy slowed next year, as some fear.\n"
        "\n"
        "The mayor is expected to sign the budget into law later this week,\n"
        "according to a spokeswoman, who declined to give a specific date.\n"
    )
    fixed = repair(wrapped)
    assert len(fixed.lines) == 3
    assert fixed.lines[0].endswith("and trims the parks budget.")
    assert {r.rule for r in fixed.removals} == {"repair.unwrap_v1", "repair.space_before_punct_v1"}


def test_one_paragraph_per_line_pages_are_not_unwrapped() -> None:
    page = "\n\n".join(
        f"Paragraph {i} of the story says that the council met and voted on the plan, officials said." for i in range(8)
    )
    assert len(repair(page).lines) == 8


NEWS_PAGE = """Home > Business > Markets
City Bank posts record profit as lending rebounds | Daily Ledger
Skip to content
Menu
City Bank posts record profit as lending rebounds
By Maria Gomez, Business Reporter
March 4, 2024
Share
Facebook Twitter LinkedIn Email
City Bank reported a record quarterly profit on Monday as loan demand from small businesses recovered and deposit costs eased, sending its shares up 6% in early trading.
Advertisement
Net income rose to $2.1 billion from $1.6 billion a year earlier, the bank said in a statement. Analysts had expected $1.8 billion, according to data compiled by LSEG.
Photo: Jane Smith/Getty Images
Lending picks up
"We saw healthy demand across every region," chief executive Tom Lee told analysts on a call. Sources said the bank was also weighing a buyback.
The ad market for financial services grew 8% in the quarter, a separate report showed.
Related: Regional lenders brace for new capital rules
Subscribe to our newsletter
Follow us on Twitter
© 2024 Daily Ledger. All rights reserved.
Privacy Policy | Terms of Use | Cookie Settings
"""


def test_realistic_page_keeps_article_and_lifts_metadata() -> None:
    cleaned = clean_text(NEWS_PAGE)
    assert cleaned.title == "City Bank posts record profit as lending rebounds"
    assert cleaned.author == "Maria Gomez"
    assert cleaned.date == dt.date(2024, 3, 4)
    assert cleaned.site == "Daily Ledger"
    assert cleaned.language == "en"
    assert cleaned.text.splitlines() == [
        "City Bank reported a record quarterly profit on Monday as loan demand from small businesses recovered "
        "and deposit costs eased, sending its shares up 6% in early trading.",
        "Net income rose to $2.1 billion from $1.6 billion a year earlier, the bank said in a statement. Analysts "
        "had expected $1.8 billion, according to data compiled by LSEG.",
        "Lending picks up",
        '"We saw healthy demand across every region," chief executive Tom Lee told analysts on a call. Sources said '
        "the bank was also weighing a buyback.",
        "The ad market for financial services grew 8% in the quarter, a separate report showed.",
    ]
    by_kind = {r.kind for r in cleaned.removals}
    assert {"navigation", "byline", "share", "ad", "photo_credit", "related", "newsletter", "social",
            "copyright", "title"} <= by_kind
    assert reconstruct(cleaned) == repair(NEWS_PAGE).lines


def test_known_title_is_not_overridden_and_its_copies_go() -> None:
    from clean.document import Metadata

    page = "Budget passes after long debate\n" + NEWS_PAGE.split("\n", 5)[5]
    cleaned = clean_text(page, meta=Metadata(title="Budget passes after long debate"))
    assert cleaned.title == "Budget passes after long debate"
    assert "Budget passes after long debate" not in cleaned.text


@pytest.mark.parametrize(
    "title",
    [
        "Budget passes after long debate - The Valley Courier",
        "Opinion | Budget passes after long debate",
        "Valley Courier | News for the valley: Budget passes after long debate",
        "Budget passes after long debate | Politics | Valley Courier",
    ],
)
def test_the_headline_is_dropped_when_the_known_title_wraps_it_in_site_or_section(title: str) -> None:
    from clean.document import Metadata

    page = "Budget passes after long debate\n" + NEWS_PAGE.split("\n", 5)[5]
    cleaned = clean_text(page, meta=Metadata(title=title))
    assert cleaned.title == title
    assert "Budget passes after long debate" not in cleaned.text
    assert [r.rule for r in cleaned.removals if r.kind == "title"] == ["title.repeated_headline_v1"]


def test_a_line_that_only_shares_the_titles_first_words_is_kept() -> None:
    from clean.document import Metadata

    page = "Budget passes\n" + NEWS_PAGE.split("\n", 5)[5]
    cleaned = clean_text(page, meta=Metadata(title="Budget passes after long debate - The Valley Courier"))
    assert not [r for r in cleaned.removals if r.kind == "title"]


def test_empty_and_whitespace_pages() -> None:
    assert clean_text("").text == ""
    assert clean_text("  \n\n\t \n").text == ""
    assert clean_text("").removals == []


def test_english_keyed_rules_leave_other_languages_alone() -> None:
    italian = (
        "Il consiglio comunale ha approvato ieri il nuovo piano per la mobilità urbana, dopo un lungo dibattito.\n"
        "Secondo il free report di Legambiente, le emissioni in città sono calate del cinque per cento nel 2019.\n"
        "Il sindaco ha detto che i lavori cominceranno in primavera e dureranno almeno due anni.\n"
    )
    cleaned = clean_text(italian)
    assert cleaned.language == "it"
    assert "free report di Legambiente" in cleaned.text
    english = italian.replace("Secondo il free report di Legambiente, le emissioni in città sono calate del cinque "
                              "per cento nel 2019.", "Get our free report on the five stocks to buy now.")
    english = english.replace("Il consiglio comunale ha approvato ieri il nuovo piano per la mobilità urbana, dopo "
                              "un lungo dibattito.", "The city council approved the new transport plan on Monday "
                              "after a long debate, officials said.")
    english = english.replace("Il sindaco ha detto che i lavori cominceranno in primavera e dureranno almeno due anni.",
                              "The mayor said work would start in spring and last at least two years.")
    cleaned = clean_text(english)
    assert cleaned.language == "en"
    assert "free report" not in cleaned.text
    assert any(r.rule == "promo.stock_pitch_v1" for r in cleaned.removals)


@pytest.mark.parametrize(
    "paragraph",
    [
        # A record that is one paragraph (a passage dataset, a truncated snippet): no body follows, so it is
        # not a headline, and no article precedes it, so it is not an author's bio.
        "On the subject of Liverpool's captain and prize asset, Parry revealed Real Madrid",
        "Hong Kong is hoping to join Japan as co-host of the 2011 Rugby World Cup.",
        "Clark Boyd is technology correspondent for The World, a BBC World Service and WGBH-Boston co-production.",
    ],
)
def test_a_lone_paragraph_is_kept_as_text(paragraph) -> None:
    cleaned = clean_text(paragraph)
    assert cleaned.text == paragraph and cleaned.title is None and cleaned.removals == []


def test_a_bio_after_an_article_is_still_removed() -> None:
    article = (
        "The regulator approved the merger on Tuesday after a review that lasted eleven months.\n"
        "Shares in both companies rose in early trading, and analysts expect the deal to close by June.\n"
        "Clark Boyd is technology correspondent for The World, a BBC World Service and WGBH-Boston co-production."
    )
    cleaned = clean_text(article)
    assert "Clark Boyd" not in cleaned.text
    assert [r.rule for r in cleaned.removals] == ["author_box.bio_v1"]


def test_warm_up_loads_the_language_model_before_any_document() -> None:
    # The runner warms up outside every document's time limit; a model loaded later costs the first
    # document about half a second of its budget.
    from clean.page import language
    from clean.page.pipeline import CleanOptions, warm_up

    language._identifier.cache_clear()
    warm_up(CleanOptions(detect_language=False))
    assert language._identifier.cache_info().currsize == 0
    warm_up()
    assert language._identifier.cache_info().currsize == 1


def test_clear_caches_keeps_verdicts_the_same() -> None:
    from clean.page.pipeline import clear_caches

    page = (SEEDS / SEED_FILES[0].name).read_text(encoding="utf-8")
    first = clean_text(page)
    clear_caches()
    again = clean_text(page)
    assert (again.text, again.removals) == (first.text, first.removals)


def _as_tuple(c) -> tuple:
    return (c.text, c.title, c.author, c.date, c.site, c.language,
            [(r.line, r.text, r.rule, r.kind, r.action, r.start, r.field) for r in c.removals])


def test_pages_cleaned_together_come_out_as_cleaned_alone() -> None:
    """``clean_texts`` runs each step over every page before the next: no page may see another, in any order."""
    from clean.page.pipeline import clean_texts

    pages = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    pages += [f"Menu\nHome\nNews\n{page}\nShare\nFacebook\n© 2024 Example Media" for page in pages[:2]]
    alone = [_as_tuple(clean_text(page)) for page in pages]
    assert [_as_tuple(c) for c in clean_texts(pages)] == alone
    assert [_as_tuple(c) for c in reversed(clean_texts(pages[::-1]))] == alone


def test_dev_pages_cleaned_together_come_out_as_cleaned_alone() -> None:
    from conftest import shared_path

    from clean.page.pipeline import clean_texts, clear_caches

    pages = [p.read_text(encoding="utf-8") for p in sorted(shared_path("eval", "news-pages", "text").glob("*.txt"))]
    clear_caches()
    alone = [_as_tuple(clean_text(page)) for page in pages]
    clear_caches()
    assert [_as_tuple(c) for c in clean_texts(pages)] == alone


def test_records_cleaned_together_mix_text_and_html() -> None:
    from test_html import ARTICLE

    from clean.document import RawRecord
    from clean.page.records import clean_record, clean_records

    records = [
        RawRecord(id="a", source="a.txt", format="txt", text=SEED_FILES[0].read_text(encoding="utf-8")),
        RawRecord(id="b", source="b.html", format="html", html=ARTICLE, url="https://www.riversidegazette.com/x"),
        RawRecord(id="c", source="c.txt", format="txt", text=SEED_FILES[1].read_text(encoding="utf-8"), title="T"),
    ]
    together = clean_records(records)
    assert [d.id for d in together] == ["a", "b", "c"]
    assert together == [clean_record(r) for r in records]
    assert together[1].n_chars_in == len(ARTICLE) and together[1].status == "ok"


_DRIVERS = ["Kyle Brandt", "Martin Tolle", "Kevin Harlow", "Denny Haas", "Joey Lange", "Ryan Blake", "Kyle Larkin",
            "Brad Keller", "Clint Bowers", "Chase Ellis"]
STANDINGS_PAGE = "\n".join([
    "Standings | Racing | F1 | IndyCar | MotoGP | Stock Cars",
    "Home",
    "News",
    "Standings",
    "Calendar",
    "Cup Series standings",
    "Here you will always find the latest Cup Series standings, updated after every race of the season.",
    "Final standings of the 2019 Cup Series after 36 races:",
    "Pos. Driver Points Wins Poles Top 5 Top 10",
    *[f"{i} {name} {5040 - 37 * i} {7 - i % 5} {i % 3} {19 - i} {27 - i}" for i, name in enumerate(_DRIVERS, 1)],
    "» Columns",
    "» Advertising",
    "» Power ranking",
    "Our columnist writes every week about Formula 1, MotoGP and the rest of the motor racing world.",
    "» Race preview",
    "» Videos",
    "Click on the picture above to see how the drivers rank this season, race by race and overall.",
    "» TV times",
    "» Podcast",
    "Find out the TV times, the weather forecast and the tyres for this weekend's race in our preview.",
    "Online users",
    "5603 users online",
    "Privacy policy",
    "Contact us",
    "Copyright © 2019 Example Racing. All rights reserved.",
])


def test_a_standings_table_is_the_article_not_a_header() -> None:
    """Rows of figures are short, non-prose lines, which the zones count against the article; a data table
    of five rows or more (standings, results, statistics) is content, even when it is all there is."""
    cleaned = clean_text(STANDINGS_PAGE)
    kept = cleaned.text.splitlines()
    assert "1 Kyle Brandt 5003 6 1 18 26" in kept and f"10 Chase Ellis {5040 - 370} 7 1 9 17" in kept
    assert "Here you will always find the latest Cup Series standings, updated after every race of the season." in kept
    # For the zone scorer (the page model's fallback, and one of its features), fewer rows are not a table: four
    # short lines of figures between paragraphs stay what they were, a header.
    short = "\n".join(STANDINGS_PAGE.splitlines()[:13] + STANDINGS_PAGE.splitlines()[19:])
    assert "4 Denny Haas 4892 3 1 15 23" in short
    zones_only = clean_text(short, options=CleanOptions(page_model=False)).text.splitlines()
    assert "1 Kyle Brandt 5003 6 1 18 26" not in zones_only


def test_a_long_row_of_capitalised_names_is_not_prose() -> None:
    """Twenty words make a line running text even without a sentence end, but not a mega-menu's row of section
    names; text in scripts without case, and prose that capitalises its nouns, stay prose."""
    from clean.page.text import is_prose

    menu = ("Latest News Applications OS Channel Programs Cloud Components & Peripherals Data Center Internet of "
            "Things Managed Services Mobility Networking Security Software Storage")
    assert not is_prose(menu)
    german = ("Die Regierung hat am Montag nach langen Verhandlungen mit den Ländern und den Gemeinden einen neuen "
              "Plan für den Ausbau der Bahnstrecken im Süden vorgelegt")
    assert is_prose(german)
    assert is_prose("Ascom is a global solutions provider focused on healthcare ICT and mobile workflow solutions "
                    "with subsidiaries in fifteen countries and around thirteen hundred employees worldwide")
    assert is_prose("政府は月曜日に新しい計画を発表し、鉄道網の拡張と地方の交通の改善を進めると述べたが、詳細はまだ明らかになっていない")


def test_a_run_of_cut_off_excerpts_is_a_teaser_list() -> None:
    teasers = [
        "Council delays vote on the harbour plan NEW YORK: The city council on Tuesday delayed a vote on the plan to...",
        "Storm closes schools across the region BOSTON: Schools in four counties will stay closed on Wednesday as…",
        "Rail strike called off after late talks LONDON: A national rail strike planned for Friday was called off...",
    ]
    article = [
        "Bridge budget approved after long debate",
        "The council met on Monday and approved the plan to rebuild the bridge, officials said on Tuesday.",
        "The mayor said work would start in the spring... if the state approves its share of the budget in time.",
        "Residents have waited six years for the work, which the state first promised in 2018 after the floods.",
        "She said the old bridge would stay open to walkers until the new one is finished, probably in 2027...",
    ]
    cleaned = clean_text("\n".join(["Latest news", *teasers, *article]))
    assert {r.text for r in cleaned.removals if r.rule == "related.teasers_v1"} == set(teasers)
    for line in article[1:]:  # a paragraph of the article that trails off, alone, stays
        assert line in cleaned.text


def test_korean_is_counted_in_the_words_it_spaces() -> None:
    """Korean separates words with spaces, like English: counting its syllables as Chinese characters made a
    four-word teaser headline a seven-word line, and with its trailing dots, prose."""
    from clean.page.text import is_prose, word_count

    assert word_count("엘제이의 리벤지인가, 류화영의 코스프레인가") == 4
    assert not is_prose("‘아침마당’마저 접수한 유재석, 그가 뜨..")
    assert word_count("政府は月曜日に新しい計画を発表した") == 8  # unspaced scripts: a word per two characters


@pytest.mark.parametrize(
    "line",
    [
        "PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05, Tue, Nov 19, 2019",
        "Published: 20:13 GMT, 19 November 2019 | Updated: 21:40 GMT, 19 November 2019",
        "Mon 18 Nov 2019 18.54 GMT Last modified on Mon 18 Nov 2019 18.56 GMT",
        "Published 11:34 PM EST Nov 19, 2019",
        "Updated: Tue 8:31 PM, Nov 19, 2019",
    ],
)
def test_a_line_of_publication_and_update_dates_goes_to_the_date(line: str) -> None:
    page = "\n".join([
        "Council approves the new bridge budget",
        "The council met on Monday and approved the plan to rebuild the bridge, officials said on Tuesday.",
        line,
        "The mayor said work would start in the spring, once the state has approved the budget for it.",
    ])
    cleaned = clean_text(page)
    assert cleaned.date in (dt.date(2019, 11, 19), dt.date(2019, 11, 18))
    assert line not in cleaned.text
    assert [r.rule for r in cleaned.removals if r.text == line] == ["metadata.date_fields_v1"]


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("기사입력 :[ 2018-08-25 15:24 ]", dt.date(2018, 8, 25)),  # labels in the page's language, brackets
        ("Monday, November 18, 2019, 04:05 pm PT (07:05 pm ET)", dt.date(2019, 11, 18)),  # US zones in brackets
        ("Опубликовано: 24.09.2018 10:15", dt.date(2018, 9, 24)),
        ("Publicado em 19/11/2019 às 10:30", dt.date(2019, 11, 19)),
        ("发布时间：2019-11-19 10:30", dt.date(2019, 11, 19)),  # a full-width colon
    ],
)
def test_date_lines_in_other_languages_go_to_the_date(line: str, date: dt.date) -> None:
    page = "\n".join([
        "Council approves the new bridge budget",
        line,
        "The council met on Monday and approved the plan to rebuild the bridge, officials said on Tuesday.",
        "The mayor said work would start in the spring, once the state has approved the budget for it.",
    ])
    cleaned = clean_text(page)
    assert cleaned.date == date
    assert [r.field for r in cleaned.removals if r.text == line] == ["date"]


def test_a_sentence_with_a_date_is_not_a_date_line() -> None:
    page = "\n".join([
        "Council approves the new bridge budget",
        "The deal closed on March 3, 2021 at 10:30 after talks.",
        "The council met on Monday and approved the plan to rebuild the bridge, officials said on Tuesday.",
    ])
    cleaned = clean_text(page)
    assert cleaned.date is None and "The deal closed on March 3, 2021 at 10:30 after talks." in cleaned.text


def test_an_about_heading_over_a_bio_is_an_author_box_wherever_it_sits() -> None:
    page = "\n".join([
        "How to read with your children",
        "Reading aloud every evening is the single habit that most helps children learn to read, teachers say.",
        "Start with short picture books, let the child turn the pages, and stop before either of you is tired.",
        "Über Moritz Bachmann",
        "Als Inbound Sales Manager bildet Moritz Bachmann die Schnittstelle zwischen Marketing und Vertrieb und "
        "schreibt über Wachstum.",
        "About Us",
        "Contact",
        "Categories",
        "Reading",
        "Writing",
        "Arithmetic",
        "Music",
        "Sport",
        "Games",
        "Travel",
        "Food",
        "Health",
        "Family",
        "Privacy",
    ])
    cleaned = clean_text(page)
    assert cleaned.author == "Moritz Bachmann"
    assert "Moritz Bachmann" not in cleaned.text and "Start with short picture books" in cleaned.text
    removed = {r.text: r.rule for r in cleaned.removals}
    assert removed["Über Moritz Bachmann"] == "author_box.name_v1"
    assert "About Us" not in cleaned.text and removed["About Us"] != "author_box.name_v1"


PRESS_RELEASE = [
    "Northwind Labs opens a battery plant in Ohio",
    "Northwind Labs said on Monday it would open a battery plant in Lima, Ohio, creating 600 jobs by 2027.",
    "The plant will make cells for delivery vans and buses, the company said in a statement on its website.",
    "Production is due to start in the second half of next year, once the state has approved the permits.",
    "“Ohio gives us the workers and the suppliers we need,” chief executive Dana Reyes said in the statement.",
    "About Northwind Labs",
    "Northwind Labs (NASDAQ: NWLB) is a leading provider of battery systems for commercial vehicles. Founded in "
    "2011, the company is headquartered in Austin, Texas, and employs 2,400 people in six countries.",
    "For more information, visit www.northwindlabs.com.",
    "Media contact: press@northwindlabs.com",
]


def test_an_authors_bio_with_a_handle_after_the_name() -> None:
    bio = "Jane Doe (@janedoe) is a reporter at the Herald covering transport and city hall."
    page = "\n".join([*PRESS_RELEASE[:5], bio])
    cleaned = clean_text(page)
    assert [r.rule for r in cleaned.removals if r.text == bio] == ["author_box.bio_v1"]


def test_an_about_company_block_closes_a_press_release() -> None:
    """The company's boilerplate goes, and the company is no author; an "About <person>" box is still one."""
    cleaned = clean_text("\n".join(PRESS_RELEASE))
    removed = {r.text: r.rule for r in cleaned.removals}
    for line in PRESS_RELEASE[5:8]:
        assert removed.get(line) == "about.company_v1", line
    assert cleaned.author != "Northwind Labs"
    assert all(line in cleaned.text for line in PRESS_RELEASE[1:5])


def test_an_about_company_block_in_html() -> None:
    body = "".join(f"<p>{line}</p>" for line in PRESS_RELEASE[1:])
    html = (f"<html><head><title>{PRESS_RELEASE[0]}</title></head><body><article><h1>{PRESS_RELEASE[0]}</h1>"
            f"{body}</article></body></html>")
    cleaned = clean_html(html)
    assert "is a leading provider of battery systems" not in cleaned.text
    assert "creating 600 jobs" in cleaned.text and cleaned.author != "Northwind Labs"


def test_a_byline_broken_over_two_lines_goes_to_the_author() -> None:
    page = "\n".join([
        "Home",
        "Markets",
        "Video Game Makers Bet on Cloud Streaming",
        "By",
        "Sarah E. Needleman",
        "Video game publishers are betting that players will stream their games over the internet, executives said.",
        "The shift could change how the industry sells its biggest titles, which now cost as much as films to make.",
    ])
    cleaned = clean_text(page)
    assert cleaned.author == "Sarah E. Needleman"
    assert cleaned.text.splitlines()[0].startswith("Video game publishers")
    by = "\n".join(["Weather", "By", "the numbers, the storm was the worst in a decade, forecasters said on Monday.",
                    "More than 200 homes lost power and schools closed across the county for the rest of the week."])
    assert clean_text(by).author is None  # the next line is not a name
