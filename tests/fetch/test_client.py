"""The fetcher against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsmill.config import FetchConfig
from newsmill.fetch import DEFAULT_USER_AGENT, Fetcher
from newsmill.fetch.client import parse_retry_after
from newsmill.model import FetchResult, FetchState


def fetch(url: str, state: FetchState | None = None, **config: object) -> FetchResult:
    settings = {
        "allow_private_networks": True,
        "retries": 2,
        "backoff": 0.01,
        "timeout": 2,
        "total_timeout": 3,
        **config,
    }

    async def go() -> FetchResult:
        async with Fetcher(FetchConfig.model_validate(settings)) as fetcher:
            return await fetcher.fetch(url, state)

    return asyncio.run(go())


def test_honest_user_agent_and_body(httpserver: HTTPServer) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(b"<rss/>", content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(handler)
    result = fetch(httpserver.url_for("/feed"))
    assert result.ok and result.body == b"<rss/>" and result.status == 200
    assert seen == [DEFAULT_USER_AGENT] and "newsmill" in DEFAULT_USER_AGENT


def test_conditional_get_returns_not_modified(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            b"body", headers={"ETag": '"v1"', "Last-Modified": "Sat, 28 Nov 2026 10:00:00 GMT"}
        )

    httpserver.expect_request("/feed").respond_with_handler(handler)
    first = fetch(httpserver.url_for("/feed"))
    assert first.etag == '"v1"' and first.last_modified
    second = fetch(httpserver.url_for("/feed"), FetchState(first.etag, first.last_modified))
    assert second.not_modified and second.status == 304 and second.body == b""


def test_304_to_an_unconditional_request_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"", status=304)
    result = fetch(httpserver.url_for("/feed"))
    assert not result.ok and "304" in (result.error or "")


def test_retries_transient_errors_then_succeeds(httpserver: HTTPServer) -> None:
    calls = []

    def handler(request: Request) -> Response:
        calls.append(1)
        return Response(b"ok") if len(calls) >= 3 else Response(b"", status=502)

    httpserver.expect_request("/feed").respond_with_handler(handler)
    result = fetch(httpserver.url_for("/feed"))
    assert result.ok and result.body == b"ok" and len(calls) == 3


def test_retry_after_is_honoured(httpserver: HTTPServer) -> None:
    times: list[float] = []

    def handler(request: Request) -> Response:
        times.append(time.monotonic())
        if len(times) == 1:
            return Response(b"", status=429, headers={"Retry-After": "1"})
        return Response(b"ok")

    httpserver.expect_request("/feed").respond_with_handler(handler)
    result = fetch(httpserver.url_for("/feed"))
    assert result.ok and len(times) == 2
    assert times[1] - times[0] >= 0.95


def test_too_long_retry_after_gives_up_with_the_reason(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"", status=503, headers={"Retry-After": "3600"}
    )
    result = fetch(httpserver.url_for("/feed"))
    assert not result.ok and "503" in (result.error or "")


def test_permanent_errors_are_not_retried(httpserver: HTTPServer) -> None:
    calls = []

    def handler(request: Request) -> Response:
        calls.append(1)
        return Response(b"", status=404)

    httpserver.expect_request("/feed").respond_with_handler(handler)
    result = fetch(httpserver.url_for("/feed"))
    assert result.error == "HTTP 404" and len(calls) == 1


def test_gzip_is_decoded_and_size_is_capped_after_decompression(httpserver: HTTPServer) -> None:
    small = gzip.compress(b"<rss>" + b"a" * 1000 + b"</rss>")
    bomb = gzip.compress(b"\0" * 50_000_000)
    httpserver.expect_request("/small").respond_with_data(
        small, headers={"Content-Encoding": "gzip"}
    )
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    assert fetch(httpserver.url_for("/small")).body.startswith(b"<rss>aaa")
    result = fetch(httpserver.url_for("/bomb"), max_bytes=1_000_000)
    assert not result.ok and "larger than" in (result.error or "")


def test_redirects_are_followed_and_limited(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("final")
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    ok = fetch(httpserver.url_for("/a"))
    assert ok.body == b"final" and ok.final_url.endswith("/b")
    looped = fetch(httpserver.url_for("/loop"))
    assert not looped.ok and "redirects" in (looped.error or "")


def test_private_destinations_are_refused_unless_allowed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("secret")
    refused = fetch(httpserver.url_for("/feed"), allow_private_networks=False)
    assert not refused.ok and "private or local address" in (refused.error or "")
    by_name = fetch(f"http://localhost:{httpserver.port}/feed", allow_private_networks=False)
    assert not by_name.ok and "private or local address" in (by_name.error or "")


def test_endless_slow_response_hits_the_total_time_limit(httpserver: HTTPServer) -> None:
    def trickle(request: Request) -> Response:
        def body():  # one byte every 0.2 s, for ever: no read timeout ever fires
            while True:
                time.sleep(0.2)
                yield b"x"

        return Response(body(), content_type="text/xml")

    httpserver.expect_request("/slow").respond_with_handler(trickle)
    started = time.monotonic()
    result = fetch(httpserver.url_for("/slow"), retries=0, total_timeout=1.5)
    assert not result.ok and "within" in (result.error or "")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("header", "expected"), [("120", 120.0), (None, None), ("soon", None)])
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now=1795953600.0) == pytest.approx(
        30, abs=1
    )


def test_a_redirect_into_a_private_network_is_refused_on_that_hop(httpserver: HTTPServer) -> None:
    """The first host is allowed by name; the redirect points at another loopback
    address, which no rule allows, so the hop is refused before any connection."""
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.2:{httpserver.port}/inside"}
    )
    result = fetch(
        httpserver.url_for("/start"),
        allow_private_networks=False,
        allowed_networks=["127.0.0.1/32"],
    )
    assert not result.ok and "127.0.0.2" in (result.error or "")
    assert "private or local address" in (result.error or "")
    httpserver.expect_request("/ok").respond_with_data("fine")
    allowed = fetch(
        httpserver.url_for("/ok"), allow_private_networks=False, allowed_networks=["127.0.0.1/32"]
    )
    assert allowed.ok and allowed.body == b"fine"  # the allowed network itself is reached


def test_the_connection_itself_is_checked_so_dns_rebinding_cannot_slip_past(
    httpserver: HTTPServer,
) -> None:
    """A rebinding name answers a public address to one lookup and a private one to
    the next. The only address check is the lookup the connection is opened to,
    so the private address is refused there, and the loopback server sees no request."""
    httpserver.expect_request("/inside").respond_with_data("secret")
    for url in (httpserver.url_for("/inside"), f"http://localhost:{httpserver.port}/inside"):
        result = fetch(url, allow_private_networks=False, retries=0)
        assert not result.ok and "private or local address" in (result.error or "")
    assert httpserver.log == []
    # An allowed network is reached through the same pinned connection.
    allowed = fetch(
        f"http://localhost:{httpserver.port}/inside",
        allow_private_networks=False,
        allowed_networks=["127.0.0.0/8", "::1/128"],
    )
    assert allowed.ok and allowed.body == b"secret"
