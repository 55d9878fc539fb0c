"""Feeds out (Atom, RSS 2.0, JSON Feed) and the sitemap, from articles' fields.

Every category folder has its three feeds, and an article is in up to four of
them (the site's and one per category level), so each entry is rendered once
per format and kept (`Fragments`); a feed is then its head and the entries
joined. Atom and RSS are written as text, escaped the way lxml escapes them
(a test compares with lxml's output); characters XML 1.0 cannot carry are
dropped first. Dates come from the articles, never from the clock, so a
build with nothing new writes byte-identical feeds and leaves them alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from newsmill.dates import as_utc

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')
_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
    "\n": "&#10;", "\r": "&#13;", "\t": "&#9;",
}  # fmt: skip
SITEMAP_LIMIT = 50_000
_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def xml_text(value: str) -> str:
    """The text without the characters XML 1.0 forbids (control characters, lone surrogates)."""
    return _NOT_XML.sub("", value)


def _escaped(value: str, special: re.Pattern[str]) -> str:
    value = xml_text(value)
    if special.search(value) is None:
        return value
    return special.sub(lambda m: _ESCAPES[m.group()], value)


def text(value: str) -> str:
    """Element text as lxml writes it."""
    return _escaped(value, _TEXT_SPECIAL)


def attr(value: str) -> str:
    """An attribute value (in double quotes) as lxml writes it."""
    return _escaped(value, _ATTR_SPECIAL)


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
    language: str | None = None

    @property
    def modified(self) -> datetime:
        return self.updated or self.published


@dataclass(frozen=True, slots=True)
class KeptEntry:
    """An entry the feeds of the last build hold already: its text is taken from them
    (`Fragments.keep`), so its article is not read again."""

    id: str
    modified: datetime


Entry = FeedEntry | KeptEntry


@dataclass(frozen=True)
class FeedInfo:
    title: str
    home: str  # absolute URL of the page the feed follows
    self_url: str  # absolute URL of the feed itself (per format, the caller picks)
    # The feed's one language, if it has one; entries name their own (a site's feeds
    # mix languages, and a feed saying zh-CN of German items misleads its readers).
    language: str | None
    id: str


def _xml_lang(language: str | None) -> str:
    return f' xml:lang="{attr(language)}"' if language else ""


def _rfc3339(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def _rfc822(moment: datetime) -> str:
    return format_datetime(as_utc(moment), usegmt=True)


class Fragments:
    """Each entry rendered once per format, however many feeds it is in; or taken from
    the feeds the last build wrote, when its article has not changed since."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], str] = {}
        self._content: dict[str, str] = {}

    def get(self, kind: str, entry: Entry, render: Callable[[FeedEntry], str]) -> str:
        key = (kind, entry.id)
        found = self._done.get(key)
        if found is None:
            assert isinstance(entry, FeedEntry), f"no text kept for entry {entry.id}"
            found = self._done[key] = render(entry)
        return found

    def keep(self, kind: str, article_id: str, fragment: str) -> None:
        self._done.setdefault((kind, article_id), fragment)

    def has(self, kind: str, article_id: str) -> bool:
        return (kind, article_id) in self._done

    def text(self, kind: str, article_id: str) -> str:
        return self._done[(kind, article_id)]

    def content(self, entry: FeedEntry) -> str:
        """The escaped HTML content, which Atom and RSS both carry."""
        found = self._content.get(entry.id)
        if found is None:
            found = self._content[entry.id] = text(entry.content_html)
        return found


def atom(info: FeedInfo, entries: Sequence[Entry], cache: Fragments | None = None) -> bytes:
    cache = cache or Fragments()
    newest = max((e.modified for e in entries), default=_EPOCH)
    head = (
        f'{_DECLARATION}<feed xmlns="{ATOM}"{_xml_lang(info.language)}>\n'
        f"  <title>{text(info.title)}</title>\n"
        f"  <id>{text(info.id)}</id>\n"
        f"  <updated>{_rfc3339(newest)}</updated>\n"
        f'  <link rel="self" href="{attr(info.self_url)}" type="application/atom+xml"/>\n'
        f'  <link rel="alternate" href="{attr(info.home)}" type="text/html"/>\n'
        "  <generator>newsmill</generator>\n"
    )
    render = _atom_entry(cache)
    body = "".join(cache.get("atom", e, render) for e in entries)
    return (head + body + "</feed>\n").encode("utf-8")


def _atom_entry(cache: Fragments) -> Callable[[FeedEntry], str]:
    def entry(e: FeedEntry) -> str:
        parts = [
            f"  <entry{_xml_lang(e.language)}>\n",
            f"    <title>{text(e.title)}</title>\n",
            f"    <id>urn:newsmill:article:{text(e.id)}</id>\n",
            f'    <link rel="alternate" href="{attr(e.link)}" type="text/html"/>\n',
        ]
        if e.original:
            parts.append(f'    <link rel="related" href="{attr(e.original)}" type="text/html"/>\n')
        parts.append(f"    <published>{_rfc3339(e.published)}</published>\n")
        parts.append(f"    <updated>{_rfc3339(e.modified)}</updated>\n")
        if e.author:
            parts.append(f"    <author>\n      <name>{text(e.author)}</name>\n    </author>\n")
        parts += [f'    <category term="{attr(term)}"/>\n' for term in (*e.categories, *e.tags)]
        if e.summary:
            parts.append(f"    <summary>{text(e.summary)}</summary>\n")
        parts.append(f'    <content type="html">{cache.content(e)}</content>\n  </entry>\n')
        return "".join(parts)

    return entry


