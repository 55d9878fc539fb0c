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
    assert page.publisher is None  # no rule for mirror.example, and no 来源 label


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
