"""Publisher, editor and summary read from an article's clean text."""

from __future__ import annotations

from newsmill.enrich import (
    AUTHOR,
    editor_names,
    find_editor,
    find_publisher,
    find_source_note,
    looks_like_outlet,
    make_summary,
    publisher_name,
    split_byline,
)


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


def test_an_editor_is_a_name_on_the_label_line_or_nobody() -> None:
    assert find_editor("责任编辑：\n平台声明：本文仅代表作者本人观点。") is None
    assert find_editor("编辑：本网\n（责任编辑：李青）") == "李青"
    assert find_editor("责任编辑：张三 李四") == "张三 李四"
    assert find_editor("[责任编辑:celiawu]") == "celiawu"


def test_summary_ends_at_a_sentence_end_when_the_text_is_long() -> None:
    text = "第一句话说明了事件。" * 10 + "最后一句很长很长" * 20
    summary = make_summary(text, 60)
    assert summary.endswith("。") and len(summary) <= 60
    assert make_summary("  short   text  ") == "short text"
    assert make_summary("x" * 300, 50) == "x" * 50 + "…"


def test_publisher_in_a_byline_row_with_odd_spacing_or_in_a_sentence_form() -> None:
    assert find_publisher("2026-11-28 08:07:44来源：江州日报 打印") == "江州日报"
    assert find_publisher("来源 ：青川网") == "青川网"
    assert find_publisher("来源:\u3000南屿新闻网") == "南屿新闻网"
    assert find_publisher("文章来源：临澜发布") == "临澜发布"
    assert find_publisher("本文来源于江州晚报 2026-05-20 09:47:48") == "江州晚报"
    assert find_publisher("2026年8月25日（来源：南屿商报）") == "南屿商报"
    assert find_publisher("来源：人民日报2026-05-13 08:49") == "人民日报"


def test_a_publisher_is_an_outlet_not_a_url_a_picture_credit_or_a_sentence() -> None:
    assert find_publisher("来源：http://www.jz.example/a/1.html") is None
    assert find_publisher("图片来源：江州图库") is None
    assert find_publisher("它的名字来源于古希腊语") is None
    assert publisher_name("www.jz.example") is None
    assert publisher_name("江州日报 2026-11-28") == "江州日报"


def test_an_author_is_a_person_not_the_site_an_editor_a_widget_or_a_number() -> None:
    assert split_byline("网易", {"网易新闻"}) == (None, None)
    assert split_byline("中国科普网") == (None, "中国科普网")
    assert split_byline("105464") == (None, None)
    assert split_byline("sina_mobile") == (None, None)
    assert split_byline("Taboolaby TaboolaSponsored Links You May Like") == (None, None)
    assert split_byline("钟齐鸣", {"钟齐鸣"}) == (None, None)  # the editor
    assert split_byline("表示，从整体趋") == (None, None)
    assert split_byline("江州观察员在现场看到") == (None, None)


def test_bylines_split_into_names_and_outlet() -> None:
    assert split_byline("本报记者 张小川") == ("张小川", None)
    assert split_byline("江州日报记者 林小满、方晓") == ("林小满、方晓", "江州日报")
    assert split_byline("青网新闻 张毅") == ("张毅", "青网新闻")
    assert split_byline("青网新闻 张毅", {"张毅"}) == (None, "青网新闻")
    assert split_byline("青网新闻张毅") == (None, None)  # fused: which part is the name?
    assert split_byline("By Jane Doe and John Smith") == ("Jane Doe and John Smith", None)
    assert split_byline("By TOM REED, AP Auto Writer") == ("TOM REED", None)
    assert split_byline("Lena Ortiz", {"lena ortiz"}) == (None, None)


def test_editor_credits_are_collected_for_checking_authors() -> None:
    assert editor_names("作者 王之言\n编辑 周小舟 ｜ 排版 魏小蔚\n责任编辑：孙亚楠") >= {
        "周小舟",
        "魏小蔚",
        "孙亚楠",
    }


def test_labels_spaced_out_by_table_layouts_and_bracketed_sources() -> None:
    # Government and older portal pages pad two-character labels: "来  源", "作  者".
    assert find_publisher("发布时间：2026-05-01 来  源：江州市政府办公室") == "江州市政府办公室"
    assert find_publisher("【来源：江州日报】") == "江州日报"
    assert find_publisher("图片来源：江州图库") is None
    byline = AUTHOR.search("作  者：李小四 来源：江州网")
    assert byline is not None and byline.group("name") == "李小四"
    assert find_editor("编  辑：王小丽") == "王小丽"


def test_outlets_are_told_from_words_beside_a_time() -> None:
    for name in ("江州晚报", "DCN中文站", "江州娱乐", "江州日报新媒体"):
        assert looks_like_outlet(name), name
    for word in ("新闻", "分享到", "我要评论", "发布于北京", "阅读", "Harbor News", "123网"):
        assert not looks_like_outlet(word), word


def test_a_reprint_note_names_this_articles_outlet_only() -> None:
    assert find_source_note("（本文来源：江州日报 作者：李小四）返回首页") == "江州日报"
    assert find_source_note("相关阅读 江州港扩建 文章来源：青川晚报") is None  # a related item's
