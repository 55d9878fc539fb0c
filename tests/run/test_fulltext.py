"""Full text for teaser feeds, end to end on loopback: pages, robots.txt, failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers.common import DATA, run_cli, status_json, write_config
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TEASERS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>江州港冬季航线加密</title><link>{base}/china/doc-port.shtml</link><guid>port</guid>
<description>江州港集团宣布加密冬季外贸航线……阅读全文</description></item>
<item><title>City opens night bus network</title><link>{base}/city/night-bus</link><guid>bus</guid>
<description>The city's first overnight bus network starts on Monday. Read more</description></item>
<item><title>Blocked page</title><link>{base}/private/secret</link><guid>secret</guid>
<description>Teaser of a page robots.txt forbids…</description></item>
<item><title>Broken page</title><link>{base}/broken</link><guid>broken</guid>
<description>Teaser of a page that fails…</description></item>
</channel></rss>"""


def serve(httpserver: HTTPServer, hits: list[str]) -> str:
    base = httpserver.url_for("").rstrip("/")

    def record(body: bytes, status: int = 200, content_type: str = "text/html"):
        def handler(request: Request) -> Response:
            hits.append(request.path)
            return Response(body, status=status, content_type=content_type)

        return handler

    httpserver.expect_request("/feed").respond_with_handler(
        record(TEASERS.format(base=base).encode(), content_type="application/rss+xml")
    )
    httpserver.expect_request("/robots.txt").respond_with_handler(
        record(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    )
    httpserver.expect_request("/china/doc-port.shtml").respond_with_handler(
        record((DATA / "pages" / "sina-gbk.html").read_bytes())
    )
    httpserver.expect_request("/city/night-bus").respond_with_handler(
        record((DATA / "pages" / "harbor-en.html").read_bytes())
    )
    httpserver.expect_request("/private/secret").respond_with_handler(record(b"<p>secret</p>"))
    httpserver.expect_request("/broken").respond_with_handler(record(b"", status=404))
    return base


def test_teasers_become_full_articles(tmp_path: Path, httpserver: HTTPServer) -> None:
    hits: list[str] = []
    base = serve(httpserver, hits)
    config = write_config(
        tmp_path, [{"name": "teasers", "url": f"{base}/feed", "categories": ["a", "b"]}]
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0, result.output  # failed pages do not fail the source

    records = {
        r["guid"]: r
        for r in map(json.loads, (tmp_path / "articles.jsonl").read_text("utf-8").splitlines())
    }
    assert set(records) == {"port", "bus", "secret", "broken"}
    port = records["port"]
    assert port["text"].startswith("11月26日，江州港集团宣布") and "500万标准箱" in port["text"]
    assert port["editor"] == "王小明" and "责任编辑" not in port["text"]
    assert port["lead_image"] == "https://n.sinaimg.example/finance/2026/port-lead.jpg"
    assert records["bus"]["author"] == "Maya Okafor" and "twelve months" in records["bus"]["text"]
    # robots.txt said no, and the broken page failed: the feed's teaser stays.
    assert "/private/secret" not in hits and "robots.txt forbids" in records["secret"]["text"]
    assert "fails" in records["broken"]["text"]

    # A second run neither refetches stored pages nor overwrites them with teasers.
    hits.clear()
    again = run_cli("run", "--all", "-c", str(config))
    assert again.exit_code == 0
    assert "/china/doc-port.shtml" not in hits and "/city/night-bus" not in hits
    after = {
        r["guid"]: r
        for r in map(json.loads, (tmp_path / "articles.jsonl").read_text("utf-8").splitlines())
    }
    assert after["port"]["text"] == port["text"]


def test_never_policy_keeps_the_feed_text(tmp_path: Path, httpserver: HTTPServer) -> None:
    hits: list[str] = []
    base = serve(httpserver, hits)
    config = write_config(
        tmp_path, [{"name": "t", "url": f"{base}/feed", "categories": ["a"], "full_text": "never"}]
    )
    assert run_cli("run", "-c", str(config)).exit_code == 0
    assert hits == ["/feed"]


def test_an_unreadable_robots_txt_is_said_once_with_its_reason(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """RFC 9309: a robots.txt that cannot be read (a server error) disallows the site's
    pages for now. That is said once per site per run, as what it is, not as a
    disallow per article, and `status` shows it on each source it held back."""
    base = httpserver.url_for("").rstrip("/")
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/story/{n}</link><guid>s{n}</guid>"
        f"<description>Teaser {n}. Read more</description></item>"
        for n in range(8)
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    for name in ("one", "two"):
        httpserver.expect_request(f"/{name}").respond_with_data(
            feed, content_type="application/rss+xml"
        )
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=503)
    sources = [
        {"name": name, "url": f"{base}/{name}", "categories": ["a"], "full_text": "always"}
        for name in ("one", "two")
    ]
    config = write_config(tmp_path, sources, fetch={"retries": 0})
    done = subprocess.run(
        [sys.executable, "-m", "newsmill", "run", "-c", str(config)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "robots.txt" in line]
    host = base.removeprefix("http://")
    assert len(said) == 1, said
    assert f"robots.txt of {host} could not be read (HTTP 503)" in said[0]
    assert "disallows" not in done.stderr
    rows, _ = status_json("-c", str(config))
    for name in ("one", "two"):
        assert rows[name]["last_warning"] == (
            f"8 article pages not fetched: robots.txt of {host} could not be read (HTTP 503)"
        )
    assert rows["one"]["articles"] == 8  # the feeds' teasers are kept
