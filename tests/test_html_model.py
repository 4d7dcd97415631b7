"""The HTML page model: how a page becomes lines with DOM features, how the peers' verdicts are read, and what
the shipped model does to a whole page."""

from __future__ import annotations

import lxml.html
import numpy as np
import pytest

from clean.page.model import page as page_module
from clean.page.model.blocks import DOM_NAMES, blocks
from clean.page.model.html_page import read_html
from clean.page.model.page import HTML_EXTRA
from clean.page.model.peers import PER_PEER, PeerText, verdicts
from clean.page.pipeline import CleanOptions
from clean.page.records import clean_html

ARTICLE = [
    "The council met on Monday and approved the plan to rebuild the old bridge over the river, which has been "
    "closed to traffic since the floods of last winter.",
    "Work will start in the spring, the mayor said, and the bridge should reopen to cars and buses by the end of "
    "next year if the weather allows it.",
    "Residents who use the crossing every day welcomed the decision, though some said the budget was too small "
    "for a project of this size.",
    "The engineers who surveyed the bridge found that two of its piers had been undermined by the water and would "
    "have to be rebuilt from the river bed.",
]
PAGE = f"""<!doctype html>
<html lang="en"><head><title>Council approves bridge plan | The Valley Courier</title>
<meta property="og:site_name" content="The Valley Courier"><style>p {{ color: black }}</style></head>
<body>
<header class="site-header"><a class="logo" href="/">The Valley Courier</a>
<nav class="main-nav"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/contact">Contact us</a></li>
</ul></nav></header>
<main><article class="post">
<h1>Council approves bridge plan</h1>
<div class="byline">By Jane Smith, 12 March 2024</div>
<div class="share-bar"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
<div class="article-body">{"".join(f"<p>{p}</p>" for p in ARTICLE)}</div>
</article>
<aside class="related-stories"><h3>Related stories</h3><ul>
<li><a href="/a">Flood defences to be reviewed after winter storms</a></li>
<li><a href="/b">New bus routes announced for the town centre</a></li>
<li><a href="/c">School reopens after repairs to its roof</a></li></ul></aside>
</main>
<footer class="site-footer"><p>&copy; 2024 The Valley Courier. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>
<script>var tracking = "should never show";</script>
</body></html>"""


def _tree(html: str):
    return lxml.html.fromstring(html)


def _dom(block, name: str) -> float:
    return block.dom[DOM_NAMES.index(name)]


def test_inline_elements_join_as_written_and_blocks_break_lines() -> None:
    found = blocks(_tree("<div><p>中国<a href='#'>人民</a>的<b>生活</b></p><p>one<br>two</p>x<span>y</span></div>"))
    assert [b.text for b in found] == ["中国人民的生活", "one", "two", "xy"]


def test_hidden_and_script_text_is_not_a_line() -> None:
    html = (
        "<body><p>shown</p><script>var a = 1;</script><style>p {}</style><div hidden>gone</div>"
        "<div style='display: none'>gone too</div><p>after</p></body>"
    )
    assert [b.text for b in blocks(_tree(html))] == ["shown", "after"]


#: A page as React streams it from the server (Next.js): the shell first, with a placeholder where the article will
#: go, then the article in a hidden segment at the end and the inline call that moves it into place.
STREAMED = (
    "<body><header><nav><ul><li><a href='/'>Home</a></li><li><a href='/blog'>Blog</a></li></ul></nav></header><main>"
    "<h1>Council approves bridge plan</h1><!--$?--><template id='B:0'></template><p>Loading...</p><!--/$-->"
    "</main><footer><p>Contact us</p></footer>"
    f"<div hidden id='S:0'><div class='article-body'>{''.join(f'<p>{p}</p>' for p in ARTICLE[:2])}</div></div>"
    "tail of the page{script}</body>"
)


@pytest.mark.parametrize(
    "script", ["<script>$RC(\"B:0\",\"S:0\")</script>", ""], ids=["with its script", "scripts removed"]
)
def test_a_segment_react_streamed_is_read_where_the_page_shows_it(script: str) -> None:
    lines = [b.text for b in blocks(_tree(STREAMED.format(script=script)))]
    # Hidden until the script runs, and the whole article: read in its placeholder's place, the page's own text
    # around it in order, and a segment's tail where it stood.
    assert lines == ["Home", "Blog", "Council approves bridge plan", *ARTICLE[:2], "Loading...", "Contact us",
                     "tail of the page"]
    assert clean_html(STREAMED.format(script=script)).text.split("\n") == ARTICLE[:2]


def test_a_react_segment_is_paired_with_its_placeholder_by_the_script_and_else_read_where_it_stands() -> None:
    # The script pairs S:1 with B:0 (React numbers boundaries and segments apart): its text goes there. A segment
    # with no placeholder is read in place; a plain hidden block stays hidden.
    html = (
        "<body><p>top</p><template id='B:0'></template><p>middle</p>"
        "<div hidden id='S:1'><p>moved here</p></div><div hidden id='S:7'><p>no placeholder</p></div>"
        "<div hidden><p>never shown</p></div><script>$RC(\"B:0\",\"S:1\")</script></body>"
    )
    assert [b.text for b in blocks(_tree(html))] == ["top", "moved here", "middle", "no placeholder"]


