"""Feed parsing: formats, every item, dates, encodings, and the shared real feeds."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest
from helpers.common import SHARED

from newsmill.parse import FeedError, parse_feed

FEEDS = SHARED / "data" / "feeds"


def rss(items: str, encoding: str = "utf-8", extra_ns: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:media="http://search.yahoo.com/mrss/" {extra_ns}><channel><title>T</title>'
        f"<link>https://news.example/</link><ttl>30</ttl>{items}</channel></rss>"
    )


def test_every_item_is_taken_not_just_fifteen() -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/{i}</link></item>"
        for i in range(40)
    )
    parsed = parse_feed(rss(items).encode(), base_url="https://news.example/feed")
    assert [e.title for e in parsed.entries] == [f"Item {i}" for i in range(40)]
    assert parsed.ttl_minutes == 30


def test_rss_fields_content_summary_media_and_dates() -> None:
    item = """<item><title>A &amp; B: "quoted"</title><link>/a?id=1</link>
    <guid isPermaLink="false">guid-a</guid><author>ed@news.example (Ed)</author>
    <pubDate>Sun, 28 Nov 2021 00:07:44 +0800</pubDate>
    <description>Short summary…</description>
    <content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>
    <category>金融</category><category>宏观</category>
    <media:thumbnail url="https://img.news.example/t.jpg"/>
    <enclosure url="https://img.news.example/e.jpg" type="image/jpeg" length="100"/></item>
    <item><title>Summary only</title><link>https://news.example/b</link>
    <description>&lt;p&gt;Just a teaser… 阅读全文&lt;/p&gt;</description><pubDate>not a date</pubDate></item>"""
    a, b = parse_feed(rss(item).encode(), base_url="https://news.example/feed").entries
    assert a.guid == "guid-a" and a.link == "https://news.example/a?id=1"
    assert a.title == 'A & B: "quoted"'
    assert a.published == datetime(2021, 11, 27, 16, 7, 44, tzinfo=UTC)
    assert a.content_html == "<p>Full <b>text</b></p>" and a.summary_html == "Short summary…"
    assert a.categories == ["金融", "宏观"]
    assert a.thumbnails == ["https://img.news.example/t.jpg"]
    assert a.enclosures[0].url == "https://img.news.example/e.jpg"
    assert b.content_html == "" and "teaser" in b.summary_html
    assert b.published is None  # the pipeline falls back to fetch time and flags it
    assert b.guid == "https://news.example/b"


def test_atom_and_json_feed() -> None:
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <title>Atom</title><id>urn:x</id><updated>2026-11-28T10:00:00Z</updated>
    <entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; title</title><id>urn:e1</id>
    <link rel="alternate" href="https://news.example/e1"/><published>2026-11-28T09:00:00+08:00</published>
    <updated>2026-11-28T10:00:00Z</updated><author><name>Ann</name></author>
    <summary>Sum</summary><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"""
    (entry,) = parse_feed(atom.encode(), base_url="https://news.example/atom").entries
    assert entry.title == "Bold title" and entry.guid == "urn:e1" and entry.author == "Ann"
    assert entry.published == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert entry.updated == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert entry.content_html == "<p>Body</p>" and entry.summary_html == "Sum"

    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": "j1",
                "url": "https://news.example/j1",
                "title": "JSON 标题",
                "content_html": "<p>内容</p>",
                "date_published": "2026-11-28T08:00:00+08:00",
                "image": "https://img.news.example/j1.png",
                "tags": ["a", "b"],
                "authors": [{"name": "Jo"}],
            }
        ],
    }
    parsed = parse_feed(
        json.dumps(feed, ensure_ascii=False).encode(), base_url="https://news.example/j"
    )
    (item,) = parsed.entries
    assert item.title == "JSON 标题" and item.content_html == "<p>内容</p>" and item.guid == "j1"
    assert item.published == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert item.categories == ["a", "b"]


# A character outside GB2312 (the 镕 of 朱镕基), as real "gb2312" feeds carry.
CHINESE_TITLE = "朱镕基 𠀀 旧闻重读：“专精特新”企业"


@pytest.mark.parametrize(
    ("declared", "codec", "content_type"),
    [
        ("gb2312", "gb18030", "application/xml"),
        ("gbk", "gbk", "text/xml; charset=gbk"),
        ("gb18030", "gb18030", ""),
        ("utf-8", "gb18030", "application/rss+xml; charset=utf-8"),  # a lying header
    ],
)
def test_chinese_encodings_decode_without_loss(
    declared: str, codec: str, content_type: str
) -> None:
    title = CHINESE_TITLE if codec == "gb18030" else CHINESE_TITLE.replace(" 𠀀", "")
    body = rss(f"<item><title>{title}</title><link>https://n.example/1</link></item>", declared)
    (entry,) = parse_feed(
        body.encode(codec), base_url="https://n.example/", content_type=content_type
    ).entries
    assert entry.title == title


def test_big5_and_bom() -> None:
    title = "臺灣新聞：颱風過境"
    body = rss(f"<item><title>{title}</title><link>https://n.example/1</link></item>", "big5")
    assert parse_feed(body.encode("big5"), base_url="https://n.example/").entries[0].title == title
    body = rss(f"<item><title>{title}</title><link>https://n.example/1</link></item>", "gbk")
    with_bom = b"\xef\xbb\xbf" + body.encode("utf-8")  # the BOM beats the declaration
    assert parse_feed(with_bom, base_url="https://n.example/").entries[0].title == title


