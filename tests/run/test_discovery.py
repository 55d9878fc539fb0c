"""`newsmill sources add`: whatever address a user pastes becomes the right source,
and the rest of their newsmill.toml stays byte for byte."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from helpers.common import DATA, SHARED, run_cli
from pytest_httpserver import HTTPServer

from newsmill.config import load_config
from newsmill.parse import advertised_feeds
from newsmill.run.discovery import probe_document

LISTS_DEV = SHARED / "data" / "lists-dev"

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>{title}</title><link>https://news.example/</link>
<item><title>One</title><link>https://news.example/1</link></item></channel></rss>"""
CONFIG = """# My sources, kept by hand.
[site]
title = "mine"   # shown in the header

[fetch]
allow_private_networks = true  # the test server is on loopback
retries = 0

[[sources]]
name = "existing"
url = "https://elsewhere.example/rss"
categories = ["old"]
"""


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "newsmill.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def added(path: Path) -> dict[str, object]:
    text = path.read_text("utf-8")
    assert text.startswith(CONFIG.rstrip("\n"))  # every byte before the new table kept
    load_config(path)  # and the whole still loads
    return tomllib.loads(text)["sources"][-1]


def test_a_feed_address_becomes_a_url_source(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rss").respond_with_data(
        FEED.format(title="Harbor Daily"), content_type="application/rss+xml"
    )
    path = config_file(tmp_path)
    result = run_cli("sources", "add", httpserver.url_for("/rss"), "-c", str(path))
    assert result.exit_code == 0, result.output
    assert added(path) == {
        "name": "harbor-daily",
        "url": httpserver.url_for("/rss"),
        "categories": ["Harbor Daily"],
    }
    again = run_cli("sources", "add", httpserver.url_for("/rss"), "-c", str(path))
    assert again.exit_code == 0 and "already the source harbor-daily" in again.output


def test_a_page_that_advertises_a_feed_gives_that_feed(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    page = (
        '<html><head><link rel="stylesheet" href="/s.css">'
        '<link rel="alternate" type="application/rss+xml" href="/news/feed.xml" title="RSS">'
        "</head><body><h1>江州新闻</h1></body></html>"
    )
    httpserver.expect_request("/news/").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/news/feed.xml").respond_with_data(
        FEED.format(title="江州新闻"), content_type="application/rss+xml"
    )
    path = config_file(tmp_path)
    result = run_cli(
        "sources", "add", httpserver.url_for("/news/"), "--categories", "新闻/江州/本地",
        "--name", "jiangzhou", "-c", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert added(path) == {
        "name": "jiangzhou",
        "url": httpserver.url_for("/news/feed.xml"),
        "categories": ["新闻", "江州", "本地"],
    }


def test_a_page_with_no_feed_anywhere_is_one_clear_error_and_no_change(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/plain").respond_with_data(
        "<html><body><p>No feed here.</p></body></html>", content_type="text/html"
    )
    path = config_file(tmp_path)
    result = run_cli("sources", "add", httpserver.url_for("/plain"), "-c", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("newsmill:")]
    assert len(errors) == 1 and "not a feed" in errors[0]
    assert httpserver.url_for("/plain") in errors[0] and "Traceback" not in result.output
    assert path.read_text("utf-8") == CONFIG


def test_advertised_feeds_in_page_order_resolved_against_base() -> None:
    page = (
        b'<html><head><base href="https://cdn.example/site/">'
        b'<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        b'<link rel="Alternate" type="application/rss+xml; charset=utf-8" href="/rss">'
        b'<link rel="alternate" type="text/html" href="/en/">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        b"</head></html>"
    )
    assert advertised_feeds(page, "https://news.example/a/") == [
        "https://cdn.example/site/atom.xml",
        "https://cdn.example/rss",
    ]


def test_an_xhtml_page_with_an_xml_prolog_is_read_as_it_was_decoded() -> None:
    """The prolog names the bytes' encoding; once decoded, it must not decode again."""
    page = (
        '<?xml version="1.0" encoding="gbk"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        '<head><title>江州新闻</title><link rel="alternate" type="application/rss+xml"'
        ' href="/rss.xml"/></head><body></body></html>'
    ).encode("gbk")
    assert advertised_feeds(page, "https://news.example/") == ["https://news.example/rss.xml"]


LISTS = DATA / "lists"


def probe_json(*args: str) -> dict:
    result = run_cli("probe", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_probe_a_saved_list_page_shows_its_items_selectors_and_next_page() -> None:
    seen = probe_json(
        str(LISTS / "zh-channel-gbk.html"), "--base-url", "https://news.example.cn/guonei/"
    )
    assert seen["kind"] == "list" and seen["feeds"] == []
    urls = [item["url"] for item in seen["items"]]
    assert urls[0] == "https://news.example.cn/2024-05/20/c_1130150.htm"
    assert len(urls) == len(set(urls)) >= 5 and all(u.startswith("https://") for u in urls)
    assert seen["items"][0]["title"].startswith("国务院常务会议")
    assert seen["items"][0]["published"].startswith("2024-05-20T13:15")
    assert seen["select"]["items"] and seen["select"]["link"]
    assert seen["next_page"] and seen["next_page"].startswith("https://news.example.cn/")


def test_probe_a_feed_and_a_page_that_advertises_one(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/rss").respond_with_data(
        FEED.format(title="Harbor Daily"), content_type="application/rss+xml"
    )
    httpserver.expect_request("/").respond_with_data(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head>'
        "<body><p>Welcome.</p></body></html>",
        content_type="text/html",
    )
    config = ["-c", str(config_file(tmp_path))]
    feed = probe_json(httpserver.url_for("/rss"), *config)
    assert feed["kind"] == "feed" and feed["items"][0]["url"] == "https://news.example/1"
    page = probe_json(httpserver.url_for("/"), *config)
    assert page["kind"] == "article" and page["feeds"] == [httpserver.url_for("/rss")]


def test_probe_a_missing_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run_cli("probe", str(tmp_path / "nope.html"))
    assert result.exit_code == 1
    assert result.output.strip() == f"newsmill: {tmp_path / 'nope.html'}: No such file or directory"


def test_real_list_pages_are_lists_and_article_pages_are_not() -> None:
    """Every list of lists-dev (real, third-party) is seen as a list; every article
    page among our extraction fixtures, with its related-news strips, as an article."""
    manifest = json.loads((LISTS_DEV / "manifest.json").read_text("utf-8"))
    zone = ZoneInfo("Asia/Shanghai")
    wrong = [
        doc["id"]
        for doc in manifest["docs"]
        if probe_document((LISTS_DEV / doc["file"]).read_bytes(), doc["page_url"], "", zone).kind
        != "list"
    ]
    wrong += [
        page.name
        for page in sorted((DATA / "extract").glob("*/*.html"))
        if probe_document(page.read_bytes(), "https://news.example/a/1.html", "", zone).kind
        != "article"
    ]
    assert wrong == []