def test_an_article_the_parser_put_in_a_widget_is_read() -> None:
    # A broken page as libxml2 parses it: an unclosed <button> takes in the article after it. A button's own
    # label stays out, as do the buttons that are only buttons.
    unclosed = f"<body><header><button class='menu'>Menu<div class='body'><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p>"
    assert [b.text for b in blocks(_tree(unclosed))] == ["Menu", ARTICLE[0], ARTICLE[1]]
    label = "<body><p>before</p><button><span>Subscribe now</span></button><p>after</p></body>"
    assert [b.text for b in blocks(_tree(label))] == ["before", "after"]


def test_a_data_table_row_is_one_line_and_a_layout_table_keeps_its_blocks() -> None:
    # A standings table read cell by cell was a column of names and a column of lone figures: lines no reader
    # keeps and whose shingles match nothing in the row as an article gives it.
    html = (
        "<body><p>Standings after 36 races:</p><table><thead><tr><th>Pos.</th><th>Driver</th><th>Points</th>"
        "</tr></thead><tbody><tr><td>1</td><td><a href='/kb'>Kyle Busch</a></td><td>5040</td></tr>"
        "<tr><td>2</td><td>Martin Truex Jr.</td><td>5035</td></tr></tbody></table>"
        "<table><tr><td><p>A page laid out in a table.</p><p>Its second paragraph.</p></td>"
        "<td><ul><li>Home</li><li>News</li></ul></td></tr></table></body>"
    )
    found = blocks(_tree(html))
    assert [b.text for b in found] == [
        "Standings after 36 races:", "Pos. Driver Points", "1 Kyle Busch 5040", "2 Martin Truex Jr. 5035",
        "A page laid out in a table.", "Its second paragraph.", "Home", "News",
    ]
    row = found[2]
    assert _dom(row, "tag_td") == 1 and _dom(row, "in_table") == 1 and 0 < _dom(row, "link_share") < 1


def test_readability_reads_the_same_text_without_its_link_rewriting() -> None:
    # The peer skips readability-lxml's script-link cleaning (half its time); the article's text must not change.
    from readability import Document

    from clean.page.model.html_page import _readability

    body = "".join(f"<p onclick='track()'>{p} <a href='javascript:void(0)'>more</a></p>" for p in ARTICLE)
    html = (
        f"<html><head><script>var x = 1;</script></head><body><div class='nav'><a href='/'>Home</a></div>"
        f"<div hidden><p>{ARTICLE[0]}</p></div><div style='display:none'>hidden teaser</div>"
        f"<article><h1>Council approves bridge plan</h1>{body}</article></body></html>"
    )
    theirs = Document(html).summary(html_partial=True)
    expected = [b.text for b in blocks(lxml.html.fromstring(theirs))]
    assert _readability(html).splitlines() == expected
    assert expected[-1] == ARTICLE[-1] + " more" and "hidden teaser" not in expected


def test_blocks_carry_their_place_in_the_page() -> None:
    found = {b.text: b for b in blocks(_tree(PAGE))}
    menu, para, foot = found["Sport"], found[ARTICLE[0]], found["Privacy policy Terms of use"]
    assert _dom(menu, "in_nav") == 1 and _dom(menu, "cls_nav") == 1 and _dom(menu, "link_share") == 1
    assert _dom(para, "tag_p") == 1 and _dom(para, "in_article") == 1 and _dom(para, "cls_content") == 1
    assert _dom(para, "link_share") == 0 and _dom(para, "in_nav") == 0
    assert _dom(foot, "in_footer") == 1 and _dom(foot, "cls_footer") == 1
    assert _dom(found["Related stories"], "cls_related") == 1 and _dom(found["Related stories"], "tag_h") == 1
    assert "should never show" not in " ".join(found)


def test_class_words_are_read_across_camel_case_hyphens_and_numbers() -> None:
    html = (
        "<body><div class='commentBody'><p>first</p></div><div id='related-posts_2'><p>second</p></div>"
        "<div class='commentary'><p>third</p></div></body>"
    )
    found = {b.text: b for b in blocks(_tree(html))}
    assert _dom(found["first"], "cls_comment") == 1 and _dom(found["first"], "cls_content") == 1
    assert _dom(found["second"], "cls_related") == 1
    assert _dom(found["third"], "cls_comment") == 0  # a word is matched whole: commentary is an article kind


