"""Hostile content through the pipeline and real Hexo: inert HTML, safe YAML, safe paths."""

from __future__ import annotations

import html
import json
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from helpers.common import HexoSite, run_cli, write_config
from pytest_httpserver import HTTPServer

TITLES = [
    """Both quotes: 'single' and "double": #1 [a] {b}""",
    "Template {{ site.title }} and {% raw %} and <% print('x') %> and {{> partial }}",
    "Line\nbreaks\r\nand\ttabs\x00NUL\u200bzero-width\u202eevil\u202c done",
    "Emoji 📰🔥 and 中文标题：冒号",
    "- leading dash: and trailing colon:",
    "x" * 10_000,
]
GUIDS = [
    "../../../etc/passwd",
    "/absolute/path",
    "CON",
    "a" * 300,
    "..",
    "nul\x00byte",
    "dup",
    "dup",
]
DATES = [
    "Fri, 28 Nov 2126 10:00:00 GMT",  # far future
    "Mon, 01 Jan 1900 00:00:00 GMT",  # before 1970
    "2026-11-28T10:00:00+08:00",  # ISO in an RSS feed
    "28/11/2026",  # odd
    "",  # missing
    "not a date",
    "Sat, 28 Nov 2026 10:00:00 +0800",
    "Sat, 28 Nov 2026 10:00:00 +0800",
]
BODY = (
    '<p onclick="steal()">Safe <b>text</b></p><script>alert(1)</script><iframe src="https://evil.example"></iframe>'
    '<object data="x.swf"></object><a href="javascript:alert(1)">js</a><a href="vbscript:x">vb</a>'
    '<img src="data:image/svg+xml;base64,PHN2Zz4=" onerror="x()"><svg><script>alert(2)</script></svg>'
    '<div style="background:url(javascript:x);width:expression(alert(3))">css</div>'
    '<meta http-equiv="refresh" content="0;url=https://evil.example"><form action="https://evil.example">'
    '<input name="q"><button>go</button></form>'
)


def hostile_feed(base: str) -> bytes:
    items = []
    for n, (guid, date) in enumerate(zip(GUIDS, DATES, strict=True)):
        title = TITLES[n % len(TITLES)]
        items.append(
            f"<item><title>{escape(title)}</title><link>{base}/a/{n}</link><guid>{escape(guid)}</guid>"
            + (f"<pubDate>{date}</pubDate>" if date else "")
            + f"<category>{escape(TITLES[1])}</category><description>{escape(BODY)}</description></item>"
        )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>h</title>{"".join(items)}</channel></rss>'.encode()


def test_hostile_items_come_out_safe(
    tmp_path: Path, httpserver: HTTPServer, hexo_site: HexoSite
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/h").respond_with_data(hostile_feed(base).replace(b"\x00", b""))
    config = write_config(
        tmp_path,
        [
            {
                "name": "h",
                "url": f"{base}/h",
                "categories": ["新闻: [特别] #1", "a'b\"c"],
                "full_text": "never",
            }
        ],
        publish={"hexo": {"dir": str(hexo_site.posts)}, "jsonl": {"path": "articles.jsonl"}},
        dedupe={"enabled": False},
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0, result.output

    records = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == len(GUIDS) - 1  # the repeated guid is one item
    for record in records:
        content = record["content_html"].lower()
        for bad in ("<script", "onclick", "onerror", "<iframe", "<object", "javascript:", "vbscript:",
                    "data:", "expression", "<svg", "<meta", "<form", "<input", "<button", "style="):  # fmt: skip
            assert bad not in content, (bad, content)
        assert "Safe" in record["text"]
        assert "\x00" not in record["title"] and "\u202e" not in record["title"]
        assert len(record["title"]) <= 1000
        assert record["published"] < "2030"  # a far-future date is not believed
    fallback = [r for r in records if r["date_is_fallback"]]
    assert len(fallback) >= 3  # missing, unparseable and future dates are flagged

    posts = sorted(hexo_site.posts.glob("*.md"))
    assert len(posts) == len(records)
    for post in posts:
        assert post.parent == hexo_site.posts and len(post.name.encode()) <= 255
        front = yaml.safe_load(post.read_text("utf-8").split("---\n", 2)[1])
        assert front["categories"] == ["新闻: [特别] #1", "a'b\"c"]
    hexo_site.generate()
    pages = [p.read_text("utf-8") for p in hexo_site.public.rglob("index.html")]
    template_title = next(r["title"] for r in records if r["title"].startswith("Template"))
    assert any(
        html.escape(template_title, quote=False) in page.replace("&#39;", "'") for page in pages
    )
    assert not any("<script>alert" in page for page in pages)