def test_not_a_feed() -> None:
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(b"<!DOCTYPE html><html><body>hi</body></html>", base_url="https://x.example/")
    with pytest.raises(FeedError):
        parse_feed(b"\x00\x01garbage bytes \xff\xfe", base_url="https://x.example/")
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  ", base_url="https://x.example/")


def test_real_feeds_lose_no_item() -> None:
    """Every one of the 280 shared real feeds yields at least as many items as the
    better of feedparser and fastfeedparser found in them."""
    rows = list(csv.DictReader((FEEDS / "manifest.csv").open(encoding="utf-8")))
    assert len(rows) == 280
    short = []
    for row in rows:
        parsed = parse_feed((FEEDS / row["file"]).read_bytes(), base_url="https://example.com/feed")
        expected = max(int(row["items_feedparser"] or 0), int(row["items_fastfeedparser"] or 0))
        if len(parsed.entries) < expected:
            short.append((row["file"], len(parsed.entries), expected))
        assert not any("\ufffd" in e.title for e in parsed.entries), row["file"]
    assert short == []


def test_items_without_guid_or_link_are_told_apart_by_their_content() -> None:
    """Such items once all took the feed's URL as their link and identity, and a feed
    of a thousand of them was stored as one article."""
    items = "".join(
        f"<item><title>Game {i % 3}</title><pubDate>Wed, 0{1 + i // 3} Mar 2023 16:18:35 GMT</pubDate>"
        f"<description>Status {i % 2}</description></item>"
        for i in range(6)
    )
    repeated = "<item><title>Game 0</title><pubDate>Wed, 01 Mar 2023 16:18:35 GMT</pubDate><description>Status 0</description></item>"
    parsed = parse_feed(rss(items + repeated).encode(), base_url="https://news.example/feed")
    assert [e.link for e in parsed.entries] == [""] * 7  # no link of their own
    guids = [e.guid for e in parsed.entries]
    assert len(set(guids[:6])) == 6  # title, date or text differ: distinct items
    assert guids[6] == guids[0]  # the same title, date and text: the same item
    assert all(g.startswith("newsmill:") for g in guids)


def test_a_guid_is_an_item_even_when_links_are_shared() -> None:
    items = "".join(
        f"<item><title>Episode {i}</title><link>https://show.example/</link>"
        f"<guid>https://show.example/ep{i}.mp3</guid></item>"
        for i in range(3)
    )
    parsed = parse_feed(rss(items).encode(), base_url="https://show.example/feed")
    assert [e.guid for e in parsed.entries] == [f"https://show.example/ep{i}.mp3" for i in range(3)]


def test_a_feed_cut_short_says_so_and_keeps_what_was_read() -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/{i}</link>"
        f"<description><![CDATA[<p>Text {i}</p>]]></description></item>"
        for i in range(5)
    )
    whole = rss(items).encode()
    assert parse_feed(whole, base_url="https://news.example/feed").damage is None
    cut = whole[: whole.index(b"<item><title>Item 3")] + b"<item><title>Item 3</title><li"
    parsed = parse_feed(cut, base_url="https://news.example/feed")
    assert [e.title for e in parsed.entries][:3] == ["Item 0", "Item 1", "Item 2"]
    assert parsed.damage and parsed.damage.startswith("cut short")
    header_only = whole[: whole.index(b"<item>")]  # a feed cut before its first item
    nothing = parse_feed(header_only, base_url="https://news.example/feed")
    assert nothing.entries == [] and "cut short" in (nothing.damage or "")


def test_items_lost_to_broken_xml_are_counted() -> None:
    """A recovering parser reads what it can of broken XML and is silent about the rest:
    here the item after an unclosed element is lost."""
    good = "<item><title>Fine</title><link>https://news.example/1</link></item>"
    broken = "<item><title>A</title><link>https://news.example/2</link><description>x</item>"
    parsed = parse_feed(
        rss(good + broken + good.replace("/1", "/3")).encode(), base_url="https://news.example/feed"
    )
    assert len(parsed.entries) == 2
    assert parsed.damage == "broken XML: 2 of 3 items could be read"


def test_the_declared_language_of_feed_and_item_reaches_every_entry() -> None:
    german = rss("<item><title>Hallo</title><link>https://news.example/1</link></item>").replace(
        "<ttl>30</ttl>", "<ttl>30</ttl><language>de-DE</language>"
    )
    (entry,) = parse_feed(german.encode(), base_url="https://news.example/feed").entries
    assert entry.language == "de-DE"
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">'
        "<title>T</title><id>f</id>"
        '<entry><title>A</title><id>a</id><link href="https://news.example/a"/><content type="html">x</content></entry>'
        '<entry xml:lang="uk"><title>B</title><id>b</id><link href="https://news.example/b"/><content type="html">y</content></entry>'
        "</feed>"
    )
    parsed = parse_feed(atom.encode(), base_url="https://news.example/feed")
    assert parsed.language == "ru" and [e.language for e in parsed.entries] == ["ru", "uk"]
    jsonfeed = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "T", "language": "pt-PT",
        "items": [{"id": "1", "url": "https://news.example/1", "title": "Olá", "content_text": "Bom dia"}],
    })  # fmt: skip
    (item,) = parse_feed(jsonfeed.encode(), base_url="https://news.example/feed").entries
    assert item.language == "pt-PT"
    undeclared = rss(
        "<item><title>x</title><link>https://news.example/1</link><description>&lt;language&gt;fr&lt;/language&gt;</description></item>"
    )
    assert (
        parse_feed(undeclared.encode(), base_url="https://news.example/feed").entries[0].language
        is None
    )
