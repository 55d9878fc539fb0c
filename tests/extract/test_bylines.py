"""Author, publisher (来源) and editor on pages written in the shapes of Chinese
bylines (tests/data/bylines): each value is a right one or none."""

from __future__ import annotations

from helpers.common import DATA

from newsmill.extract import extract_page

BYLINES = DATA / "bylines"


def test_site_name_and_editor_are_not_the_author_and_the_byline_row_is_found() -> None:
    # meta author names the site, article:author its editor; the headline first
    # appears in a breadcrumb far above the byline row; 来源 is a link after a time.
    page = extract_page((BYLINES / "portal-1.html").read_bytes(), "https://www.jz.example/a/1.html")
    assert page.author == "林小满 方晓"
    assert page.publisher == "江州日报"
    assert page.editor == "孙亚楠"


def test_a_saved_page_is_read_as_the_address_it_declares() -> None:
    path = BYLINES / "saved-1.html"
    page = extract_page(path.read_bytes(), path.resolve().as_uri())
    assert page.url == "https://new.qq.com/rain/a/20261128A01ABC00"  # not og:url's home page
    assert page.publisher == "青川日报"  # only the qq.com rule knows span.a_source
    assert page.author == "郑海燕 陈立"  # the sign-off above the editor, not meta's "105464"
    assert page.editor == "王志强"


def test_a_given_web_address_wins_over_the_declared_one() -> None:
    page = extract_page((BYLINES / "saved-1.html").read_bytes(), "https://mirror.example/p/9")
    assert page.url == "https://mirror.example/p/9"
    # No rule for mirror.example: the name is the one the byline row prints by its time.
    assert page.publisher == "青川日报"


def test_widget_text_and_numbers_in_author_meta_are_dropped() -> None:
    html = """<html><head><title>Harbour ferry fares cut for winter</title>
    <meta name="author" content="Taboolaby TaboolaSponsored Links You May Like">
    </head><body><h1>Harbour ferry fares cut for winter</h1>
    <p>By MARIA LOPEZ, AP Transport Writer</p>
    <article><p>Ferry fares across the harbour will fall by a fifth from December, the
    port authority said on Tuesday, after a year in which ridership recovered.</p>
    <p>The cut applies to every route and lasts until the end of February.</p></article>
    </body></html>"""
    page = extract_page(html, "https://www.saltmere.example/news/ferry")
    assert page.author == "MARIA LOPEZ"


def test_a_source_signed_at_the_end_is_kept_only_when_it_is_an_outlet() -> None:
    body = "<p>南屿市今年新建的十二座口袋公园已全部开放，市民可在园内休憩、健身和遛弯。</p>" * 3
    signed = extract_page(
        f"<html><body><h1>南屿口袋公园全部开放</h1><div>{body}<p>（来源：南屿晚报）</p></div></body></html>",
        "https://ny.example/a/2.html",
    )
    assert signed.publisher == "南屿晚报"
    linked = extract_page(
        f"<html><body><h1>南屿口袋公园全部开放</h1><div>{body}<p>来源：www.ny.example</p></div></body></html>",
        "https://ny.example/a/2.html",
    )
    assert linked.publisher is None


ARTICLE = (
    "<p>东川市今年冬季供暖比往年提前五天开始，全市三百二十个小区已经全部通暖，室温普遍达到二十度以上。</p>"
    * 3
)


def _byline_page(row: str, end: str = "") -> str:
    return (
        "<html><head><title>东川供暖提前五天_东川新闻</title></head><body>"
        f"<h1>东川供暖提前五天</h1>\n<div class='info'>\n{row}\n</div>\n"
        f"<div class='content'>{ARTICLE}{end}</div></body></html>"
    )


def test_the_outlet_a_byline_row_prints_beside_its_time_is_the_publisher() -> None:
    rows = {
        "<span>2026年11月09日13:48</span> <span>东川晚报</span>": "东川晚报",  # after, same line
        "<span>DCN中文站2026年11月09日07:17</span>": "DCN中文站",  # before, no space
        "<p>2026年11月09日11:30</p>\n<p>东川娱乐 我要评论(0)</p>": "东川娱乐",  # the next line
        # minified: the headline, the outlet and the time on one line
        "东川供暖提前五天 东川日报2026-11-09 06:16发布于北京东川日报官方账号": "东川日报",
    }
    for row, outlet in rows.items():
        page = extract_page(_byline_page(row), "https://news.dc.example/a/7.html")
        assert page.publisher == outlet, row
        assert page.author is None, row


def test_words_beside_the_time_that_name_no_outlet_are_not_a_publisher() -> None:
    for row in (
        "<p>首页 &gt; 新闻 2026-11-09 13:48</p>",
        "<p>2026-11-09 13:48 分享到</p>",
        "<p>2026-11-09 13:48 阅读 1024</p>",
        "<p>By Harbor Desk 2026-11-09 13:48 Harbor News</p>",
        "<p>2026-11-09 13:48</p><p>东川市今年冬季供暖比往年提前五天开始</p>",  # fused text
    ):
        assert (
            extract_page(_byline_page(row), "https://news.dc.example/a/8.html").publisher is None
        ), row


def test_a_labelled_source_beats_the_outlet_beside_the_time() -> None:
    row = "<span>2026-11-09 13:48</span> <span>东川网</span>"
    signed = _byline_page(row, "<p>（来源：东川日报）</p>")
    assert extract_page(signed, "https://news.dc.example/a/9.html").publisher == "东川日报"


def test_a_reprint_note_beats_the_account_a_site_rule_reads() -> None:
    # sohu.com's rule reads the posting account; the article's note names its outlet.
    html = (
        "<html><body><div class='user-info'><h4><a>东川资讯号</a></h4></div>"
        "<div class='text'><div class='text-title'><h1>东川供暖提前五天</h1></div>"
        f"<article class='article'>{ARTICLE}"
        "<p>（本文来源：东川日报 作者：东川大学教授李明）</p></article></div></body></html>"
    )
    page = extract_page(html, "https://www.sohu.com/a/123456_789")
    assert page.publisher == "东川日报"


def test_a_commentator_signs_off_but_a_headline_naming_one_is_no_byline() -> None:
    signed = _byline_page(
        "<p>2026-11-09 13:48</p>", "<p>（评论员 罗明 萧川）</p><p>责任编辑：王丽</p>"
    )
    assert extract_page(signed, "https://news.dc.example/a/10.html").author == "罗明 萧川"
    headline = (
        "<html><head><title>东川日报评论员：再谈供暖_东川新闻</title></head><body>"
        "<h1>东川日报评论员：再谈供暖</h1><p>2026-11-09 13:48</p>"
        f"<div class='content'>{ARTICLE}</div></body></html>"
    )
    assert extract_page(headline, "https://news.dc.example/a/11.html").author is None


def test_a_translator_signing_off_is_the_author() -> None:
    html = _byline_page("<p>2026-11-09 13:48</p>", "<p>（编译/林川）</p><p>责任编辑：王丽</p>")
    assert extract_page(html, "https://news.dc.example/a/12.html").author == "林川"
