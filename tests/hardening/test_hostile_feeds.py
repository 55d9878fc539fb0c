"""Hostile feeds, served on 127.0.0.1, through the real pipeline: no crash, no hang,
a clear per-source error or safe output, and the other sources still published."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from helpers.common import run_cli, status_json, write_config
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

GOOD = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>good</title>
<item><title>The good story</title><link>http://good.example/1</link><guid>good-1</guid>
<description>A perfectly ordinary item that must be published whatever the others do.</description></item>
</channel></rss>"""

ITEM = "<item><title>{title}</title><link>http://127.0.0.1:9/{n}</link><guid>h-{n}</guid><description>{body}</description></item>"


def rss(items: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0"?>{prolog}<rss version="2.0"><channel><title>h</title>{items}</channel></rss>'.encode()


LOL = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
BILLION_LAUGHS = rss(
    ITEM.format(title="laughs &lol9;", n=1, body="x"), f'<!DOCTYPE r [<!ENTITY lol0 "lol">{LOL}]>'
)
QUADRATIC = rss(
    ITEM.format(title="quadratic", n=1, body="&a;" * 100_000),
    '<!DOCTYPE r [<!ENTITY a "' + "x" * 100_000 + '">]>',
)
XXE_FILE = rss(
    ITEM.format(title="xxe &x;", n=1, body="&x;"),
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
)


def xxe_url(base: str) -> bytes:
    return rss(
        ITEM.format(title="xxe url &x;", n=1, body="&x;"),
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{base}/secret">]>',
    )


DEEP = rss(
    ITEM.format(title="deep", n=1, body="&lt;div&gt;" * 50_000 + "core" + "&lt;/div&gt;" * 50_000)
)
CONTROL = rss(
    ITEM.format(title="ctl\x01\x02\x0b\x1f title", n=1, body="body\x00\x08 text")
).replace(b"\x00", b"\x00")
INVALID_UTF8 = rss(ITEM.format(title="bytes", n=1, body="ok")).replace(
    b"bytes", b"by\xff\xfe\xc3tes"
)
TRUNCATED = rss(
    ITEM.format(title="first whole", n=1, body="one")
    + ITEM.format(title="second whole", n=2, body="two")
)[:-60]
HTML_AS_FEED = (
    b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body><p>hello</p></body></html>"
)

CASES: dict[str, tuple[bytes, str, str]] = {
    # name: (body, content type, expected: "ok:<title fragment>" or "error:<message fragment>")
    "billion-laughs": (BILLION_LAUGHS, "application/rss+xml", "ok:laughs"),
    "quadratic": (QUADRATIC, "application/rss+xml", "ok:quadratic"),
    "xxe-file": (XXE_FILE, "application/rss+xml", "ok:xxe"),
    "deep": (DEEP, "application/rss+xml", "ok:deep"),
    "control-chars": (CONTROL, "application/rss+xml", "ok:ctl"),
    "invalid-bytes": (INVALID_UTF8, "application/rss+xml", "ok:tes"),
    "truncated": (TRUNCATED, "application/rss+xml", "ok:first whole"),
    "html-as-feed": (HTML_AS_FEED, "application/rss+xml", "error:HTML page"),
    "feed-as-html": (
        GOOD.replace(b"good", b"mislabelled"),
        "text/html; charset=utf-8",
        "ok:mislabelled",
    ),
    "no-content-type": (GOOD.replace(b"good", b"untyped"), "", "ok:untyped"),
    "empty": (b"", "application/rss+xml", "error:empty"),
    "json-garbage": (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": 7}',
        "application/feed+json",
        "error:not a JSON Feed",
    ),
}


def test_hostile_xml_and_documents(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    secret_hits: list[str] = []
    httpserver.expect_request("/secret").respond_with_handler(
        lambda r: secret_hits.append(r.path) or Response("TOP-SECRET")
    )
    httpserver.expect_request("/good").respond_with_data(GOOD, content_type="application/rss+xml")
    bodies = {**CASES, "xxe-url": (xxe_url(base), "application/rss+xml", "ok:xxe url")}
    for name, (body, content_type, _) in bodies.items():
        httpserver.expect_request(f"/{name}").respond_with_data(
            body, content_type=content_type or None
        )
    sources = [
        {"name": n, "url": f"{base}/{n}", "categories": ["h"], "full_text": "never"}
        for n in [*bodies, "good"]
    ]
    config = write_config(tmp_path, sources)

    started = time.monotonic()
    result = run_cli("run", "-c", str(config))
    assert time.monotonic() - started < 60
    assert result.exit_code == 1  # some sources fail, the run does not
    assert "Traceback" not in result.output

    status, _ = status_json("-c", str(config))
    records = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    by_source: dict[str, list[dict]] = {}
    for record in records:
        by_source.setdefault(record["source"], []).append(record)
    assert [r["title"] for r in by_source["good"]] == ["The good story"]
    for name, (_, _, expected) in bodies.items():
        kind, fragment = expected.split(":", 1)
        if kind == "error":
            assert fragment in (status[name]["last_error"] or ""), (name, status[name])
        else:
            assert status[name]["last_error"] is None, (name, status[name])
            titles = " ".join(r["title"] for r in by_source.get(name, []))
            assert fragment in titles, (name, titles)
    everything = (tmp_path / "articles.jsonl").read_text("utf-8")
    assert "root:" not in everything and "TOP-SECRET" not in everything
    assert secret_hits == []  # the external entity was never fetched
    assert "lollollol" not in everything  # no entity was expanded
    for record in records:
        assert len(record["title"]) <= 1000 and "\x00" not in record["title"] + record["text"]


def test_endless_document_hits_the_size_cap(tmp_path: Path, httpserver: HTTPServer) -> None:
    def endless(request: Request) -> Response:
        def body():
            yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
            while True:
                yield b"<item><title>again</title></item>" * 1000

        return Response(body(), content_type="application/rss+xml")

    httpserver.expect_request("/endless").respond_with_handler(endless)
    bomb = gzip.compress(b"<rss>" + b" " * 60_000_000 + b"</rss>")
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    base = httpserver.url_for("").rstrip("/")
    config = write_config(
        tmp_path,
        [{"name": n, "url": f"{base}/{n}", "categories": ["h"]} for n in ("endless", "bomb")],
        fetch={"max_bytes": 2_000_000},
    )
    assert run_cli("run", "-c", str(config)).exit_code == 1
    status, _ = status_json("-c", str(config))
    for name in ("endless", "bomb"):
        assert "larger than 2000000 bytes" in status[name]["last_error"]


@pytest.mark.parametrize("status_code", [429, 503])
def test_busy_server_is_retried_after_what_it_asks(
    tmp_path: Path, httpserver: HTTPServer, status_code: int
) -> None:
    calls: list[float] = []

    def busy(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("busy", status=status_code, headers={"Retry-After": "1"})
        return Response(GOOD, content_type="application/rss+xml")

    httpserver.expect_request("/busy").respond_with_handler(busy)
    config = write_config(
        tmp_path, [{"name": "busy", "url": httpserver.url_for("/busy"), "categories": ["h"]}]
    )
    assert run_cli("run", "-c", str(config)).exit_code == 0
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95
