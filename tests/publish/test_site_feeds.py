"""The site's feeds are written as text: they must be what lxml would have written."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser
from lxml import etree

from newsmill.publish.site.feeds import (
    FeedEntry,
    FeedInfo,
    Fragments,
    atom,
    json_feed,
    rss,
    xml_text,
)

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- the reference: the lxml writers the text ones replaced --------------------------------


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def lxml_atom(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    a = f"{{{ATOM}}}"
    feed = etree.Element(a + "feed", nsmap={None: ATOM})
    if info.language:
        feed.set(XML_LANG, info.language)
    _sub(feed, a + "title", info.title)
    _sub(feed, a + "id", info.id)
    _sub(feed, a + "updated", _rfc3339(max((e.modified for e in entries), default=EPOCH)))
    _sub(feed, a + "link", rel="self", href=info.self_url, type="application/atom+xml")
    _sub(feed, a + "link", rel="alternate", href=info.home, type="text/html")
    _sub(feed, a + "generator", "newsmill")
    for e in entries:
        entry = _sub(feed, a + "entry", **({XML_LANG: e.language} if e.language else {}))
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


def lxml_rss(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    root = etree.Element("rss", nsmap={"atom": ATOM, "content": CONTENT, "dc": DC})
    root.set("version", "2.0")
    channel = _sub(root, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", info.home)
    _sub(channel, "description", info.title)
    if info.language:
        _sub(channel, "language", info.language)
    newest = max((e.modified for e in entries), default=EPOCH)
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
        if e.language:
            _sub(item, f"{{{DC}}}language", e.language)
        for term in e.categories:
            _sub(item, "category", term)
        _sub(item, "description", e.summary)
        _sub(item, f"{{{CONTENT}}}encoded", e.content_html)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


# -- the comparison ----------------------------------------------------------------------

AWKWARD = ["", "plain", "a & b < c > d", 'quote " and \' apostrophe', "tab\tline\nreturn\r",
           "控制\x00\x01\x08字符\x1f", "lone \ud800 surrogate", "<p>html &amp; <b>bold</b></p>",
           "emoji 😀 and 中文", "]]> end", "\u2028\ufffe\uffff"]  # fmt: skip


def entries(rnd: random.Random, count: int) -> list[FeedEntry]:
    def pick() -> str:
        return "".join(rnd.choice(AWKWARD) for _ in range(rnd.randint(0, 3)))

    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        published = start + timedelta(hours=i * 7, seconds=rnd.randint(0, 59))
        out.append(FeedEntry(
            id=f"{i:016x}", title=pick(), link=f"https://x.example/a/{i}.html?a=1&b={pick()}",
            original=rnd.choice(["", f"https://o.example/{i}?q=\"{pick()}\""]),
            published=published, updated=rnd.choice([None, published + timedelta(hours=2)]),
            author=pick(), summary=pick(), content_html=pick(),
            categories=tuple(pick() for _ in range(rnd.randint(0, 3))),
            tags=tuple(pick() for _ in range(rnd.randint(0, 2))),
            image=rnd.choice([None, "https://img.example/x.jpg"]), key=str(i),
            language=rnd.choice([None, "de", "ur", "zh-CN", 'x"&<y']),
        ))  # fmt: skip
    return out


def test_text_feeds_are_what_lxml_writes() -> None:
    rnd = random.Random(5)
    for n in range(60):
        cache = Fragments()  # entries are cached by id: one per build, one per feed here
        info = FeedInfo(
            title=rnd.choice(AWKWARD), home=f"https://x.example/{n}/index.html",
            self_url=f"https://x.example/{n}/atom.xml?x=\"{n}\"&y", language=rnd.choice([None, "zh-CN", "en"]),
            id=f"urn:newsmill:feed:{n}",
        )  # fmt: skip
        feed = entries(rnd, rnd.randint(0, 6))
        assert atom(info, feed, cache) == lxml_atom(info, feed), n
        assert rss(info, feed, cache) == lxml_rss(info, feed), n
        data = json.loads(json_feed(info, feed, cache))
        assert [i["id"] for i in data["items"]] == [f"urn:newsmill:article:{e.id}" for e in feed]
        assert [i.get("language") for i in data["items"]] == [e.language for e in feed]
        assert data.get("language") == info.language
        assert not feedparser.parse(atom(info, feed)).bozo
        # cached entries come out the same in another feed
        assert atom(info, feed[1:], cache) == lxml_atom(info, feed[1:])
