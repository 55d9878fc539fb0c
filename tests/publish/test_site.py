"""The static site: pages from Article fields, safe templates, incremental builds, retention."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import feedparser
import pytest
from helpers.site import HOSTILE_TITLE, corpus, make, site_writer, snapshot, store_with
from lxml import etree, html

from newsmill.config import PublishConfig
from newsmill.files import TEMP_SUFFIX
from newsmill.publish.retention import apply_retention
from newsmill.publish.site import builder
from newsmill.publish.site.catalog import Catalog
from newsmill.publish.site.files import BUILDING
from newsmill.publish.site.manifest import MANIFEST
from newsmill.publish.site.paths import paginate
from newsmill.store import Store


def page(folder: Path, path: str) -> html.HtmlElement:
    return html.fromstring((folder / path).read_bytes())


def listed_ids(folder: Path, path: str) -> list[str]:
    return page(folder, path).xpath("//li[contains(@class,'item')]/@data-id")


def article_file(folder: Path, article_id: str) -> Path:
    (found,) = [p for p in (folder / "a").rglob("*.html") if article_id[:10] in p.name]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of 40 articles over three sources, one of them hostile, built from a store."""
    root = tmp_path_factory.mktemp("site")
    articles = corpus(40)
    articles[3] = replace(
        articles[3],
        title=HOSTILE_TITLE,
        publisher="新华社",
        editor="李四",
        lead_image="https://img.example/lead.jpg?a=1&b=2",
        tags=["{{ tag }}", "<b>tag</b>"],
    )
    articles[39] = replace(articles[39], language="ur")  # the newest: on the home page
    store = store_with(root / "store.db", articles)
    report = site_writer(root / "site", page_size=7).publish_store(store)
    store.close()
    assert report.written > 40 and report.removed == 0
    return root / "site"


def test_every_kind_of_page_exists(built: Path) -> None:
    for path in [
        "index.html", "404.html", "robots.txt", "sitemap.xml", "atom.xml", "rss.xml",
        "feed.json", "archive/index.html", "search/index.html", "search/meta.json",
        "static/style.css", "static/search.js", "c/金融/index.html",
        "c/金融/示例财经/index.html", "c/金融/示例财经/国内/index.html", "c/金融/atom.xml",
        "c/world/harbor-daily/ports/feed.json", "c/technology/techwire/rss.xml",
        "archive/2026/10/index.html", "t/央行/index.html",
    ]:  # fmt: skip
        assert (built / path).is_file(), path
    assert len(list((built / "a").rglob("*.html"))) == 40


def test_home_lists_newest_first_and_pages_cover_everything_once(built: Path) -> None:
    articles = corpus(40)
    newest_first = [a.id for a in reversed(articles)]
    pagers = paginate("", 40, 7)
    seen = []
    for pager in pagers:
        ids = listed_ids(built, pager.path)
        assert ids == newest_first[pager.start : pager.stop]
        seen += ids
    assert seen == newest_first
    assert page(built, "index.html").xpath("//nav[@class='pager']/a[@rel='next']/@href") == [
        pagers[0].older
    ]


def test_category_pages_list_only_their_articles(built: Path) -> None:
    articles = {a.id: a for a in corpus(40)}
    for path, prefix in [
        ("c/金融/index.html", ["金融"]),
        ("c/world/harbor-daily/index.html", ["World", "Harbor Daily"]),
        ("c/technology/techwire/index.html", ["Technology", "TechWire"]),
    ]:
        ids = []
        for pager in paginate(path.removesuffix("index.html"), 40, 7):
            if (built / pager.path).exists():
                ids += listed_ids(built, pager.path)
        expected = [i for i, a in articles.items() if a.categories[: len(prefix)] == prefix]
        assert sorted(ids) == sorted(expected) and ids
    group = page(built, "c/金融/index.html")
    assert group.xpath("//nav[@class='subsections']//a/text()") == ["示例财经"]


