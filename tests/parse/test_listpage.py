"""The list finder on small pages written for these tests: the main list and nothing
else, in page order, one item per URL; the next page; selectors and their errors."""

from __future__ import annotations

import pytest
from helpers.common import DATA

from newsmill.parse import FoundList, ListError, ListSelect, find_list, select_list

LISTS = DATA / "lists"
ZH_BASE = "https://news.example.cn/guonei/"
EN_BASE = "https://blog.example.org/news/"


def urls(found: FoundList) -> list[str]:
    return [item.url for item in found.items]


def zh_page() -> bytes:
    return (LISTS / "zh-channel-gbk.html").read_bytes()


def test_chinese_gbk_channel_gives_the_main_list_only_in_page_order() -> None:
    found = find_list(zh_page(), ZH_BASE)
    assert found.kind == "html"
    assert urls(found) == [
        "https://news.example.cn/2024-05/20/c_1130150.htm",
        "https://news.example.cn/2024-05/20/c_1130151.htm",  # image + title link: once
        "https://news.example.cn/doc-imyxkqer1234567.shtml",
        "https://news.example.cn/zwgk/t20240519_123.html",
        "https://news.example.cn/art/2024/5/18/art_123_456.html",
        "https://news.example.cn/2024-05/18/c_1130140.htm",
    ]
    first = found.items[0]
    assert first.title == "国务院常务会议部署进一步优化营商环境的政策措施"  # decoded from GBK
    assert first.date_text == "2024-05-20 13:15"
    assert found.items[1].title == "多地出台新政支持住房消费 首付比例下调"


def test_chinese_channel_next_page_is_the_xiayiye_link() -> None:
    assert find_list(zh_page(), ZH_BASE).next_page == "https://news.example.cn/guonei/index_2.html"


def test_english_blog_list_ignores_sidebar_repeats_archives_and_author_links() -> None:
    found = find_list((LISTS / "en-blog.html").read_bytes(), EN_BASE)
    assert urls(found) == [
        "https://blog.example.org/news/2024/05/release-3-4-brings-faster-exports/",
        "https://blog.example.org/news/2024/05/meet-the-new-translation-team/",
        "https://blog.example.org/news/2024/04/security-update-for-plugin-loader/",
    ]
    assert [item.date_text for item in found.items] == [
        "May 20, 2024",
        "May 12, 2024",
        "April 30, 2024",
    ]
    assert found.next_page == "https://blog.example.org/news/page/2/"


@pytest.mark.parametrize(
    ("name", "base"), [("zh-channel-gbk.html", ZH_BASE), ("en-blog.html", EN_BASE)]
)
def test_inferred_selectors_read_the_same_list_again(name: str, base: str) -> None:
    body = (LISTS / name).read_bytes()
    found = find_list(body, base)
    assert found.select.items and found.select.date
    again = select_list(body, base, found.select)
    assert urls(again) == urls(found)
    assert [i.date_text for i in again.items] == [i.date_text for i in found.items]


def test_jsonp_api_gives_the_array_with_urls_and_titles_not_the_menu() -> None:
    found = find_list((LISTS / "api.jsonp").read_bytes(), "https://news.example.cn/kuaixun/")
    assert found.kind == "jsonp"
    assert found.select == ListSelect(items="data.list", link="url", title="title", date="ctime")
    assert urls(found) == [f"https://news.example.cn/20240520/c10{n}.shtml" for n in (1, 2, 3)]
    assert found.items[0].title == "央行开展1000亿元逆回购操作"
    assert found.items[0].date_text == "1716182100"


def test_next_js_page_reads_its_list_from_next_data_not_its_nav() -> None:
    found = find_list((LISTS / "next-app.html").read_bytes(), "https://times.example.com/latest")
    assert found.kind == "embedded-json"
    assert found.select.items == "props.pageProps.stories"
    assert urls(found) == [
        "https://times.example.com/2024/05/20/ports-reopen-after-storm",
        "https://times.example.com/2024/05/19/council-approves-tram-budget",
        "https://times.example.com/2024/05/19/researchers-map-coral-reefs",
    ]
    assert found.items[0].title == "Ports reopen after the storm as crews clear debris"


def test_json_wrappers_are_read() -> None:
    array = '[{"url": "/a/20240520/1.html", "title": "第一条新闻标题比较长"}, {"url": "/a/20240520/2.html", "title": "第二条新闻标题比较长"}]'
    for wrapped in (
        f'var data = {{"list": {array}}};',
        f'export default news = {{"list": {array}}}',
        f'cb({{"list": {array}}})',
    ):
        found = find_list(wrapped, "https://example.cn/")
        assert found.kind == "jsonp"
        assert urls(found) == [
            "https://example.cn/a/20240520/1.html",
            "https://example.cn/a/20240520/2.html",
        ]
    assert find_list(f'{{"list": {array}}}', "https://example.cn/").kind == "json"


def test_user_selectors_css_with_attribute() -> None:
    select = ListSelect(
        items="ul.news-list > li",
        link="a:last-of-type@href",
        title="a:last-of-type",
        date="span.time",
    )
    found = select_list(zh_page(), ZH_BASE, select)
    assert len(found.items) == 6
    assert found.items[1].title == "多地出台新政支持住房消费 首付比例下调"
    assert found.next_page == "https://news.example.cn/guonei/index_2.html"


def test_user_selectors_json_paths() -> None:
    select = ListSelect(items="data.list", link="url", title="title", date="ctime")
    found = select_list((LISTS / "api.jsonp").read_bytes(), "https://news.example.cn/", select)
    assert [i.date_text for i in found.items] == ["1716182100", "1716178500", "1716174900"]


