"""Tags from the text when the feed gives none."""

from __future__ import annotations

from newsmill.enrich import keywords

ZH = (
    "新能源汽车出口持续增长。海关总署数据显示，前十个月新能源汽车出口量同比增长三成，"
    "新能源汽车成为外贸新亮点，动力电池出口同样保持增长。"
)
EN = (
    "The port strike entered its second week as talks between the dock workers union "
    "and terminal operators stalled again. Dock workers say the terminal operators "
    "refuse to discuss automation, and shipping lines are diverting vessels."
)


def test_chinese_text_gets_words_not_characters() -> None:
    tags = keywords(ZH, "zh", 3)
    assert 0 < len(tags) <= 3 and "新能源" in tags
    assert all(len(tag) >= 2 for tag in tags)


def test_other_text_gets_phrases_without_repeats() -> None:
    tags = keywords(EN, "en", 4)
    assert 0 < len(tags) <= 4
    assert len({t.lower() for t in tags}) == len(tags)
    assert any("dock" in t.lower() or "terminal" in t.lower() for t in tags)


def test_no_tags_for_text_too_short_or_when_none_are_asked_for() -> None:
    assert keywords("短文本", "zh", 5) == []
    assert keywords(EN, "en", 0) == []