def test_article_page_shows_what_a_reader_needs(built: Path) -> None:
    article = corpus(40)[3]
    doc = page(built, article_file(built, article.id).relative_to(built).as_posix())
    assert doc.xpath("//h1/text()") == [HOSTILE_TITLE]
    assert doc.get("lang") == "zh-CN" and doc.xpath("//article/@lang") == ["zh"]
    facts = " ".join(doc.xpath("//dl[@class='facts']//text()"))
    assert "示例财经 · 国内" in facts and "新华社" in facts and "记者 张三" in facts
    # published 2026-10-01 21:00 UTC is 05:00 the next day in Shanghai
    assert doc.xpath("//dl[@class='facts']//time/text()") == ["2026-10-02 05:00"]
    assert doc.xpath("//dl[@class='facts']//time/@datetime") == ["2026-10-02T05:00:00+08:00"]
    (lead,) = doc.xpath("//figure[@class='lead']/img")
    assert lead.get("src") == "https://img.example/lead.jpg?a=1&b=2"
    assert lead.get("referrerpolicy") == "no-referrer" and lead.get("loading") == "lazy"
    assert lead.get("alt") == HOSTILE_TITLE
    assert doc.xpath("//a[@class='original-link']/@href") == [article.url]
    crumbs = doc.xpath("//nav[@class='crumbs']//a/@href")
    assert crumbs[-1] == "../../../c/金融/示例财经/国内/index.html"
    assert "李四" in doc.text_content()
    assert sorted(doc.xpath("//ul[@class='tags']//a/text()")) == ["#<b>tag</b>", "#{{ tag }}"]
    headings = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4")]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in pairwise(headings))


