"""The demo site as a reader sees it: Debian's Chromium driven by Playwright, all on 127.0.0.1.

The demo's sample server runs again on its port, so lead images load and
links to the originals work. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from newsmill.config import load_config
from newsmill.demo.runner import previous_port
from newsmill.demo.server import DemoServer
from newsmill.publish.site.search import shard_of, token_key
from newsmill.publish.site.search.reader import query_groups

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo-site")
    result = subprocess.run(
        [sys.executable, "-m", "newsmill", "demo", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "newsmill serve -c" in result.stdout
    config = load_config(out / "newsmill.toml")
    assert config.publish.site is not None
    records = [
        json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()
    ]
    from newsmill.publish.site.serve import serve_in_thread

    with DemoServer(previous_port(out / "newsmill.toml")):
        server, url = serve_in_thread(config.publish.site.dir)
        try:
            yield {"url": url, "records": records, "site": config.publish.site.dir}
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, demo: dict[str, Any]) -> Iterator[Page]:
    """A tab that records every error of the site's pages (not of the originals they link to)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    ours = demo["url"]

    def console(message: Any) -> None:
        if message.type == "error" and message.location.get("url", "").startswith(ours):
            errors.append(f"{message.text} at {message.location}")

    tab.on("console", console)
    tab.on("pageerror", lambda e: errors.append(str(e)) if tab.url.startswith(ours) else None)
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(ours)
            else None
        ),
    )
    yield tab
    context.close()
    assert errors == [], errors  # no script error, no CSP violation, no missing file


def item_ids(page: Page) -> list[str]:
    return page.locator("li.item").evaluate_all("els => els.map(e => e.dataset.id)")


def test_home_lists_the_articles(page: Page, demo: dict[str, Any]) -> None:
    page.goto(demo["url"] + "index.html")
    shown = item_ids(page)
    listed = [r for r in demo["records"] if not r.get("duplicate_of")]
    newest = sorted(listed, key=lambda r: r["published"], reverse=True)
    assert shown == [r["id"] for r in newest[: len(shown)]] and len(shown) >= 10
    page.screenshot(path=str(ARTIFACTS / "site-home.png"), full_page=True)
    older = page.locator("nav.pager a[rel=next]")
    older.click()
    assert set(item_ids(page)).isdisjoint(shown) and item_ids(page)


def test_phone_layout_and_dark_mode(browser: Browser, demo: dict[str, Any]) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, color_scheme="dark"
    )
    tab = context.new_page()
    tab.goto(demo["url"] + "index.html")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling on a phone
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 23, 24)"
    tab.screenshot(path=str(ARTIFACTS / "site-phone-dark.png"))
    context.close()


def test_category_page_lists_only_its_articles(page: Page, demo: dict[str, Any]) -> None:
    page.goto(demo["url"] + "index.html")
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="金融").click()
    assert page.locator("h1").inner_text() == "金融"
    ids = item_ids(page)
    by_id = {r["id"]: r for r in demo["records"]}
    finance = {r["id"] for r in demo["records"] if r["categories"][0] == "金融"}
    assert ids and all(by_id[i]["categories"][0] == "金融" for i in ids)
    assert set(ids) == {i for i in finance if not by_id[i].get("duplicate_of")}
    page.get_by_role("link", name="示例财经").first.click()
    assert all(by_id[i]["categories"][1] == "示例财经" for i in item_ids(page))
    page.screenshot(path=str(ARTIFACTS / "site-category.png"), full_page=True)


def test_article_page_image_and_original_link(page: Page, demo: dict[str, Any]) -> None:
    record = next(r for r in demo["records"] if r["lead_image"] and "metro" in r["lead_image"])
    image_requests = []
    page.on("request", lambda r: image_requests.append(r) if r.resource_type == "image" else None)
    page.goto(demo["url"] + "index.html")
    page.get_by_role("link", name=record["title"]).first.click()
    assert page.locator("h1").inner_text() == record["title"]
    assert page.locator("article").get_attribute("lang") == "zh"
    images = page.locator("article img")
    assert images.count() >= 1
    for i in range(images.count()):
        assert images.nth(i).get_attribute("referrerpolicy") == "no-referrer"
    first = images.first
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first.element_handle()
    )
    assert image_requests and not any(r.headers.get("referer") for r in image_requests)
    page.screenshot(path=str(ARTIFACTS / "site-article.png"), full_page=True)
    link = page.locator("a.original-link")
    assert link.get_attribute("href") == record["url"]
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response is not None and response.status == 200
    assert page.url == record["url"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("地铁", "江州地铁5号线全线贯通"), ("coral", "coral corridor"), ("利率", "存款利率")],
)
def test_search_finds_chinese_and_english_words(
    page: Page, demo: dict[str, Any], query: str, expected: str
) -> None:
    page.goto(demo["url"] + "index.html")
    box = page.get_by_role("searchbox", name="搜索文章")
    box.focus()
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/index.html?q=*")
    hits = page.locator("#search-list li.search-hit h2 a")
    hits.first.wait_for()
    titles = hits.all_inner_texts()
    assert any(expected in t for t in titles), titles
    truth = [r for r in demo["records"] if query.lower() in (r["title"] + r["text"]).lower()]
    status = page.locator("#search-status").inner_text()
    assert str(len({r["id"] for r in truth if not r.get("duplicate_of")})) in status
    # Every match is marked, in titles and in summaries cut short with "…" alike, and a
    # mark holds the word itself: a shifted one would hold other letters.
    for hit in page.locator("#search-list li.search-hit").all():
        for part in (hit.locator("h2 a"), hit.locator("p.summary")):
            text = part.inner_text()
            marks = [m.lower() for m in part.locator("mark").all_inner_texts()]
            assert marks == [query] * text.lower().count(query), (text, marks)
    page.screenshot(path=str(ARTIFACTS / f"site-search-{query}.png"), full_page=True)
    hits.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == titles[0]


