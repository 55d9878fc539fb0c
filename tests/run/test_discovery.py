"""`newsmill sources add`: whatever address a user pastes becomes the right source,
and the rest of their newsmill.toml stays byte for byte."""

from __future__ import annotations

import tomllib
from pathlib import Path

from helpers.common import run_cli
from pytest_httpserver import HTTPServer

from newsmill.config import load_config
from newsmill.parse import advertised_feeds
from newsmill.run.discovery import source_name

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


def test_names_are_valid_and_unused() -> None:
    assert source_name("The Harbor Daily!", "https://x.example/", set()) == "the-harbor-daily"
    assert source_name("江州新闻", "https://www.jz-news.example/rss", set()) == "jz-news.example"
    assert source_name("Feed", "https://a.example/", {"feed-x", "a.example"}) == "feed"
    assert source_name("Feed", "https://a.example/", {"feed"}) == "feed-2"