def rss(info: FeedInfo, entries: Sequence[Entry], cache: Fragments | None = None) -> bytes:
    cache = cache or Fragments()
    newest = max((e.modified for e in entries), default=_EPOCH)
    head = (
        f'{_DECLARATION}<rss xmlns:atom="{ATOM}" xmlns:content="{CONTENT}" xmlns:dc="{DC}"'
        ' version="2.0">\n  <channel>\n'
        f"    <title>{text(info.title)}</title>\n"
        f"    <link>{text(info.home)}</link>\n"
        f"    <description>{text(info.title)}</description>\n"
        + (f"    <language>{text(info.language)}</language>\n" if info.language else "")
        + f"    <lastBuildDate>{_rfc822(newest)}</lastBuildDate>\n"
        "    <generator>newsmill</generator>\n"
        f'    <atom:link href="{attr(info.self_url)}" rel="self" type="application/rss+xml"/>\n'
    )
    render = _rss_item(cache)
    body = "".join(cache.get("rss", e, render) for e in entries)
    return (head + body + "  </channel>\n</rss>\n").encode("utf-8")


def _rss_item(cache: Fragments) -> Callable[[FeedEntry], str]:
    def item(e: FeedEntry) -> str:
        parts = [
            "    <item>\n",
            f"      <title>{text(e.title)}</title>\n",
            f"      <link>{text(e.link)}</link>\n",
            f'      <guid isPermaLink="false">urn:newsmill:article:{text(e.id)}</guid>\n',
            f"      <pubDate>{_rfc822(e.published)}</pubDate>\n",
        ]
        if e.author:
            parts.append(f"      <dc:creator>{text(e.author)}</dc:creator>\n")
        if e.language:
            parts.append(f"      <dc:language>{text(e.language)}</dc:language>\n")
        parts += [f"      <category>{text(term)}</category>\n" for term in e.categories]
        parts.append(_element("      ", "description", text(e.summary)))
        parts.append(_element("      ", "content:encoded", cache.content(e)))
        parts.append("    </item>\n")
        return "".join(parts)

    return item


def _element(indent: str, name: str, escaped: str) -> str:
    """An element that is always written, empty or not (lxml: `<name></name>`)."""
    return f"{indent}<{name}>{escaped}</{name}>\n"


def json_feed(info: FeedInfo, entries: Sequence[Entry], cache: Fragments | None = None) -> bytes:
    """JSON Feed 1.1: one line per item, each encoded once however many feeds it is in."""
    cache = cache or Fragments()
    head = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.home,
        "feed_url": info.self_url,
    }
    if info.language:
        head["language"] = info.language
    items = ",\n".join(cache.get("json", e, _json_item) for e in entries)
    opening = _json(head)[:-1]
    # A lone surrogate cannot be UTF-8; written as `\udXXX` it is a JSON escape.
    return f'{opening},"items":[\n{items}\n]}}\n'.encode("utf-8", "backslashreplace")


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json_item(e: FeedEntry) -> str:
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
    if e.language:
        item["language"] = e.language
    return _json(item)


# -- reading back what the last build wrote ------------------------------------------------

_ATOM_ID = re.compile(r"\n    <id>urn:newsmill:article:([^<]*)</id>\n")
_ATOM_UPDATED = re.compile(r"\n    <updated>([^<]*)</updated>\n")
_RSS_ID = re.compile(r'\n      <guid isPermaLink="false">urn:newsmill:article:([^<]*)</guid>\n')
_JSON_ID = re.compile(r'\{"id":"urn:newsmill:article:([^"\\]*)"')


def _split(text: str, opening: str, closing: str, ids: re.Pattern[str]) -> dict[str, str]:
    out = {}
    for part in text.split(opening)[1:]:
        end = part.find(closing)
        found = ids.search(part, 0, end)
        if end < 0 or found is None:
            return {}  # not a feed this module wrote: keep nothing
        out[found.group(1)] = opening + part[: end + len(closing)]
    return out


def kept_entries(kind: str, data: bytes) -> dict[str, str]:
    """{article id: its entry's text} of a feed file written by `atom`, `rss` or
    `json_feed`; empty for anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    if kind == "atom":  # "  <entry>" or "  <entry xml:lang=...>"
        return _split(text, "  <entry", "  </entry>\n", _ATOM_ID)
    if kind == "rss":
        return _split(text, "    <item>\n", "    </item>\n", _RSS_ID)
    out = {}
    for line in text.split("\n")[1:-2]:
        found = _JSON_ID.match(line)
        if found is None:
            return {}
        out[found.group(1)] = line.removesuffix(",")
    return out


def kept_modified(atom_entry: str) -> datetime | None:
    """When the entry's article was last modified, from its Atom text."""
    found = _ATOM_UPDATED.search(atom_entry)
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found.group(1).replace("Z", "+00:00"))
    except ValueError:
        return None


def urlset(urls: Sequence[tuple[str, str | None]]) -> bytes:
    """One sitemap file: `urls` are (absolute URL, lastmod date or None)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, lastmod in urls:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{mod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap_index(files: Sequence[str]) -> bytes:
    """`sitemap.xml`: the absolute URLs of the sitemap files."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    lines += [f"<sitemap><loc>{escape(url)}</loc></sitemap>" for url in files]
    lines.append("</sitemapindex>\n")
    return "\n".join(lines).encode("utf-8")
