"""The page model: gold aligned to lines, the decoder, the shipped weights, and its removals."""

from __future__ import annotations

import numpy as np
import pytest

from clean.document import Metadata
from clean.page.cleaner import Context, Line
from clean.page.model import page as page_module
from clean.page.model.decode import Chain, viterbi
from clean.page.model.features import NAMES, line_features
from clean.page.model.step import page_model
from clean.page.pipeline import CleanOptions, clean_text
from clean.train.align import align, labels

PAGE = [
    "Home | World | Business | Sport | Opinion",
    "Share",
    "Council approves the bridge budget",
    "The council met on Monday and approved the plan to rebuild the old bridge over the river.",
    "Work will start in the spring, the mayor said, and the bridge will reopen next year.",
    "Share",
    "Business news",
    "More from World",
]
GOLD = (
    "Council approves the bridge budget\n"
    "The council met on Monday and approved the plan to rebuild the old bridge over the river.\n"
    "Work will start in the spring, the mayor said, and the bridge will reopen next year.\n"
)


def test_alignment_labels_the_article_lines_only() -> None:
    assert labels(PAGE, GOLD) == [False, False, True, True, True, False, False, False]


def test_alignment_takes_a_menu_word_the_article_also_uses_for_boilerplate() -> None:
    # "Business" and "World" are in the gold text once each, but not as a run of the article: chance agreement
    page = ["Business", *PAGE[2:5], "World"]
    gold = GOLD + "Business leaders in the World welcomed it.\n"
    assert labels(page, gold) == [False, True, True, True, False]


def test_alignment_keeps_a_short_sub_heading_that_is_a_whole_line() -> None:
    page = [PAGE[3], "What next", PAGE[4]]
    gold = f"{PAGE[3]}\nWhat next\n{PAGE[4]}\n"
    assert labels(page, gold) == [True, True, True]


def test_alignment_of_unspaced_script_counts_characters() -> None:
    page = ["首页 | 新闻 | 体育", "市议会周一批准了重建旧桥的计划。", "版权所有"]
    assert align(page, "市议会周一批准了重建旧桥的计划。")[1] == 1.0
    assert labels(page, "市议会周一批准了重建旧桥的计划。") == [False, True, False]


def test_alignment_of_a_line_without_words_is_zero() -> None:
    assert align(["* * *", PAGE[3]], PAGE[3]) == [0.0, 1.0]


CHAIN = Chain.count([[False, False, True, True, True, True, False, False]] * 5)


def test_viterbi_keeps_a_doubtful_line_between_paragraphs() -> None:
    assert viterbi([0.05, 0.95, 0.4, 0.95, 0.05], CHAIN) == [False, True, True, True, False]


def test_viterbi_drops_a_lone_likely_line_inside_boilerplate() -> None:
    assert viterbi([0.05, 0.05, 0.6, 0.05, 0.95, 0.95], CHAIN) == [False, False, False, False, True, True]


def test_viterbi_follows_confident_scores() -> None:
    assert viterbi([0.99, 0.01, 0.01, 0.01, 0.99], CHAIN)[1:4] == [False, False, False]


def test_chain_counts_transitions() -> None:
    chain = Chain.count([[True, True, False], [False, True]], smoothing=1.0)
    assert chain.prior == pytest.approx(3 / 5)
    assert np.exp(chain.trans[1][1]) == pytest.approx((1 + 1) / (2 + 2))  # keep -> keep once, keep -> drop once
    assert np.exp(chain.trans[0][1]) == pytest.approx((1 + 1) / (1 + 2))  # drop -> keep once, never drop -> drop
    assert np.exp(chain.start[1]) == pytest.approx((1 + 1) / (2 + 2))


def test_features_one_row_per_line_and_named() -> None:
    lines = [Line(i, t) for i, t in enumerate(PAGE)]
    x = line_features(lines, Context(meta=Metadata(language="en")), len(PAGE))
    assert x.shape == (len(PAGE), len(NAMES))
    prose = NAMES.index("prose")
    assert x[3, prose] == 1.0 and x[0, prose] == 0.0
    stop = NAMES.index("stop_share")
    assert x[3, stop] > x[0, stop]  # "the", "on", "and", "to", "over" against a menu of names


def test_features_without_a_stop_word_list_are_missing_not_zero() -> None:
    lines = [Line(0, "市议会周一批准了重建旧桥的计划。")]
    x = line_features(lines, Context(meta=Metadata(language="zh-unknown")), 1)
    assert np.isnan(x[0, NAMES.index("stop_share")])


def test_the_shipped_model_loads_with_its_card() -> None:
    model = page_module.default_model()
    assert model.features == NAMES
    assert model.rule == f"model.{model.name}_{model.version}"
    assert model.card["trained_on"]["pages"] > 1000
    probs = model.probabilities(line_features([Line(i, t) for i, t in enumerate(PAGE)], Context(), len(PAGE)))
    assert probs.shape == (len(PAGE),) and ((probs >= 0) & (probs <= 1)).all()


