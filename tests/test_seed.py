"""The seed: the one artifact of the system we replace, run through newsmill and real Hexo."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from helpers.common import SHARED, HexoSite, run_cli, write_config
from pytest_httpserver import HTTPServer

SEED = SHARED / "seed" / "sina-finance-post.md"


def seed_parts() -> tuple[dict[str, object], str]:
    _, front, body = SEED.read_text("utf-8").split("---", 2)
    return yaml.safe_load(front), body


def seed_paragraphs(body: str) -> list[str]:
    paragraphs = re.findall(r'<p cms-style="font-L">(.*?)</p>', body, re.S)
    return [re.sub(r"<[^>]+>", "", p).strip("\u3000 ") for p in paragraphs]


def seed_feed(base: str) -> bytes:
    front, body = seed_parts()
    item_date = "Sun, 28 Nov 2021 00:07:44 GMT"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>新浪财经－国內</title><link>{base}/</link>
<description>seed</description>
<item><title>{escape(str(front["title"]))}</title>
<link>{base}/china/2021-11-28/doc-seed.shtml</link>
<guid isPermaLink="false">{base}/china/2021-11-28/doc-seed.shtml</guid>
<pubDate>{item_date}</pubDate>
<description>{escape(body)}</description></item>
</channel></rss>""".encode()


def test_seed_item_becomes_the_seed_post_done_right(
    tmp_path: Path, httpserver: HTTPServer, hexo_site: HexoSite
) -> None:
    front, body = seed_parts()
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/rss/sina").respond_with_data(
        seed_feed(base), content_type="application/rss+xml; charset=utf-8"
    )
    config = write_config(
        tmp_path,
        [
            {
                "name": "sina-finance-china",
                "url": f"{base}/rss/sina",
                "author": "新浪财经",
                "categories": ["金融", "新浪财经", "新浪财经－国內"],
            }
        ],
        publish={"hexo": {"dir": str(hexo_site.posts)}, "jsonl": {"path": "articles.jsonl"}},
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0, result.output

    posts = list(hexo_site.posts.glob("*.md"))
    assert len(posts) == 1
    text = posts[0].read_text("utf-8")
    _, written_front, written_body = text.split("---\n", 2)
    data = yaml.safe_load(written_front)

    seed_keys = ["title", "categories", "headimg", "author", "comments", "date", "thumbnail"]
    keys = list(data)
    present = [k for k in seed_keys if k in keys]
    assert keys[: len(present)] == present, "seed keys first, in the seed's order"
    assert {"link"} <= set(keys[len(present) :])
    assert data["title"] == front["title"]
    assert data["categories"] == front["categories"]
    assert data["author"] == front["author"]
    assert data["comments"] is False
    assert data["link"].endswith("/china/2021-11-28/doc-seed.shtml")
    # Written as Shanghai wall-clock time, the form Hexo with `timezone:` reads right.
    assert data["date"] == datetime(2021, 11, 28, 8, 7, 44)
    # Never the QR-code promo as the lead image.
    assert "343233024.png" not in str(data.get("headimg")) + str(data.get("thumbnail"))

    # Every article paragraph and the 来源 line, in order.
    positions = [written_body.find(p) for p in seed_paragraphs(body)]
    assert len(positions) == 5 and all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)
    assert "来源：工业和信息化部办公厅" in written_body
    assert "<style" not in written_body and "<!--" not in written_body
    assert "cms-style" not in written_body
    assert "&#123;" not in text
    # The promo, its QR image and the editor line are boilerplate, not article.
    for junk in ("appendQr", "343233024.png", "海量资讯", "责任编辑", "刘万里", "iframe"):
        assert junk not in written_body, junk

    import json

    (record,) = [
        json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()
    ]
    assert record["text"].split("\n") == seed_paragraphs(body)
    assert record["publisher"] == "工业和信息化部办公厅"
    assert record["editor"] == "刘万里"
    assert record["lead_image"] is None

    hexo_site.generate()
    pages = list(hexo_site.public.glob("2021/11/28/*/index.html"))
    assert len(pages) == 1
    page = pages[0].read_text("utf-8")
    # The same instant as the seed's pubDate, as Hexo shows it.
    published = datetime(2021, 11, 28, 0, 7, 44, tzinfo=UTC)
    assert f'datetime="{published.strftime("%Y-%m-%dT%H:%M:%S")}.000Z"' in page
    assert format_datetime(published, usegmt=True) == "Sun, 28 Nov 2021 00:07:44 GMT"
    # The body comes out of Hexo exactly as written.
    assert written_body.strip() in page
    for category in front["categories"]:  # type: ignore[union-attr]
        assert str(category) in page
