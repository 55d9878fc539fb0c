"""Feed bytes to Entries.

fastfeedparser does the parsing (about 100x faster than feedparser on the
shared feed set, see bench/parse.py), but it trusts declared encodings, so we
decode first with our own rules and hand it UTF-8 with a matching XML
declaration. feedparser, slow but forgiving, is the fallback when
fastfeedparser fails or finds no item.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import fastfeedparser
import feedparser
import nh3

from newsmill.decoding import declared_in_document, decode_document, normalize_charset
from newsmill.model import Enclosure, Entry

log = logging.getLogger(__name__)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Characters XML 1.0 forbids; real feeds carry them and lxml then gives up.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
# Bidirectional overrides and isolates can disguise a title (or a file name).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
MAX_TITLE = 1000
# Line breaks and tabs become one space; spaces a title was written with stay.
_WHITESPACE = re.compile(r"[ \u3000]*[\r\n\t\f\v]+[\s]*")


class FeedError(Exception):
    """The document is not a feed we can read; the message says why."""


@dataclass
class ParsedFeed:
    title: str
    entries: list[Entry]
    parser: str
    encoding: str
    ttl_minutes: int | None = None
    language: str | None = None  # as the feed declares it (also on each entry without its own)
    warnings: list[str] = field(default_factory=list)
    # Why the document may hold items that were not read: it is cut short, or
    # more items are in it than the parsers recovered from its broken XML.
    damage: str | None = None


# Item start tags outside CDATA (a post's HTML may quote anything), with any prefix:
# RSS <item>, Atom <entry>, <rss:item> and <rdf:item> alike; not <items>.
_ITEM_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_ROOT_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)\s*>")


def _damage(xml: bytes, entries: int) -> str | None:
    """What a recovering parse may have lost, told from the bytes: cheap checks, not a
    second (strict) parse of every feed. fastfeedparser and feedparser both recover
    what they can from broken XML and say nothing of what they could not."""
    tail = xml[-4096:]
    if not _ROOT_END.search(tail):
        return f"cut short: the document ends before its feed element closes ({entries} items read)"
    tags = len(_ITEM_TAG.findall(xml))
    if tags > entries and b"<![CDATA[" in xml:  # count again without what CDATA quotes
        tags = len(_ITEM_TAG.findall(_CDATA.sub(b"", xml)))
    if tags > entries:
        return f"broken XML: {entries} of {tags} items could be read"
    return None


_XML_INVALID_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def _has_invalid_bytes(body: bytes) -> bool:
    return len(body.translate(None, _XML_INVALID_BYTES)) != len(body)


# A document type declaration, with its internal subset. Feeds have no use for
# one, and it is where entity bombs and external entities (XXE) live.
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_DOCTYPE_BYTES = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def _prepare_xml(text: str, body: bytes, codec: str) -> bytes:
    """UTF-8 bytes with a declaration that says so, no DOCTYPE and no character XML forbids."""
    if _DOCTYPE_BYTES.search(body[:65536]):
        text, found = _DOCTYPE.subn("", text, count=1)
        if not found:
            raise FeedError("a DOCTYPE that never ends")
    elif codec == "utf-8" and not body.startswith(b"\xef\xbb\xbf"):
        declared = normalize_charset(declared_in_document(body))
        if declared in (None, "utf-8") and not _has_invalid_bytes(body):
            return body  # already what the parser needs: skip the re-encoding
    text = _XML_INVALID.sub("", text)
    text = _XML_DECL.sub("", text, count=1).lstrip()
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")


def plain_text(value: str) -> str:
    """A title or name as one line of plain text, whatever markup the feed put in it."""
    if "<" in value or "&" in value:
        value = html.unescape(nh3.clean(value, tags=set()))
    value = _BIDI.sub("", _XML_INVALID.sub("", value))
    return _WHITESPACE.sub(" ", value).strip()[:MAX_TITLE]


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_struct(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def clean_key(value: str) -> str:
    """A guid or link without the control characters (NUL above all) that
    PostgreSQL refuses in text and no identifier needs."""
    return _XML_INVALID.sub("", value).strip()


def absolute(base_url: str, url: str) -> str:
    """`url` resolved against `base_url`; absolute URLs skip the (slow) urljoin."""
    url = clean_key(url)
    return url if url.startswith(("http://", "https://")) else urljoin(base_url, url)


def item_link(base_url: str, link: Any) -> str:
    """The item's own link made absolute, or "" when it has none: resolving an empty
    link against the feed's URL gave every such item the feed's address, and one
    identity."""
    link = clean_key(str(link or ""))
    return absolute(base_url, link) if link else ""


def item_guid(guid: Any, link: str, title: str, published: datetime | None, body: str) -> str:
    """The item's identity: its guid, else its link, else its own content (title, date
    and text), so that a feed of items without either keeps them apart."""
    if key := clean_key(str(guid or "")):
        return key
    if link:
        return link
    when = published.isoformat() if published else ""
    digest = hashlib.sha256(f"{title}\x00{when}\x00{body}".encode()).hexdigest()[:24]
    return f"newsmill:{digest}"


def _entry_from_fast(item: dict[str, Any], base_url: str) -> Entry:
    description = str(item.get("description") or "")
    contents = item.get("content") or []
    content = ""
    if contents and isinstance(contents, list):
        content = str(contents[0].get("value") or "")
    media = item.get("media_content") or []
    thumbnails = [
        str(m["url"])
        for m in media
        if isinstance(m, dict) and m.get("url") and str(m.get("type", "image")).startswith("image")
    ]
    enclosures = [
        Enclosure(url=str(e["url"]), type=str(e.get("type") or ""), length=e.get("length"))
        for e in item.get("enclosures") or []
        if isinstance(e, dict) and e.get("url")
    ]
    categories = [
        plain_text(str(t.get("term") or t.get("label") or ""))
        for t in item.get("tags") or []
        if isinstance(t, dict)
    ]
    declared = [c.get("language") for c in contents if isinstance(c, dict)]
    return _entry(
        item,
        base_url,
        published=_parse_iso(item.get("published")),
        updated=_parse_iso(item.get("updated")),
        content=content,
        summary=description,
        enclosures=enclosures,
        thumbnails=thumbnails,
        categories=categories,
        language=next((str(lang) for lang in declared if lang), None),
    )


def _entry_from_feedparser(item: Any, base_url: str) -> Entry:
    summary = str(item.get("summary") or "")
    contents = item.get("content") or []
    content = str(contents[0].get("value") or "") if contents else ""
    thumbnails = [str(t.get("url")) for t in item.get("media_thumbnail") or [] if t.get("url")]
    enclosures = [
        Enclosure(url=str(e.get("href")), type=str(e.get("type") or ""))
        for e in item.get("enclosures") or []
        if e.get("href")
    ]
    categories = [plain_text(str(t.get("term") or "")) for t in item.get("tags") or []]
    detail = (contents[0] if contents else None) or item.get("title_detail") or {}
    return _entry(
        item,
        base_url,
        published=_parse_struct(item.get("published_parsed")),
        updated=_parse_struct(item.get("updated_parsed")),
        content=content,
        summary=summary,
        enclosures=enclosures,
        thumbnails=thumbnails,
        categories=categories,
        language=detail.get("language") or None,
    )


def _entry(
    item: Any,
    base_url: str,
    *,
    published: datetime | None,
    updated: datetime | None,
    content: str,
    summary: str,
    enclosures: list[Enclosure],
    thumbnails: list[str],
    categories: list[str],
    language: str | None,
) -> Entry:
    """An item as both parsers read it, made into an Entry one way (`item` is either
    parser's mapping: both name the id, link, title and author alike)."""
    link = item_link(base_url, item.get("link"))
    title = plain_text(str(item.get("title") or ""))
    # Both parsers copy a lone description into content; a summary-only item
    # must stay recognisable as one for the full-text policy.
    if content == summary:
        content = ""
    return Entry(
        language=language,
        guid=item_guid(item.get("id"), link, title, published, content or summary),
        link=link,
        title=title,
        author=plain_text(str(item.get("author") or "")),
        published=published,
        updated=updated,
        content_html=content,
        summary_html=summary,
        enclosures=enclosures,
        thumbnails=[absolute(base_url, t) for t in thumbnails],
        categories=[c for c in categories if c],
    )


_TTL = re.compile(rb"<ttl>\s*(\d{1,6})\s*</ttl>")
# RSS <language> and Dublin Core's, in the channel before its first item
# (fastfeedparser reads only xml:lang).
_LANGUAGE = re.compile(rb"<(?:dc:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3})\s*</")
_ITEM_LANG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])([^>]*)>")
_XML_LANG = re.compile(rb"""xml:lang\s*=\s*["']([^"']{1,35})["']""")