def test_hostile_text_is_data_in_every_page_and_feed(built: Path) -> None:
    raw = b"".join(p.read_bytes() for p in built.rglob("*.html"))
    assert b"<script>alert(1)</script>" not in raw
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert b"<script" not in raw.replace(b'<script src="../static/search.js" defer>', b"")
    for name in ("c/金融/atom.xml", "c/金融/rss.xml", "c/金融/示例财经/国内/atom.xml"):
        feed = feedparser.parse((built / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert HOSTILE_TITLE in [e.title for e in feed.entries]
    data = json.loads((built / "c/金融/feed.json").read_text("utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert HOSTILE_TITLE in [i["title"] for i in data["items"]]


def test_feeds_hold_the_newest_articles_of_their_category(built: Path) -> None:
    harbor = [a for a in corpus(40) if a.source == "harbor"]
    feed = feedparser.parse((built / "c/world/atom.xml").read_bytes())
    assert [e.id for e in feed.entries] == [
        f"urn:newsmill:article:{a.id}" for a in reversed(harbor)
    ]
    assert feed.entries[0].content[0].value == harbor[-1].content_html
    assert feed.entries[0].link.endswith(article_file(built, harbor[-1].id).name)
    rss = feedparser.parse((built / "rss.xml").read_bytes())
    assert len(rss.entries) == 20 and rss.feed.title == "测试站"


def test_every_article_says_its_own_language_and_direction(built: Path) -> None:
    """Articles in Urdu, English and Chinese on one site: pages, lists and feeds say
    which is which, and Urdu reads right to left; a feed of mixed languages claims none."""
    urdu, english, chinese = corpus(40)[39], corpus(40)[37], corpus(40)[36]
    assert (urdu.source, english.source, chinese.source) == ("caijing", "techwire", "caijing")
    for article, lang, direction in (
        (urdu, "ur", "rtl"),
        (english, "en", None),
        (chinese, "zh", None),
    ):
        (node,) = page(built, str(article_file(built, article.id).relative_to(built))).xpath(
            "//article"
        )
        assert node.get("lang") == lang and node.get("dir") == direction
    (card,) = page(built, "index.html").xpath(f"//li[@data-id='{urdu.id}']")
    assert card.get("lang") == "ur" and card.get("dir") == "rtl"
    assert page(built, "index.html").get("lang") == "zh-CN"  # the site's own words
    feed = feedparser.parse((built / "atom.xml").read_bytes())
    assert "language" not in feed.feed
    languages = {e.id.rsplit(":", 1)[1]: e.title_detail.language for e in feed.entries}
    assert languages[urdu.id] == "ur" and languages[english.id] == "en"
    items = json.loads((built / "feed.json").read_bytes())["items"]
    assert {i["id"].rsplit(":", 1)[1]: i["language"] for i in items}[urdu.id] == "ur"


def test_sitemap_and_robots(built: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = etree.fromstring((built / "sitemap.xml").read_bytes())
    files = [
        url.rsplit("/", 1)[1] for url in index.xpath("//s:sitemap/s:loc/text()", namespaces=ns)
    ]
    assert files[0] == "sitemap-pages.xml" and all(
        re.fullmatch(r"sitemap-\d{4}-\d\d\.xml", f) for f in files[1:]
    )
    locs = {name: etree.fromstring((built / name).read_bytes()).xpath("//s:loc/text()", namespaces=ns)
            for name in files}  # fmt: skip
    articles = [u for name in files[1:] for u in locs[name]]
    assert len(articles) == len(set(articles)) == 40 and all("/a/" in u for u in articles)
    for name in files[1:]:  # each month's file holds the pages of that month's articles
        month = name.removeprefix("sitemap-").removesuffix(".xml").replace("-", "/")
        assert all(f"/a/{month}/" in u for u in locs[name])
    assert any(u.endswith("/c/%E9%87%91%E8%9E%8D/index.html") for u in locs["sitemap-pages.xml"])
    assert (built / "robots.txt").read_text().startswith("User-agent: *")


def test_page_markup_is_accessible(built: Path) -> None:
    for path in ["index.html", "c/金融/index.html", "archive/index.html", "search/index.html"]:
        doc = page(built, path)
        assert doc.get("lang") == "zh-CN"
        assert len(doc.xpath("//h1")) == 1
        assert all(img.get("alt") is not None for img in doc.iter("img"))
        assert all(img.get("referrerpolicy") == "no-referrer" for img in doc.iter("img"))
        (label,) = doc.xpath("//label[@for='q']")
        assert doc.xpath("//input[@id='q']/@type") == ["search"] and label.text_content()
    css = (built / "static/style.css").read_text()
    assert "prefers-color-scheme: dark" in css and "max-width" in css


def test_a_second_build_writes_nothing(tmp_path: Path) -> None:
    store = store_with(tmp_path / "s.db", corpus(12))
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    before = snapshot(tmp_path / "site")
    report = writer.publish_store(store)
    assert report.written == 0 and report.removed == 0
    assert snapshot(tmp_path / "site") == before
    assert not (tmp_path / "site" / BUILDING).exists()


def test_a_build_with_nothing_new_reads_and_plans_nothing(tmp_path: Path, monkeypatch) -> None:
    """The archive's digest and the settings as the last build saw them, and its files
    in place: no article is read, no page planned, whatever the size of the archive."""
    store = store_with(tmp_path / "s.db", corpus(12))
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    writer.publish_store(store)  # a site built before the archive's digest was kept

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build with nothing new read an article")

    for name in ("article_heads", "article_displays", "articles_by_id", "article_fields"):
        monkeypatch.setattr(Store, name, refuse)
    monkeypatch.setattr(builder, "make_plan", refuse)
    monkeypatch.setattr(Catalog, "read", refuse)
    before = snapshot(tmp_path / "site")
    report = writer.publish_store(store)
    assert (report.written, report.removed) == (0, 0) and report.unchanged > 12
    assert snapshot(tmp_path / "site") == before
    (tmp_path / "site" / "index.html").unlink()  # a file gone: planned and written again
    monkeypatch.undo()
    assert writer.publish_store(store).written == 1


def test_a_new_article_rewrites_only_what_shows_it(tmp_path: Path) -> None:
    articles = corpus(31)
    store = store_with(tmp_path / "s.db", articles[:30])
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    before = snapshot(tmp_path / "site")
    store.upsert_articles("caijing", [articles[30]])  # articles[30] is a caijing one
    report = writer.publish_store(store)
    after = snapshot(tmp_path / "site")
    changed = {p for p in after if before.get(p) != after[p]}
    assert report.removed == 0
    assert (
        article_file(tmp_path / "site", articles[30].id).relative_to(tmp_path / "site").as_posix()
        in changed
    )
    # older pages of every list are untouched; the lists' first pages show the new article
    assert not any("page-" in p for p in changed)
    assert {"index.html", "c/金融/index.html", "atom.xml", "c/金融/atom.xml"} <= changed
    assert not any(p.startswith(("c/world", "c/technology")) for p in changed)
    assert not any(p.startswith("a/") and articles[30].id[:10] not in p for p in changed)
    # the sitemap: only the file of the new article's month
    page_month = article_file(tmp_path / "site", articles[30].id).parent
    month = f"{page_month.parent.name}-{page_month.name}"
    assert {p for p in changed if re.fullmatch(r"sitemap-\d.*", p)} == {f"sitemap-{month}.xml"}
    assert len(changed) < 30


def test_a_new_article_keys_only_the_newest_pages_of_its_lists(tmp_path: Path, monkeypatch) -> None:
    """The cost of a build follows the change: after one new article, each list it joins
    keys its first pages again, not every page of a list that only grew; the pages
    older than the new entry are carried as the last build wrote them."""
    from newsmill.publish.site import lists

    articles = corpus(241)
    store = store_with(tmp_path / "s.db", articles[:240])
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)  # the home list has 48 pages, each category 16 to 80
    writer.publish_store(store)  # a second build: the manifest knows every list's key
    keyed: list[object] = []
    counting = lists.digest

    def count(*parts: object) -> str:
        keyed.append(parts[1] if len(parts) > 1 else None)
        return counting(*parts)

    monkeypatch.setattr(lists, "digest", count)
    store.upsert_articles("caijing", [articles[240]])
    report = writer.publish_store(store)
    assert report.written > 0
    pages = [p for p in keyed if isinstance(p, tuple)]  # (path, newer, older, number)
    assert {p[0] for p in pages} >= {"index.html", "c/金融/index.html"}
    # the home list and three category levels, each at most its first page and the two
    # newest numbered ones (whose "newer" link may change), and the new article's tag
    assert len(pages) <= 4 * 3 + 3, sorted(p[0] for p in pages)


def test_a_removed_article_takes_its_page_and_list_entries(tmp_path: Path) -> None:
    articles = corpus(9)
    store = store_with(tmp_path / "s.db", articles)
    writer = site_writer(tmp_path / "site")
    writer.publish_store(store)
    gone = articles[4]
    path = article_file(tmp_path / "site", gone.id)
    store.delete_articles([gone.id])
    report = writer.publish_store(store)
    assert not path.exists() and report.removed >= 1
    assert gone.id not in listed_ids(tmp_path / "site", "index.html")
    manifest = json.loads((tmp_path / "site" / MANIFEST).read_text())
    assert not any(gone.id[:10] in p for p in manifest["pages"])
    # a file the user put in the site folder is not newsmill's to delete
    (tmp_path / "site" / "CNAME").write_text("news.example")
    store.delete_articles([a.id for a in articles])
    writer.publish_store(store)
    assert (tmp_path / "site" / "CNAME").exists()
    assert (
        not list((tmp_path / "site" / "a").rglob("*.html"))
        if (tmp_path / "site" / "a").exists()
        else True
    )


def test_changed_article_and_template_rerender(tmp_path: Path) -> None:
    articles = corpus(6)
    writer = site_writer(tmp_path / "site")
    writer.publish(articles)
    before = snapshot(tmp_path / "site")
    edited = replace(articles[2], content_html="<p>更正后的正文</p>")
    writer.publish([*articles[:2], edited, *articles[3:]])
    assert "更正后的正文" in article_file(tmp_path / "site", edited.id).read_text()
    after = snapshot(tmp_path / "site")
    changed = {p for p in after if before.get(p) != after[p]}
    assert [p for p in changed if p.startswith("a/")] == [
        article_file(tmp_path / "site", edited.id).relative_to(tmp_path / "site").as_posix()
    ]
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_header.html").write_text('<header class="mine">{{ site.title }}</header>\n')
    custom = site_writer(tmp_path / "site", templates=templates)
    report = custom.publish(articles)
    assert report.written >= 6
    assert '<header class="mine">测试站</header>' in (tmp_path / "site/index.html").read_text()


def test_feeds_follow_content_changes(tmp_path: Path) -> None:
    articles = corpus(3)
    writer = site_writer(tmp_path / "site")
    writer.publish(articles)
    edited = replace(articles[2], content_html="<p>新内容</p>")
    writer.publish([*articles[:2], edited])
    assert "新内容" in (tmp_path / "site/feed.json").read_text()


def test_duplicates_are_shown_once_with_also_reported_by(tmp_path: Path) -> None:
    primary = make("p", "江州港吞吐量增长", "caijing")
    copy = make(
        "d", "Jiangzhou port volume up", "harbor",
        when=primary.published + timedelta(hours=1), duplicate_of=primary.id, cluster="c1",
    )  # fmt: skip
    writer = site_writer(tmp_path / "site")
    writer.publish([copy, primary])
    site = tmp_path / "site"
    assert listed_ids(site, "index.html") == [primary.id]
    doc = page(site, article_file(site, primary.id).relative_to(site).as_posix())
    assert doc.xpath("//section[@class='also']//a/text()") == [copy.title]
    assert "Harbor Daily" in page(site, "index.html").xpath("string(//p[@class='also'])")
    dup = page(site, article_file(site, copy.id).relative_to(site).as_posix())
    assert dup.xpath("//p[@class='also']/a/text()") == [primary.title]
    feed = json.loads((site / "feed.json").read_text())
    assert [i["title"] for i in feed["items"]] == [primary.title]


def test_hostile_category_names_stay_inside_the_site(tmp_path: Path) -> None:
    evil = make("e", "x", categories=["../../etc", "/abs", "a\\b"], tags=["../up", "..", "."])
    writer = site_writer(tmp_path / "site")
    writer.publish([evil])
    files = [p.resolve() for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.is_relative_to((tmp_path / "site").resolve()) for p in files)
    assert (tmp_path / "site/c/etc/abs/a-b/index.html").is_file()


def test_a_killed_build_leaves_no_temporary_behind(tmp_path: Path) -> None:
    writer = site_writer(tmp_path / "site")
    writer.publish(corpus(3))
    leftover = tmp_path / "site/a/2026/10" / f".x.html.1-1{TEMP_SUFFIX}"
    leftover.write_text("half")
    (tmp_path / "site" / BUILDING).touch()  # what a killed build leaves
    writer.publish(corpus(3))
    assert not leftover.exists() and not (tmp_path / "site" / BUILDING).exists()


def test_pagination_from_the_oldest_is_stable() -> None:
    for count in range(0, 60):
        pagers = paginate("x/", count, 5)
        covered = sorted(i for p in pagers for i in range(p.start, p.stop))
        assert covered == list(range(count))
        assert pagers[0].path == "x/index.html"
        for p in pagers[1:]:
            assert p.stop - p.start == 5  # older pages are always full ...
            later = [q for q in paginate("x/", count + 1, 5) if q.path == p.path]
            shifted = (later[0].start - 1, later[0].stop - 1) if later else None
            assert shifted == (p.start, p.stop)  # ... and hold the same articles after one more


def test_retention_keeps_a_count_per_source_or_an_age(tmp_path: Path) -> None:
    articles = corpus(30)
    store = store_with(tmp_path / "s.db", articles)
    writer = site_writer(tmp_path / "site")
    writer.publish_store(store)
    removed = apply_retention(PublishConfig(keep=4), store)
    assert removed == 30 - 12
    kept = {a.id for a in store.iter_articles()}
    assert kept == {
        a.id
        for src in ("caijing", "techwire", "harbor")
        for a in [x for x in articles if x.source == src][-4:]
    }
    report = writer.publish_store(store)
    assert report.removed >= 18
    assert len(list((tmp_path / "site/a").rglob("*.html"))) == 12
    newest = max(a.published for a in articles)
    removed = apply_retention(PublishConfig(keep="2d"), store, now=newest + timedelta(hours=1))
    assert {a.published >= newest - timedelta(days=2) for a in store.iter_articles()} == {True}
    assert removed > 0
    assert apply_retention(PublishConfig(), store) == 0


def test_build_command_builds_the_site_and_retention_applies(tmp_path: Path) -> None:
    from helpers.common import run_cli, write_config

    config = write_config(tmp_path, [], publish={"site": {"dir": "site"}, "keep": 2})
    store = store_with(tmp_path / "newsmill.db", corpus(9))
    store.close()
    result = run_cli("build", "-c", str(config))
    assert result.exit_code == 0, result.output
    assert "site:" in result.output
    assert len(list((tmp_path / "site/a").rglob("*.html"))) == 6
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()}
    result = run_cli("build", "-c", str(config))
    assert "site: 0 written" in result.output
    assert mtimes == {
        p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()
    }


def test_serve_command_serves_the_site_and_its_404(tmp_path: Path) -> None:
    import subprocess
    import sys

    import httpx

    writer = site_writer(tmp_path / "site")
    writer.publish(corpus(3))
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsmill", "serve", "--dir", str(tmp_path / "site"), "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" at ")[1].split(" ")[0]
        assert url.startswith("http://127.0.0.1:")
        home = httpx.get(url + "index.html")
        assert home.status_code == 200 and "测试站" in home.text
        missing = httpx.get(url + "no/such/page.html")
        assert missing.status_code == 404 and '<base href="/">' in missing.text
        assert httpx.get(url + "search/meta.json").headers["content-type"] == "application/json"
    finally:
        proc.terminate()
        proc.wait(10)


def test_site_folder_that_cannot_be_created_is_one_error(tmp_path: Path) -> None:
    from newsmill.files import OutputError

    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot create"):
        site_writer(tmp_path / "file" / "site").publish([])


def test_dates_follow_the_site_time_zone_in_names_and_archives(tmp_path: Path) -> None:
    late = make("late", "月末新闻", when=datetime(2026, 10, 31, 17, 30, tzinfo=UTC))  # Nov 1, 01:30
    site_writer(tmp_path / "site").publish([late])
    assert (tmp_path / "site/archive/2026/11/index.html").is_file()
    assert article_file(tmp_path / "site", late.id).parent.name == "11"


@pytest.mark.parametrize("helper", [False, True], ids=["one process", "with a helper"])
def test_incremental_builds_equal_a_fresh_build(tmp_path: Path, monkeypatch, helper: bool) -> None:
    """Whatever changes, carrying pages over must give the very files a full build gives
    (entries, feed items and records kept from the last build included)."""
    if helper:
        from newsmill.publish.site import builder

        monkeypatch.setattr(builder, "PARALLEL_MIN", 1)
        monkeypatch.setattr(builder, "CHUNK_PAGES", 2)
    articles = corpus(26)
    store = store_with(tmp_path / "s.db", articles[:20])
    writer = site_writer(tmp_path / "inc", page_size=4)
    writer.publish_store(store)
    base = articles[0].published

    def add(more: list) -> None:
        for a in more:
            store.upsert_articles(a.source, [a])

    steps = [
        lambda: add(articles[20:23]),
        lambda: add([replace(articles[3], tags=["新标签", "央行"])]),
        lambda: add([replace(articles[6], title="换了标题的新闻")]),
        lambda: store.delete_articles([articles[1].id, articles[21].id]),
        lambda: add([replace(articles[9], duplicate_of=articles[12].id, cluster="k")]),
        lambda: add([replace(articles[10], published=base - timedelta(days=40))]),
        lambda: add(articles[23:26]),
        lambda: store.delete_articles([articles[12].id]),  # a primary goes: its copy is listed
        # A new article dated among old ones: the pages older than it stay, the newer shift.
        lambda: add(
            [make("late", "迟到的旧新闻", "caijing", base + timedelta(hours=50), tags=["央行"])]
        ),
        # A new report of an old story: the page listing the story's primary changes.
        lambda: add(
            [
                replace(
                    make("again", "Report again", "techwire", base + timedelta(hours=29)),
                    duplicate_of=articles[4].id,
                    cluster="k2",
                )
            ]
        ),
    ]
    for n, step in enumerate(steps):
        step()
        writer.publish_store(store)
        fresh = site_writer(tmp_path / f"fresh{n}", page_size=4)
        fresh.publish_store(store)
        got = {p: d for p, (_, d) in snapshot(tmp_path / "inc").items()}
        want = {p: d for p, (_, d) in snapshot(tmp_path / f"fresh{n}").items()}
        for files in (got, want):
            for p in [p for p in files if p.startswith("search/") or p == MANIFEST]:
                del files[p]
        assert got.keys() == want.keys(), (n, got.keys() ^ want.keys())
        assert [p for p in got if got[p] != want[p]] == [], n


def test_site_and_retention_on_both_store_backends(tmp_path: Path, store_url: str) -> None:

    articles = corpus(9)
    store = Store(store_url)
    try:
        for a in articles:
            store.upsert_articles(a.source, [a])
        assert {a.id for a in store.articles_by_id([articles[0].id, articles[4].id])} == {
            articles[0].id,
            articles[4].id,
        }
        writer = site_writer(tmp_path / "site")
        writer.publish_store(store)
        assert len(listed_ids(tmp_path / "site", "index.html")) == 9
        deleted = store.prune_articles(keep_per_source=2)
        assert len(deleted) == 3 and store.count_articles() == 6
        assert writer.publish_store(store).removed >= 3
        cutoff = articles[7].published
        assert set(store.prune_articles(older_than=cutoff)) == {
            a.id for a in articles[:7] if a.id not in deleted
        }
    finally:
        store.close()


def test_a_page_that_is_gone_is_written_again(tmp_path: Path) -> None:
    articles = corpus(12)
    store = store_with(tmp_path / "s.db", articles)
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    site = tmp_path / "site"
    gone = [
        article_file(site, articles[4].id),
        site / "c/金融/index.html",
        site / "t/央行/index.html",
        site / "c/world/atom.xml",
        site / "index.html",
    ]
    before = {p: p.read_bytes() for p in gone}
    for path in gone:
        path.unlink()
    report = writer.publish_store(store)
    assert report.written == len(gone)
    assert {p: p.read_bytes() for p in gone} == before


def test_a_damaged_manifest_means_building_it_all_again(tmp_path: Path) -> None:
    articles = corpus(12)
    store = store_with(tmp_path / "s.db", articles)
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    before = {p: d for p, (_, d) in snapshot(tmp_path / "site").items() if p != MANIFEST}
    manifest = tmp_path / "site" / MANIFEST
    data = json.loads(manifest.read_text())
    data["articles"] = {k: ["not", "a", "record"] for k in data["articles"]}
    manifest.write_text(json.dumps(data))
    store.upsert_articles("caijing", [replace(articles[0], title="改过的标题")])
    writer.publish_store(store)
    fresh = site_writer(tmp_path / "fresh", page_size=5)
    fresh.publish_store(store)
    got = {p: d for p, (_, d) in snapshot(tmp_path / "site").items() if not p.startswith("search/")}
    want = {
        p: d for p, (_, d) in snapshot(tmp_path / "fresh").items() if not p.startswith("search/")
    }
    del got[MANIFEST], want[MANIFEST]
    stale = set(got) - set(want)  # the old title's page: the damaged records forgot it
    assert stale == {p for p in before if p.startswith("a/") and articles[0].id[:10] in p}
    assert {p: got[p] for p in want} == want


def test_a_tampered_manifest_deletes_nothing_outside_the_site(tmp_path: Path) -> None:
    store = store_with(tmp_path / "s.db", corpus(6))
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    outside = tmp_path / "outside.html"
    outside.write_text("keep me")
    manifest = tmp_path / "site" / MANIFEST
    data = json.loads(manifest.read_text())
    gone = ["../outside.html", "a\\..\\..\\outside.html", "/" + str(outside)]
    for n, path in enumerate(gone):  # records and pages of articles no longer stored
        data["articles"][f"gone{n}"] = [
            "v",
            path,
            "2026-10-01T08:00:00+08:00",
            "",
            "",
            "caijing",
            [],
            [],
            None,
        ]
        data["pages"][path] = "k"
    manifest.write_text(json.dumps(data))
    writer.publish_store(store)
    assert outside.read_text() == "keep me"


def test_a_manifest_cut_short_is_read_as_none(tmp_path: Path) -> None:
    """A manifest half written by hand or a full disk: the build starts afresh, puts
    back what is gone, and leaves a manifest the next build reads."""
    store = store_with(tmp_path / "s.db", corpus(12))
    writer = site_writer(tmp_path / "site", page_size=5)
    writer.publish_store(store)
    manifest = tmp_path / "site" / MANIFEST
    manifest.write_bytes(manifest.read_bytes()[: manifest.stat().st_size // 2])
    home = tmp_path / "site" / "index.html"
    home.unlink()
    writer.publish_store(store)
    assert home.is_file()
    assert json.loads(manifest.read_text())["v"]
    assert writer.publish_store(store).written == 0


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    import gc

    writer = site_writer(tmp_path / "site")
    assert gc.isenabled()
    writer.publish(corpus(3))
    assert gc.isenabled()
    gc.disable()
    try:
        writer.publish(corpus(4))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_urls_are_quoted_as_urllib_quotes_them() -> None:
    from urllib.parse import quote

    from newsmill.publish.site.paths import quote_path

    for path in ["a/2026/11/央行-0123456789.html", "c/金融/示例财经/index.html", "t/x y/%/?#&=+",
                 "é/ü/ß", "~_.-/A-Z", "😀/𠀀"]:  # fmt: skip
        assert quote_path(path) == quote(path, safe="/")


def test_feeds_and_sitemap_want_an_absolute_base_url(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Feed readers and search engines reject root-relative links: a build without an
    absolute base URL says so, loudly, and what it writes instead. With one under a
    sub-path, every feed and sitemap link is absolute and under it."""
    articles = corpus(6)
    store = store_with(tmp_path / "store.db", articles)
    with caplog.at_level("WARNING", logger="newsmill"):
        site_writer(tmp_path / "plain").publish_store(store)
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "base_url" in warning and "root-relative" in warning
    caplog.clear()
    with caplog.at_level("WARNING", logger="newsmill"):
        site_writer(tmp_path / "sub", base_url="https://news.example.org/mill/").publish_store(
            store
        )
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []
    site = tmp_path / "sub"
    feed = feedparser.parse((site / "atom.xml").read_bytes())
    links = [e.link for e in feed.entries] + [feed.feed.link]
    assert len(links) == 7 and all(u.startswith("https://news.example.org/mill/") for u in links)
    rss = feedparser.parse((site / "c/金融/rss.xml").read_bytes())
    assert rss.entries and all(
        e.link.startswith("https://news.example.org/mill/a/") for e in rss.entries
    )
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [
        loc
        for path in site.glob("sitemap*.xml")
        for loc in etree.fromstring(path.read_bytes()).xpath("//s:loc/text()", namespaces=ns)
    ]
    assert locs and all(u.startswith("https://news.example.org/mill/") for u in locs)
    assert "Sitemap: https://news.example.org/mill/sitemap.xml" in (site / "robots.txt").read_text()
    assert '<base href="/mill/">' in (site / "404.html").read_text("utf-8")


def test_an_article_page_says_the_time_zone_of_its_times(built: Path) -> None:
    """Times are the site's local times (Asia/Shanghai here): the page says which, once."""
    article = corpus(40)[5]
    node = page(built, str(article_file(built, article.id).relative_to(built)))
    (facts,) = node.xpath("//dl[contains(@class, 'facts')]")
    assert facts.xpath(".//time/@datetime")[0].endswith("+08:00")
    assert facts.xpath(".//span[@class='zone']/text()") == ["UTC+08:00"]


def test_a_site_without_a_language_speaks_that_of_most_articles(tmp_path: Path) -> None:
    from helpers.site import SOURCES

    from newsmill.config import SiteConfig, SiteOutputConfig
    from newsmill.publish.site import SiteWriter

    articles = corpus(12)
    english = [replace(a, language="en") for a in articles]
    chinese = [replace(a, language="zh") for a in articles]
    for name, batch, lang, home in (
        ("en", english[:8] + chinese[8:], "en", "Skip to content"),
        ("zh", english[:4] + chinese[4:], "zh-CN", "跳到正文"),
    ):
        store = store_with(tmp_path / f"{name}.db", batch)
        site = tmp_path / name
        SiteWriter(
            SiteOutputConfig(dir=site), SiteConfig(title="t", timezone="UTC"), SOURCES
        ).publish_store(store)
        store.close()
        index = page(site, "index.html")
        assert index.get("lang") == lang
        assert home in index.text_content()