def test_model_drops_recorded_with_rule_kind_and_probability() -> None:
    menu = ["Home", "World", "Business", "Sport", "Opinion", "Contact us", "Log in"]
    article = [
        "The council met on Monday and approved the plan to rebuild the old bridge over the river, which has "
        "been closed to traffic since the floods of last winter.",
        "Work will start in the spring, the mayor said, and the bridge should reopen to cars and buses by the "
        "end of next year if the weather allows it.",
        "Residents who use the crossing every day welcomed the decision, though some said the budget was too "
        "small for a project of this size.",
    ]
    footer = ["Terms of use", "Privacy", "Careers", "Advertise with us"]
    lines = [Line(i, t) for i, t in enumerate(menu + article + footer)]
    props = page_model(lines, Context(meta=Metadata(language="en"), n_lines=len(lines)))
    dropped = {p.n for p in props}
    assert not dropped & set(range(len(menu), len(menu) + len(article)))
    assert len(dropped) >= len(menu) + len(footer) - 2
    model = page_module.default_model()
    for p in props:
        assert p.rule == model.rule and p.action == "drop"
        assert p.kind in ("navigation", "footer", "boilerplate")
        assert "P(content) = 0." in p.reason


def test_clean_text_names_the_model_in_removals_and_can_turn_it_off() -> None:
    page = "\n".join(PAGE)
    with_model = clean_text(page)
    model = page_module.default_model()
    assert any(r.rule == model.rule for r in with_model.removals)
    without = clean_text(page, options=CleanOptions(page_model=False))
    assert not any(r.rule.startswith("model.") for r in without.removals)


def test_decoder_setting_is_the_least_sticky_of_the_near_best() -> None:
    from clean.train.fit import TIE, chosen

    grid = {"0.25/0.5": 0.8879, "0.5/0.5": 0.8886, "1.0/0.5": 0.8887, "0.1/0.0": 0.8833}
    assert chosen(grid) == (0.25, 0.5)  # within a tenth of a point of the best: the least smoothing
    grid["1.0/0.5"] = 0.8879 + 2 * TIE
    assert chosen(grid) == (1.0, 0.5)  # a clear winner wins


def test_the_shipped_decoder_is_tuned_with_one_fold_per_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each source is scored by a booster that learnt from all the others, as the shipped one learns from all:
    four folds of sources had picked a decoder that keeps doubtful lines (html v4)."""
    from clean.train import fit as train

    x = np.zeros((1, len(NAMES)))
    pages = [
        train.Example(f"{src}__{i}", src, "", "", ["a line"], x, np.array([i % 2]), "a line", ns=(0,))
        for src in ("alpha", "beta", "gamma", "delta", "epsilon")
        for i in range(3)
    ]
    assert sorted(map(sorted, train.source_folds(pages, 5))) == [[s] for s in sorted({p.source for p in pages})]
    seen: list[int] = []
    monkeypatch.setattr(
        train, "out_of_fold", lambda data, k, rounds: seen.append(k) or {p.id: np.ones(1) for p in data}
    )
    stickiness, bias, grid = train.decoder_for(pages)
    assert seen == [5]
    assert f"{stickiness}/{bias}" in grid
    for name in ("page_html", "page_html_fast"):
        assert page_module.load(name=name).card["decoder_folds"].startswith("one per source")


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("utf-8", "Die Gemeinde prüft, ob die Brücke über die Straße bis März gesperrt bleibt – sagt der Bürgermeister."),
        ("gbk", "市政府周一宣布，这座桥将在三月前关闭，以便进行全面的安全检查和维修工作，居民可以绕道通行。"),
    ],
)
def test_the_corpus_text_form_reads_a_page_without_a_charset_as_clean_does(encoding: str, body: str) -> None:
    pytest.importorskip("html_text", reason="html-text is a training extra (pip install -e '.[train]')")
    from clean.train.corpus import text_form

    page = f"<html><head><title>t</title></head><body><div><p>{body}</p></div></body></html>".encode(encoding)
    assert body in text_form(page)
    declared = f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode() + page
    assert body in text_form(declared)


def test_a_page_the_model_keeps_whole_is_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed-point round asks the model again only when something it reads has changed since it kept
    everything: an article with nothing to drop costs one judgement, and comes out the same."""
    from clean.page.model import step

    article = "\n".join(
        [
            "The council met on Monday and approved the plan to rebuild the old bridge over the river, which "
            "has been closed to traffic since the floods of last winter.",
            "Work will start in the spring, the mayor said, and the bridge should reopen to cars and buses by "
            "the end of next year if the weather allows it.",
            "Residents who use the crossing every day welcomed the decision, though some said the budget was "
            "too small for a project of this size.",
        ]
    )
    calls = []
    real = step.line_features
    monkeypatch.setattr(step, "line_features", lambda *a: calls.append(1) or real(*a))
    cleaned = clean_text(article)
    assert cleaned.text == article and not cleaned.removals
    assert len(calls) == 1
    calls.clear()
    assert clean_text("\n".join(PAGE)).text != "\n".join(PAGE)  # a page it trims is judged again
    assert len(calls) >= 2