def _item_languages(data: bytes, count: int) -> list[str | None]:
    """The xml:lang of each item's own start tag (fastfeedparser reads it only on a
    content element), in document order; none if the tags do not match the items."""
    if b"xml:lang" not in data:
        return []
    scanned = _CDATA.sub(b"", data) if b"<![CDATA[" in data else data
    tags = _ITEM_LANG.findall(scanned)
    if len(tags) != count:
        return []
    found = [_XML_LANG.search(attributes) for attributes in tags]
    return [m.group(1).decode("ascii", "replace") if m else None for m in found]


def _declared_language(data: bytes, parsed: str | None) -> str | None:
    """The feed's declared language: its xml:lang or JSON Feed `language`, else the
    <language> of its channel."""
    if parsed:
        return str(parsed)
    first = _ITEM_TAG.search(data)
    found = _LANGUAGE.search(data, 0, first.start() if first else 20000)
    return found.group(1).decode("ascii") if found else None


def parse_feed(
    body: bytes,
    *,
    base_url: str,
    content_type: str = "",
    encoding: str | None = None,
) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0, Atom or JSON Feed bytes; raise FeedError if it is none."""
    if not body.strip():
        raise FeedError("empty response")
    text, codec = decode_document(body, content_type, encoding)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        data = stripped.encode("utf-8")
        parser_name = "jsonfeed"
    else:
        if _HTML_START.match(stripped):
            raise FeedError("an HTML page, not a feed")
        data = _prepare_xml(stripped, body, codec)
        parser_name = "fastfeedparser"

    entries: list[Entry] = []
    title = ""
    language: str | None = None
    warnings: list[str] = []
    try:
        parsed = fastfeedparser.parse(data)
        entries = [_entry_from_fast(item, base_url) for item in parsed.get("entries", [])]
        title = plain_text(str(parsed.get("feed", {}).get("title") or ""))
        language = parsed.get("feed", {}).get("language")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        warnings.append(f"fastfeedparser: {exc}")
        if parser_name == "jsonfeed":
            raise FeedError(f"not a JSON Feed: {exc}") from None

    if not entries and parser_name != "jsonfeed":
        result = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
        if result.entries:
            parser_name = "feedparser"
            entries = [_entry_from_feedparser(item, base_url) for item in result.entries]
            title = plain_text(str(result.feed.get("title") or ""))
            language = result.feed.get("language")
        elif warnings and not result.feed.get("title"):
            raise FeedError(warnings[0].removeprefix("fastfeedparser: "))

    damage = None if parser_name == "jsonfeed" else _damage(data, len(entries))
    if parser_name != "jsonfeed":
        language = _declared_language(data, language)
        for entry, own in zip(entries, _item_languages(data, len(entries)), strict=False):
            entry.language = entry.language or own
    for entry in entries:
        entry.language = entry.language or language
    ttl_match = _TTL.search(data[:20000])
    return ParsedFeed(
        title=title,
        entries=entries,
        parser=parser_name,
        encoding=codec,
        ttl_minutes=int(ttl_match.group(1)) if ttl_match else None,
        warnings=warnings,
        damage=damage,
        language=language,
    )
