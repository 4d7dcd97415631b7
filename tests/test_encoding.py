"""Decoding real-looking news pages from the encodings they turn up in, and repairing mojibake."""

from __future__ import annotations

import gzip
import os

import charset_normalizer
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clean import encoding
from clean.encoding import MOJIBAKE_RULE, decode, decode_lenient, repair_mojibake
from clean.errors import InputError

#: A Western European news page using every cp1252-only character news text leans on.
ARTICLE = (
    "Chancellor unveils £600m plan for northern rail links\n"
    "By Siân O’Connor, Transport Correspondent\n"
    "\n"
    "The Chancellor’s £600m package – announced on Tuesday in Manchester – will fund “shovel-ready” upgrades "
    "between Leeds and York, according to the Treasury.\n"
    "Zoë Ménard, who runs a café near the station, said: “It’s about time. We’ve waited ten years for this…”\n"
    "The European Investment Bank is expected to add €250m, officials said. José Álvarez, the bank’s "
    "vice-president, called it “a naïve hope” that work would begin before 2026.\n"
)
#: Latin-1 has no curly quotes or euro sign: a French page typed with straight apostrophes and guillemets.
ARTICLE_LATIN1 = (
    "La réforme des retraites adoptée à l'Assemblée\n"
    "Par Hélène Lefèvre, à Paris\n"
    "\n"
    "Le président a déclaré mercredi que la réforme « n'était pas négociable », provoquant la colère des "
    "syndicats. Françoise Dubœuf-Müller, porte-parole, a dénoncé un coût de 12 milliards (£10bn).\n"
    "Les grèves ont paralysé les transports pendant près d'une semaine à Lyon et à Besançon.\n"
).replace("œ", "oe")
ARTICLE_RU = (
    "Правительство утвердило новый пакет мер поддержки экономики\n"
    "Президент России заявил в четверг, что правительство подготовит новый пакет мер. По словам министра "
    "финансов, расходы составят около триллиона рублей.\n"
)

ARTICLE_ZH = (
    "飞行归因于作用在飞机上的几个力。第一个是飞机的重量，即将飞机拉向地面的重力。第二个是引擎产生的推力，"
    "它通过空气推动飞机，飞机向前运动引起空气在机翼上方运动，反过来又产生可抵销重力的升力。"
    "最后一个作用在飞机上的是阻力，它是与飞行相反方向产生的力。"
)


def test_utf8_is_decoded_without_running_the_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("charset-normalizer must not run on valid UTF-8")

    monkeypatch.setattr(charset_normalizer, "from_bytes", boom)
    assert decode(ARTICLE.encode("utf-8"), source="a.txt") == (ARTICLE, "utf-8")