@pytest.mark.parametrize(
    ("select", "named"),
    [
        (ListSelect(items="div.nothing-here > li"), "items"),
        (ListSelect(items="ul.news-list > li", link="h9 a"), "link"),
        (ListSelect(items="ul.news-list > li", date="em.when"), "date"),
        (ListSelect(items="ul.news-list > li", next="a.no-next"), "next"),
    ],
)
def test_a_selector_that_matches_nothing_is_an_error_naming_it(
    select: ListSelect, named: str
) -> None:
    with pytest.raises(ListError, match=f"{named}="):
        select_list(zh_page(), ZH_BASE, select)


def test_a_json_path_that_is_no_array_is_an_error_naming_it() -> None:
    with pytest.raises(ListError, match=r"data\.items"):
        select_list(
            (LISTS / "api.jsonp").read_bytes(), "https://x.cn/", ListSelect(items="data.items")
        )


def test_a_page_without_a_list_is_an_error() -> None:
    with pytest.raises(ListError):
        find_list(
            "<html><body><p>Nothing here.</p><a href='/'>Home</a></body></html>", "https://x.org/"
        )
    with pytest.raises(ListError):
        find_list(b"", "https://x.org/")


def _rows(rows: str) -> str:
    return f"""<html><body><div id="nav"><a href="/">首页</a><a href="/gs/">公司</a><a href="/hy/">行业</a></div>
    <ul class="feed">{rows}</ul></body></html>"""


def test_a_date_printed_inside_the_link_is_the_date_not_part_of_the_title() -> None:
    rows = "".join(
        f'<li><a href="/news/20240520{n}.html"><span>2024-05-20</span>第{n}条煤炭行业动态新闻标题</a></li>'
        for n in range(1, 5)
    )
    found = find_list(_rows(rows), "https://stock.example.cn/")
    assert [i.title for i in found.items] == [f"第{n}条煤炭行业动态新闻标题" for n in range(1, 5)]
    assert {i.date_text for i in found.items} == {"2024-05-20"}


def test_a_bare_clock_time_gives_way_to_a_dated_form_in_the_same_item() -> None:
    rows = "".join(
        f'<li><a href="/video/2024052{n}01.html">第{n}段视频新闻的标题文字</a>'
        f'<span class="len">04:1{n}</span><span class="t">{n}小时前</span></li>'
        for n in range(1, 5)
    )
    found = find_list(_rows(rows), "https://v.example.cn/")
    assert [i.date_text for i in found.items] == [f"{n}小时前" for n in range(1, 5)]


def test_rows_of_another_shape_inside_the_list_are_items_in_page_order() -> None:
    article = '<div class="row news"><h3><a href="/a/2024{n}.html">第{n}条要闻的完整标题在这里</a></h3></div>'
    photo = '<div class="row photo"><p><a href="/photo/2024{n}.html">第{n}组图片新闻的完整标题</a></p></div>'
    body = "".join((photo if n == 3 else article).format(n=n) for n in range(1, 7))
    found = find_list(f"<html><body><div class='list'>{body}</div></body></html>", "https://x.cn/")
    assert [i.url.rsplit("/", 2)[-2] for i in found.items] == ["a", "a", "photo", "a", "a", "a"]


def test_a_card_made_one_link_is_titled_by_its_heading() -> None:
    cards = "".join(
        f'<a class="card" href="/stories/2024/05/story-number-{n}-title"><h3>Story number {n} has a title</h3>'
        f"<p>A summary that runs on for a while about story {n}.</p><span>May 2{n}, 2024</span></a>"
        for n in range(1, 4)
    )
    found = find_list(f"<html><body><section>{cards}</section></body></html>", "https://x.org/")
    assert [i.title for i in found.items] == [f"Story number {n} has a title" for n in range(1, 4)]
    assert [i.date_text for i in found.items] == [f"May 2{n}, 2024" for n in range(1, 4)]


def _page_with(links: str) -> str:
    rows = "".join(
        f'<li><a href="/world/2024/05/2{n}/long-story-slug-{n}">A long story headline number {n}</a></li>'
        for n in range(1, 5)
    )
    return f"<html><body><ul>{rows}</ul>{links}</body></html>"


def test_more_and_arrows_are_next_only_when_they_point_at_a_numbered_page() -> None:
    base = "https://x.org/world/"
    section_more = '<h2>Sport <a href="/sport/">More ›</a></h2>'
    assert find_list(_page_with(section_more), base).next_page is None
    paged_more = section_more + '<a href="/world/?page=2">More</a>'
    assert find_list(_page_with(paged_more), base).next_page == "https://x.org/world/?page=2"
    assert (
        find_list(_page_with('<a href="/world/p3">下一页</a>'), base).next_page
        == "https://x.org/world/p3"
    )


def test_a_next_link_driven_by_script_gives_the_page_path_it_prints() -> None:
    link = "<a onclick=\"go(this,'/world/index2.html')\" style='cursor:pointer'>下一页</a>"
    assert (
        find_list(_page_with(link), "https://x.org/world/").next_page
        == "https://x.org/world/index2.html"
    )


def test_inferred_link_selector_skips_a_category_badge_before_the_title() -> None:
    rows = "".join(
        f'<li><span class="t">(2024-05-20 1{n}:00)</span><a class="cat" href="/shehui/">[社会]</a> '
        f'<a href="/24/0520/1{n}/ABC{n}.html">第{n}条社会新闻的完整标题</a></li>'
        for n in range(1, 5)
    )
    body = _rows(rows)
    found = find_list(body, "https://news.example.cn/latest/")
    assert urls(found) == [f"https://news.example.cn/24/0520/1{n}/ABC{n}.html" for n in range(1, 5)]
    assert urls(select_list(body, "https://news.example.cn/latest/", found.select)) == urls(found)
