"""Headline and publish time on pages in the shapes real Chinese portals use: a
promo or logo <h1> before the headline's, a headline only in an <h2>, a nav bar
that repeats the headline far above the byline row, a time given in GMT or only
in the page's script data."""

from __future__ import annotations

from datetime import UTC, datetime

from newsmill.extract import extract_page
from newsmill.extract.dates import SHANGHAI, find_date_in_text
from newsmill.extract.metadata import clean_title

BODY = (
    "<p>东川市今年冬季供暖比往年提前五天开始，全市三百二十个小区已经全部通暖，室温普遍达到二十度以上。</p>"
    * 3
)


def _page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}<div class='content'>{BODY}</div></body></html>"


def test_the_h1_the_title_names_is_the_headline_not_a_banner_before_it() -> None:
    html = _page(
        "<title>东川供暖提前五天 全市小区全部通暖_东川新闻</title>",
        "<div class='banner'><h1 class='title'>全新首页 焕新登场</h1></div>"
        "<h1>东川供暖提前五天 全市小区全部通暖</h1>",
    )
    assert (
        extract_page(html, "https://news.dc.example/a/1.html").title
        == "东川供暖提前五天 全市小区全部通暖"
    )


def test_an_empty_logo_h1_does_not_hide_the_headline() -> None:
    html = _page(
        "<title>东川网 - 新闻中心</title>",
        "<h1 class='logo'><a href='/'><img src='/logo.png'></a></h1>"
        "<h1>东川供暖提前五天 全市小区全部通暖</h1>",
    )
    assert (
        extract_page(html, "https://news.dc.example/a/1.html").title
        == "东川供暖提前五天 全市小区全部通暖"
    )


def test_without_an_h1_the_heading_the_title_starts_with_is_the_headline() -> None:
    # og:title repeats the whole <title>: that names no headline by itself.
    title = "东川供暖提前五天 全市小区全部通暖_民生_东川频道首页_东川网 - DC.EXAMPLE"
    html = _page(
        f"<title>{title}</title><meta property='og:title' content='{title}'>",
        "<h3>热门文章</h3><h2 id='cont_title'>东川供暖提前五天 全市小区全部通暖</h2>",
    )
    assert (
        extract_page(html, "https://news.dc.example/a/2.html").title
        == "东川供暖提前五天 全市小区全部通暖"
    )


def test_a_separator_inside_brackets_belongs_to_the_headline() -> None:
    raw = "在新时代争先出彩（推动高质量发展·权威发布）--经济·科技--东川网"
    assert clean_title(raw, []) == "在新时代争先出彩（推动高质量发展·权威发布）"
    assert clean_title("东川供暖提前五天_民生_东川网", []) == "东川供暖提前五天"


def test_the_time_is_read_by_the_headline_copy_that_has_a_byline_row() -> None:
    nav = "".join(f"<li><a href='/c/{n}'>东川地方频道{n}</a></li>" for n in range(150))
    html = _page(
        "<title>东川供暖提前五天</title><meta name='publishdate' content='2026-11-30'>",
        f"<div class='crumb'>首页 &gt; 东川供暖提前五天</div><ul>{nav}</ul>"
        "<h1>东川供暖提前五天</h1><div class='inform'><p>2026-11-30 13:48</p></div>",
    )
    page = extract_page(html, "https://news.dc.example/a/3.html")
    assert page.published == datetime(2026, 11, 30, 13, 48, tzinfo=SHANGHAI)


def test_a_date_shown_alone_takes_the_declared_time_of_that_day() -> None:
    html = _page(
        "<title>东川供暖提前五天</title>"
        "<meta property='article:published_time' content='2026-11-30T06:16:00+08:00'>",
        "<h1>东川供暖提前五天</h1><p class='date'>2026年11月30日</p>",
    )
    page = extract_page(html, "https://news.dc.example/a/4.html")
    assert page.published == datetime(2026, 11, 30, 6, 16, tzinfo=SHANGHAI)


def test_a_time_given_in_gmt_is_read_in_gmt() -> None:
    expected = datetime(2026, 12, 1, 10, 41, tzinfo=UTC)
    assert find_date_in_text("更新时间 2026年12月1日, 格林尼治标准时间10:41", SHANGHAI) == expected
    assert find_date_in_text("2026-12-01 10:41 GMT", SHANGHAI) == expected
    assert find_date_in_text("2026年12月1日 北京时间18:41", UTC) == expected


def test_a_time_only_in_script_data_is_the_publish_time() -> None:
    html = _page(
        "<title>东川供暖提前五天</title>"
        '<script>window.DATA = {"comment_id": "5525916517", "pubtime": "2026-11-30 16:37:45"};</script>',
        "<h1>东川供暖提前五天</h1>",
    )
    page = extract_page(html, "https://news.dc.example/a/5.html")
    assert page.published == datetime(2026, 11, 30, 16, 37, 45, tzinfo=SHANGHAI)
