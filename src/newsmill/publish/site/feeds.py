"""Feeds out (Atom, RSS 2.0, JSON Feed) and the sitemap, from articles' fields.

Atom and RSS are built with lxml, so every document is well-formed whatever a
title holds; characters XML 1.0 cannot carry are dropped first. Dates come
from the articles, never from the clock, so a build with nothing new writes
byte-identical feeds and leaves them alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SITEMAP_LIMIT = 50_000


def xml_text(value: str) -> str:
    """The text without the characters XML 1.0 forbids (control characters, lone surrogates)."""
    return _NOT_XML.sub("", value)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """What one feed item shows; kept for the newest articles of each feed only."""

    id: str
    title: str
    link: str  # absolute URL of the article's page on the site
    original: str
    published: datetime
    updated: datetime | None
    author: str
    summary: str
    content_html: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    image: str | None
    key: str

    @property
    def modified(self) -> datetime:
        return self.updated or self.published


@dataclass(frozen=True)
class FeedInfo:
    title: str
    home: str  # absolute URL of the page the feed follows
    self_url: str  # absolute URL of the feed itself (per format, the caller picks)
    language: str
    id: str


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def atom(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    a = f"{{{ATOM}}}"
    feed = etree.Element(a + "feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", info.language)
    _sub(feed, a + "title", info.title)
    _sub(feed, a + "id", info.id)
    newest = max((e.modified for e in entries), default=_EPOCH)
    _sub(feed, a + "updated", _rfc3339(newest))
    _sub(feed, a + "link", rel="self", href=info.self_url, type="application/atom+xml")
    _sub(feed, a + "link", rel="alternate", href=info.home, type="text/html")
    _sub(feed, a + "generator", "newsmill")
    for e in entries:
        entry = _sub(feed, a + "entry")
        _sub(entry, a + "title", e.title)
        _sub(entry, a + "id", f"urn:newsmill:article:{e.id}")
        _sub(entry, a + "link", rel="alternate", href=e.link, type="text/html")
        if e.original:
            _sub(entry, a + "link", rel="related", href=e.original, type="text/html")
        _sub(entry, a + "published", _rfc3339(e.published))
        _sub(entry, a + "updated", _rfc3339(e.modified))
        if e.author:
            _sub(_sub(entry, a + "author"), a + "name", e.author)
        for term in (*e.categories, *e.tags):
            _sub(entry, a + "category", term=term)
        if e.summary:
            _sub(entry, a + "summary", e.summary)
        _sub(entry, a + "content", e.content_html, type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def rss(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    root = etree.Element("rss", nsmap={"atom": ATOM, "content": CONTENT, "dc": DC})
    root.set("version", "2.0")
    channel = _sub(root, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", info.home)
    _sub(channel, "description", info.title)
    _sub(channel, "language", info.language)
    newest = max((e.modified for e in entries), default=_EPOCH)
    _sub(channel, "lastBuildDate", format_datetime(newest.astimezone(UTC), usegmt=True))
    _sub(channel, "generator", "newsmill")
    _sub(channel, f"{{{ATOM}}}link", href=info.self_url, rel="self", type="application/rss+xml")
    for e in entries:
        item = _sub(channel, "item")
        _sub(item, "title", e.title)
        _sub(item, "link", e.link)
        _sub(item, "guid", f"urn:newsmill:article:{e.id}", isPermaLink="false")
        _sub(item, "pubDate", format_datetime(e.published.astimezone(UTC), usegmt=True))
        if e.author:
            _sub(item, f"{{{DC}}}creator", e.author)
        for term in e.categories:
            _sub(item, "category", term)
        _sub(item, "description", e.summary)
        _sub(item, f"{{{CONTENT}}}encoded", e.content_html)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def json_feed(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    items = []
    for e in entries:
        item: dict[str, object] = {
            "id": f"urn:newsmill:article:{e.id}",
            "url": e.link,
            "title": e.title,
            "content_html": e.content_html,
            "summary": e.summary,
            "date_published": _rfc3339(e.published),
            "date_modified": _rfc3339(e.modified),
        }
        if e.original:
            item["external_url"] = e.original
        if e.image:
            item["image"] = e.image
        if e.author:
            item["authors"] = [{"name": e.author}]
        if e.tags or e.categories:
            item["tags"] = list(dict.fromkeys((*e.categories, *e.tags)))
        items.append(item)
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.home,
        "feed_url": info.self_url,
        "language": info.language,
        "items": items,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def sitemaps(urls: Sequence[tuple[str, str | None]], index_url: str) -> list[tuple[str, bytes]]:
    """`sitemap.xml`, or an index of `sitemap-N.xml` files past 50,000 URLs.

    `urls` are (absolute URL, lastmod date or None); `index_url(n)` is formatted
    from `index_url` with the file name appended.
    """

    def urlset(chunk: Sequence[tuple[str, str | None]]) -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        for loc, lastmod in chunk:
            mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
            lines.append(f"<url><loc>{escape(loc)}</loc>{mod}</url>")
        lines.append("</urlset>\n")
        return "\n".join(lines).encode("utf-8")

    if len(urls) <= SITEMAP_LIMIT:
        return [("sitemap.xml", urlset(urls))]
    files = []
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for n, start in enumerate(range(0, len(urls), SITEMAP_LIMIT), 1):
        name = f"sitemap-{n}.xml"
        files.append((name, urlset(urls[start : start + SITEMAP_LIMIT])))
        lines.append(f"<sitemap><loc>{escape(index_url + name)}</loc></sitemap>")
    lines.append("</sitemapindex>\n")
    files.append(("sitemap.xml", "\n".join(lines).encode("utf-8")))
    return files
