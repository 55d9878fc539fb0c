"""Articles and helpers shared by the site, Hugo and Jekyll tests."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from helpers.common import sample_article
from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.model import Article, Source
from newsmill.publish.site import SiteWriter
from newsmill.store import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOSTILE_TITLE = (
    "Why {{ site.title }} and {% raw %} break <script>alert(1)</script> \"quotes\" & 'apostrophes'"
)
SOURCES = {
    "caijing": Source(
        "caijing", "https://a.example/feed", ("金融", "示例财经", "国内"), "示例财经"
    ),
    "techwire": Source(
        "techwire", "https://b.example/feed", ("Technology", "TechWire"), "TechWire"
    ),
    "harbor": Source("harbor", "https://c.example/feed", ("World", "Harbor Daily", "Ports"), ""),
}


def make(
    guid: str,
    title: str,
    source: str = "caijing",
    when: datetime = datetime(2026, 11, 28, 0, 7, 44, tzinfo=UTC),
    text: str = "",
    **changes: object,
) -> Article:
    text = text or f"{title}。正文第一段。"
    fields: dict[str, object] = {
        "source": source,
        "url": f"https://news.example/{source}/{guid}.html",
        "canonical_url": f"https://news.example/{source}/{guid}.html",
        "author": "记者 张三" if source == "caijing" else "Reporter",
        "categories": list(SOURCES[source].categories),
        "tags": [],
        "published": when,
        "fetched": when,
        "content_html": "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n")),
        "text": text,
        "summary": text[:80],
        "language": "zh" if source == "caijing" else "en",
        "content_hash": f"h-{guid}-{title}",
    }
    return sample_article(guid, title, **(fields | changes))


def corpus(count: int, start: datetime = datetime(2026, 10, 1, tzinfo=UTC)) -> list[Article]:
    """`count` articles over three sources, oldest first, Chinese and English."""
    zh = ["央行", "利率", "港口", "集装箱", "地铁", "新能源", "芯片", "消费券"]
    en = ["inflation", "harbor", "strike", "coral", "battery", "election", "tariff", "storm"]
    out = []
    for i in range(count):
        source = ("caijing", "techwire", "harbor")[i % 3]
        words = zh if source == "caijing" else en
        w1, w2 = words[i % len(words)], words[(i * 3 + 1) % len(words)]
        if source == "caijing":
            title, text = f"{w1}新闻第{i}号", f"关于{w1}和{w2}的报道，第{i}篇。\n记者调查了{w2}。"
        else:
            title, text = (
                f"Report {i} on {w1}",
                f"A story about {w1} and {w2}, number {i}.\nMore on {w2}.",
            )
        out.append(
            make(
                f"g{i}", title, source, start + timedelta(hours=7 * i), text,
                tags=[w1], lead_image=f"https://img.example/{i}.jpg",
            )
        )  # fmt: skip
    return out


def site_writer(folder: Path, **options: object) -> SiteWriter:
    opts = SiteOutputConfig(dir=folder, **options)  # type: ignore[arg-type]
    site = SiteConfig(title="测试站", timezone="Asia/Shanghai", language="zh-CN")
    return SiteWriter(opts, site, SOURCES)


def store_with(path: Path, articles: list[Article]) -> Store:
    store = Store(f"sqlite:///{path}")
    by_source: dict[str, list[Article]] = {}
    for article in articles:
        by_source.setdefault(article.source, []).append(article)
    for source, batch in by_source.items():
        store.upsert_articles(source, batch)
    return store


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folder` with its mtime and bytes."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file()
    }
