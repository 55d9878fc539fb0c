"""Publisher, editor and summary read from an article's clean text."""

from __future__ import annotations

from newsmill.enrich import find_editor, find_publisher, make_summary


def test_publisher_is_the_name_after_a_source_label() -> None:
    assert find_publisher("2024-05-20 13:15　来源：新华社\n正文") == "新华社"
    assert find_publisher("时间 | 文章来源: 人民网 | 作者") == "人民网"
    assert find_publisher("稿源：中国新闻网，转载请注明") == "中国新闻网"


def test_no_publisher_without_a_label_or_in_the_middle_of_a_word() -> None:
    assert find_publisher("新华社北京5月20日电 正文") is None
    assert find_publisher("资金来源：银行贷款") is None


def test_editor_after_an_editor_label_in_chinese_or_english() -> None:
    assert find_editor("正文。\n（责任编辑：王小明）") == "王小明"
    assert find_editor("Body text.\nEdited by Jane Q. Doe") == "Jane Q. Doe"
    assert find_editor("正文，没有编辑署名。") is None


def test_summary_ends_at_a_sentence_end_when_the_text_is_long() -> None:
    text = "第一句话说明了事件。" * 10 + "最后一句很长很长" * 20
    summary = make_summary(text, 60)
    assert summary.endswith("。") and len(summary) <= 60
    assert make_summary("  short   text  ") == "short text"
    assert make_summary("x" * 300, 50) == "x" * 50 + "…"