def test_peer_verdicts_read_words_not_spacing() -> None:
    peer = PeerText.of("The bridge will reopen next year.\nWork starts in spring")
    rows = verdicts(["the  Bridge will reopen", "Home", "Work starts in spring", "reopen next year. Work"], [peer])
    run, triples, whole = rows[:, 0], rows[:, 1], rows[:, 2]
    assert run.tolist() == [1, 0, 1, 1]  # a run of the peer's words, across its line breaks too
    assert triples.tolist() == [1, 0, 1, 1]
    assert whole.tolist() == [0, 0, 1, 0]
    assert rows[1, 3] == 1 and rows[1, 4] == 1  # the neighbours' share of triples
    assert rows[0, 5] == pytest.approx(0.75)  # the share of the page's lines the peer keeps
    assert rows.shape == (4, len(PER_PEER))


def test_read_html_gives_a_line_per_block_with_dom_and_peer_features() -> None:
    page = read_html(PAGE)
    lines = page.text.splitlines()
    assert ARTICLE[0] in lines and "Sport" in lines
    assert page.extracted.title and "bridge" in page.extracted.title.lower()
    assert page.view.dom.shape == (len(lines), len(DOM_NAMES))
    x = page.view.features(list(range(len(lines))), lines)
    assert x.shape == (len(lines), len(HTML_EXTRA))
    trafilatura_run = x[:, len(DOM_NAMES)]
    assert trafilatura_run[lines.index(ARTICLE[1])] == 1 and trafilatura_run[lines.index("Sport")] == 0


def test_the_shipped_html_model_loads_with_its_card() -> None:
    model = page_module.default_model(page_module.HTML_NAME)
    assert model.features == page_module.feature_names(page_module.HTML_NAME)
    assert model.rule == f"model.page_html_{model.version}"
    assert model.card["trained_on"]["pages"] > 1000


def test_html_model_keeps_the_article_and_drops_the_chrome() -> None:
    cleaned = clean_html(PAGE, "https://valley-courier.example/news/bridge")
    kept = cleaned.text.splitlines()
    for paragraph in ARTICLE:
        assert paragraph in kept
    for chrome in ("Sport", "Contact us", "Privacy policy Terms of use", "Facebook Twitter Email"):
        assert chrome not in kept
    assert "Related stories" not in kept
    model = page_module.default_model(page_module.HTML_NAME)
    dropped = [r for r in cleaned.removals if r.rule == model.rule]
    assert dropped and all("P(content) = " in r.reason for r in dropped)
    assert cleaned.title and cleaned.site


def _trafilatura_modes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record the ``fast`` argument of every trafilatura extraction from now on (``extract`` runs through
    ``bare_extraction`` inside trafilatura's core)."""
    import trafilatura
    import trafilatura.core

    modes: list[object] = []
    real = trafilatura.core.bare_extraction

    def recorded(*args: object, **kwargs: object) -> object:
        options = kwargs.get("options")  # extract() passes its settings as an Extractor
        modes.append(options.fast if options is not None else kwargs.get("fast"))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", recorded)
    monkeypatch.setattr(trafilatura.core, "bare_extraction", recorded)
    return modes


def test_trafilatura_runs_in_its_fast_mode_for_the_accurate_model(monkeypatch: pytest.MonkeyPatch) -> None:
    modes = _trafilatura_modes(monkeypatch)
    cleaned = clean_html(PAGE, "https://valley-courier.example/news/bridge")
    assert modes == [True, True, True]  # default (with the metadata), favor_precision, favor_recall
    assert all(paragraph in cleaned.text.splitlines() for paragraph in ARTICLE)


def test_the_fast_html_model_reads_two_peers_and_keeps_the_article(monkeypatch: pytest.MonkeyPatch) -> None:
    from clean.page.model import html_page

    model = page_module.default_model(page_module.HTML_FAST_NAME)
    assert model.features == (*page_module.feature_names(page_module.DEFAULT_NAME), *page_module.html_extra(model.name))
    assert model.card["trained_on"]["pages"] > 1000

    def not_run(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("the fast model does not read this peer")

    modes = _trafilatura_modes(monkeypatch)
    monkeypatch.setattr(html_page, "_readability", not_run)
    monkeypatch.setattr(html_page, "_trafilatura", not_run)
    cleaned = clean_html(PAGE, "https://valley-courier.example/news/bridge", options=CleanOptions(html_model="fast"))
    assert modes == [True]  # one trafilatura run, in its fast mode (no fallback extractors)
    kept = cleaned.text.splitlines()
    assert all(paragraph in kept for paragraph in ARTICLE)
    assert "Sport" not in kept and "Facebook Twitter Email" not in kept
    assert any(r.rule == model.rule for r in cleaned.removals)


def test_html_without_the_model_is_trafilatura_and_the_rules() -> None:
    cleaned = clean_html(PAGE, options=CleanOptions(page_model=False))
    assert not any(r.rule.startswith("model.") for r in cleaned.removals)
    assert ARTICLE[0] in cleaned.text.splitlines()


def test_html_cleaning_is_deterministic() -> None:
    first = clean_html(PAGE)
    assert clean_html(PAGE).text == first.text
    assert np.array_equal(read_html(PAGE).view.dom, read_html(PAGE).view.dom)