def test_client_and_builder_tokenize_alike(page: Page, demo: dict[str, Any]) -> None:
    page.goto(demo["url"] + "search/index.html")
    samples = ["人工智能 model", "港", "Ｈｅｌｌｏ Wörld 2026年", "infl港口", "x", "café au lait"]
    for sample in samples:
        js = page.evaluate("q => window.newsmillSearch.queryGroups(q)", sample)
        assert [(g["exact"], g["prefix"]) for g in js] == [
            (g.exact, g.prefix) for g in query_groups(sample)
        ]
        for g in query_groups(sample):
            key = token_key(g.exact)
            assert page.evaluate("k => window.newsmillSearch.tokenKey(k)", g.exact) == key
            assert page.evaluate("k => window.newsmillSearch.shardOf(k, 64)", key) == shard_of(
                key, 64
            )


@pytest.fixture(scope="module")
def many_groups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site of 20 groups (a source each), served on 127.0.0.1."""
    from helpers.common import sample_article

    from newsmill.config import SiteConfig, SiteOutputConfig
    from newsmill.model import Source
    from newsmill.publish.site import SiteWriter
    from newsmill.publish.site.serve import serve_in_thread

    root = tmp_path_factory.mktemp("groups")
    words = "财经科技体育国际社会文化教育健康汽车房产旅游军事娱乐时尚游戏法治农业能源环境交通"
    names = [words[k : k + 2] + "新闻" for k in range(0, 40, 2)]
    sources = {
        f"s{n}": Source(f"s{n}", f"https://s{n}.example/feed", (name, f"来源{n}"))
        for n, name in enumerate(names[:20])
    }
    articles = [
        sample_article(
            f"g{n}",
            f"第{n}组的新闻标题",
            source=name,
            categories=list(source.categories),
            language="zh",
            tags=[],
        )
        for n, (name, source) in enumerate(sources.items())
    ]
    writer = SiteWriter(
        SiteOutputConfig(dir=root / "site"), SiteConfig(title="新闻", timezone="UTC"), sources
    )
    writer.publish(articles)
    server, url = serve_in_thread(root / "site")
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def test_many_groups_fold_under_more(browser: Browser, many_groups: str) -> None:
    """With 20 groups the menu stays one row on a desktop and short on a phone (the
    first article shows without scrolling); the rest are under "more", which opens
    without a script and leads to every group."""
    for viewport, shown_inline in (
        ({"width": 1280, "height": 800}, 5),
        ({"width": 390, "height": 844}, 3),
    ):
        context = browser.new_context(viewport=viewport, java_script_enabled=False)
        tab = context.new_page()
        tab.goto(many_groups + "index.html")
        menu = tab.get_by_role("navigation", name="栏目")
        inline = menu.locator(":scope > ul > li:not(.more) > a")
        visible = [a for a in inline.all() if a.is_visible()]
        assert len(visible) == shown_inline + 1  # and the archive
        header = tab.locator("header.site-header").bounding_box()
        assert header is not None and header["height"] < (110 if viewport["width"] > 600 else 170)
        first = tab.locator("li.item").first.bounding_box()
        assert first is not None and first["y"] + 40 < viewport["height"]
        assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        tab.get_by_text("更多").click()
        assert tab.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        folded = menu.locator("details a")
        reachable = {a.inner_text() for a in visible} | {
            a.inner_text() for a in folded.all() if a.is_visible()
        }
        assert len(reachable - {"归档"}) == 20, sorted(reachable)
        tab.screenshot(path=str(ARTIFACTS / f"site-groups-{viewport['width']}.png"))
        tab.get_by_role("link", name="娱乐新闻").click()
        assert tab.locator("h1").inner_text() == "娱乐新闻"
        context.close()