def test_utf8_bom_is_removed() -> None:
    assert decode(ARTICLE.encode("utf-8-sig"), source="a.txt") == (ARTICLE, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(codec: str) -> None:
    text, name = decode(ARTICLE.encode(codec), source="a.txt")
    assert text == ARTICLE
    assert name.startswith("utf-16")


def test_utf32_with_bom() -> None:
    assert decode(ARTICLE.encode("utf-32"), source="a.txt")[0] == ARTICLE


def test_cp1252_page() -> None:
    assert decode(ARTICLE.encode("cp1252"), source="a.txt") == (ARTICLE, "cp1252")


def test_latin1_page() -> None:
    assert decode(ARTICLE_LATIN1.encode("latin-1"), source="a.txt") == (ARTICLE_LATIN1, "iso8859-1")


def test_short_cp1252_line() -> None:
    # charset-normalizer alone calls this cp1250 and turns "é" into "é" only by luck; the Western check decides.
    assert decode("Café prices rose to £3.50 – “outrageous”.\n".encode("cp1252"), source="a.txt")[1] == "cp1252"


def test_cyrillic_legacy_page_goes_to_the_detector() -> None:
    text, name = decode(ARTICLE_RU.encode("cp1251"), source="ru.txt")
    assert text == ARTICLE_RU
    assert name == "cp1251"


def test_polish_cp1250_is_not_read_as_cp1252() -> None:
    page = "Rząd przyjął we wtorek projekt ustawy o podwyżce płacy minimalnej, podała agencja.\n" * 3
    assert decode(page.encode("cp1250"), source="pl.txt") == (page, "cp1250")


def test_stray_cp1252_bytes_in_a_utf8_page_keep_the_utf8() -> None:
    data = "Zoë Ménard said “yes”.".encode() + b" It\x92s done.\n"
    assert decode(data, source="a.txt") == ("Zoë Ménard said “yes”. It’s done.\n", "utf-8/cp1252")


def test_newlines_are_normalised() -> None:
    data = ARTICLE.replace("\n", "\r\n").encode("cp1252")
    assert decode(data, source="a.txt")[0] == ARTICLE
    assert decode(b"one\rtwo\r\nthree\n", source="a.txt")[0] == "one\ntwo\nthree\n"


def test_empty_bytes_are_empty_text() -> None:
    assert decode(b"", source="a.txt") == ("", "utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,
        gzip.compress(ARTICLE.encode() * 20),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + os.urandom(2000),
        bytes(range(32)) * 10,
    ],
    ids=["png", "gzip", "zip", "controls"],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode(data, source="photo.txt")
    assert info.value.reason == "binary file, not text"
    assert str(info.value) == "photo.txt: binary file, not text"


def test_a_few_control_characters_do_not_make_a_page_binary() -> None:
    page = ARTICLE + "\x0c\x1a"  # a form feed and a DOS end-of-file mark, as old archives have
    assert decode(page.encode(), source="a.txt")[0] == page


class TestHtml:
    def test_meta_charset_is_honoured(self) -> None:
        page = f'<html><head><meta charset="windows-1251"><title>Новости</title></head><p>{ARTICLE_RU}</p>'
        assert decode(page.encode("cp1251"), source="p.html", html=True) == (page, "cp1251")

    def test_http_equiv_latin1_label_means_cp1252(self) -> None:
        # Browsers read pages labelled ISO-8859-1 as windows-1252, and such pages do use its curly quotes.
        page = f'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>{ARTICLE}</p>'
        assert decode(page.encode("cp1252"), source="p.html", html=True) == (page, "cp1252")

    def test_mislabelled_utf8_page_is_read_as_utf8(self) -> None:
        page = f'<meta charset="iso-8859-1"><p>{ARTICLE}</p>'
        assert decode(page.encode(), source="p.html", html=True) == (page, "utf-8")

    def test_no_declaration_falls_back_to_cp1252_not_a_guess(self) -> None:
        page = f"<p>{ARTICLE}</p>"
        assert decode(page.encode("cp1252"), source="p.html", html=True)[0] == page

    def test_undeclared_chinese_page_is_not_read_as_cp1252(self) -> None:
        # A GBK page of the early web with no <meta charset>: its markup is ASCII, so only its text can tell.
        page = (
            '<html><head><title>飞机为什么能飞</title><link rel="stylesheet" href="site.css"></head><body>'
            '<table><tr><td><a href="/">首页</a> | <a href="/news/">新闻</a> | <a href="/tech/">技术</a></td></tr>'
            f"<tr><td><p>{ARTICLE_ZH}</p></td></tr></table></body></html>"
        )
        text, name = decode(page.encode("gbk"), source="p.html", html=True)
        assert text == page
        assert name == "gb18030"  # GBK as browsers read it: its superset

    def test_undeclared_russian_page_is_read_as_cyrillic(self) -> None:
        page = f'<html><body><div class="nav"><a href="/">Главная</a></div><p>{ARTICLE_RU}</p></body></html>'
        assert decode(page.encode("cp1251"), source="p.html", html=True) == (page, "cp1251")

    def test_bom_beats_the_declaration(self) -> None:
        page = f'<meta charset="windows-1252"><p>{ARTICLE}</p>'
        assert decode(page.encode("utf-16"), source="p.html", html=True)[0] == page

    def test_unknown_label_is_ignored(self) -> None:
        page = f'<meta charset="klingon-8"><p>{ARTICLE}</p>'
        assert decode(page.encode(), source="p.html", html=True) == (page, "utf-8")


def test_decode_lenient_reads_stray_bytes_as_cp1252() -> None:
    assert decode_lenient(b'{"text": "caf\xe9 \x93ok\x94"}') == '{"text": "café “ok”"}'


class TestMojibake:
    def test_repairs_and_records_each_changed_line(self) -> None:
        broken = "Fund worth Â£600m approved\nIt is fine as it is.\nitâ€™s a “start”, José said\n"
        text, repairs = repair_mojibake(broken)
        assert text == "Fund worth £600m approved\nIt is fine as it is.\nit’s a “start”, José said\n"
        assert [r.line for r in repairs] == [0, 2]
        assert [r.text for r in repairs] == ["Fund worth Â£600m approved", "itâ€™s a “start”, José said"]
        for r in repairs:
            assert (r.stage, r.action, r.rule, r.kind, r.start) == ("decode", "replace", MOJIBAKE_RULE, "encoding", 0)
            assert r.reason.startswith("mojibake")

    @pytest.mark.parametrize(
        "line",
        [
            ARTICLE,
            ARTICLE_LATIN1,
            ARTICLE_RU,
            "Ângela Merkel disse que a România câștigat în finală",
            "„Das ist gut“, sagte Müller. Å Ø Æ å ø æ",
            "IÑTËRNÂTIÔNÀLIZÆTIØN – café’s “menu” ÂÊÎÔÛ",
            "Łódź, Kraków — Gdańsk; Η κυβέρνηση ανακοίνωσε",
            "5×3 ÷ 2 ± 1 © 2024 Reuters ®™ 30°C ½",
        ],
    )
    def test_correct_text_is_never_touched(self, line: str) -> None:
        assert repair_mojibake(line) == (line, ())

    def test_ascii_is_free(self) -> None:
        assert repair_mojibake("plain ascii\n") == ("plain ascii\n", ())


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=300))
def test_any_utf8_text_round_trips(text: str) -> None:
    assert decode(text.encode(), source="x")[0] == text


@given(st.lists(st.sampled_from(["itâ€™s", "Â£600m", "café", "plain", "“quoted”", "", "MÃ¼ller"]), max_size=8))
def test_putting_repaired_lines_back_rebuilds_the_input(lines: list[str]) -> None:
    original = "\n".join(lines)
    text, repairs = repair_mojibake(original)
    rebuilt = text.split("\n")
    for r in reversed(repairs):
        rebuilt[r.line] = r.text
    assert "\n".join(rebuilt) == original


def test_the_mojibake_hint_covers_what_ftfy_flags() -> None:
    # The pre-filter may only skip text ftfy would not repair anyway.
    for bad in ["Â£600m", "itâ€™s", "Ã©tÃ©", "â€œQuoteâ€\x9d", "Ã¢â‚¬â„¢", "Ã\xa0 la"]:
        assert encoding._MOJIBAKE_HINT.search(bad), bad
