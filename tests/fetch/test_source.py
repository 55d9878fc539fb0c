"""A source on several addresses: the first that serves a feed wins, and says so."""

from __future__ import annotations

import asyncio

from pytest_httpserver import HTTPServer

from newsmill.config import FetchConfig
from newsmill.fetch import Fetcher, fetch_source
from newsmill.model import FetchResult, Source

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
CHALLENGE = b"<html><body>Checking your browser before accessing...</body></html>"


def fetch(source: Source) -> FetchResult:
    config = FetchConfig(allow_private_networks=True, retries=0, timeout=2.0)

    async def go() -> FetchResult:
        async with Fetcher(config) as fetcher:
            return await fetch_source(fetcher, source, None)

    return asyncio.run(go())


def source(server: HTTPServer, *paths: str, key: str | None = "k3y") -> Source:
    urls = [server.url_for(p) for p in paths]
    return Source("s", urls[0], ("x",), mirrors=tuple(urls[1:]), access_key=key)


def test_a_challenge_page_or_an_error_sends_the_request_to_the_next_address(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/a/feed").respond_with_data(CHALLENGE, content_type="text/html")
    httpserver.expect_request("/b/feed").respond_with_data("busy", status=429)
    httpserver.expect_request("/c/feed", query_string="key=k3y").respond_with_data(
        FEED, content_type="application/rss+xml"
    )
    result = fetch(source(httpserver, "/a/feed", "/b/feed", "/c/feed"))
    assert result.ok and result.body == FEED
    assert result.url == httpserver.url_for("/c/feed")  # the key stays out of what is kept
    host = f"127.0.0.1:{httpserver.port}"
    assert result.note == (
        f"served by {host}; {host}: an HTML page, not a feed (a challenge page?); {host}: HTTP 429"
    )


def test_when_no_address_serves_the_error_names_what_each_said(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a/feed").respond_with_data("gone", status=404)
    httpserver.expect_request("/b/feed").respond_with_data("down", status=500)
    result = fetch(source(httpserver, "/a/feed", "/b/feed"))
    host = f"127.0.0.1:{httpserver.port}"
    assert result.error == f"{host}: HTTP 404; {host}: HTTP 500"


def test_one_address_keeps_its_own_error_and_an_html_page_is_for_the_parser_to_judge(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/page").respond_with_data(CHALLENGE, content_type="text/html")
    result = fetch(source(httpserver, "/page", key=None))
    assert result.ok and result.note is None and result.body == CHALLENGE
