"""An article's language: declared, checked against its script, else detected."""

from __future__ import annotations

from newsmill.enrich.language import article_language, detect_language, is_rtl, language_tag

GERMAN = "Die Fluggesellschaft hat nun bekanntgegeben, dass Unbekannte die Kreditkartendaten von noch mehr Kunden kopiert haben als bislang bekannt war."
RUSSIAN = "Городской совет утвердил новый план развития общественного транспорта на ближайшие пять лет и выделил средства на закупку автобусов."
URDU = "شہر کی کونسل نے اگلے پانچ سال کے لیے پبلک ٹرانسپورٹ کا نیا منصوبہ منظور کر لیا ہے اور نئی بسوں کی خریداری کے لیے رقم مختص کی ہے۔"
CHINESE = "江州市政府11月24日印发低空经济高质量发展三年行动方案，提出到2028年全市低空经济产业规模突破300亿元。"
JAPANESE = (
    "市議会は今後五年間の公共交通の新しい計画を承認し、新しいバスの購入のための予算を確保した。"
)


def test_declared_tags_are_normalized_and_junk_is_no_tag() -> None:
    assert language_tag("en-us") == "en-US"
    assert language_tag(" pt_PT ") == "pt-PT"
    assert language_tag("zh-hant-tw") == "zh-Hant-TW"
    assert language_tag("DE") == "de"
    assert language_tag("iw") == "he"  # the code ISO 639 replaced
    for junk in ("", None, "english", "x", "12-34", "<script>"):
        assert language_tag(junk) is None


def test_detection_tells_the_languages_of_real_feeds_apart() -> None:
    assert detect_language(GERMAN) == "de"
    assert detect_language(RUSSIAN) == "ru"
    assert detect_language(URDU) == "ur"
    assert detect_language(CHINESE) == "zh"
    assert detect_language(JAPANESE) == "ja"
    assert detect_language("OK") is None  # too little to tell: no guess
    assert detect_language("lone \ud800 surrogate in a sentence of English words") in (None, "en")


def test_a_declaration_wins_unless_the_text_is_plainly_in_another_script() -> None:
    assert article_language("pt-pt", "Um texto curto.") == "pt-PT"
    assert article_language("en", GERMAN) == "en"  # one script: the feed knows best
    assert article_language("en-US", CHINESE) == "zh"  # a Chinese blog left at WordPress's en-US
    assert (
        article_language("kn", "An English text about the city council and its new buses.") == "en"
    )
    assert article_language(None, RUSSIAN) == "ru"
    assert article_language("not a tag", GERMAN) == "de"


def test_right_to_left_languages() -> None:
    assert is_rtl("ur") and is_rtl("ar-EG") and is_rtl("he")
    assert not is_rtl("en") and not is_rtl(None) and not is_rtl("zh-CN")
