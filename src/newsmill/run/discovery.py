"""What an address a user pasted is, and the source it makes; `newsmill probe`.

A feed is taken as it is; a page that advertises feeds (or serves one at a
usual path) gives its first feed that parses. The fetches go through the
same fetcher as a run: the same limits, the same private-network guard.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from lxml import etree

from newsmill.config import FetchConfig
from newsmill.decoding import decode_document
from newsmill.extract import ExtractError, extract_page
from newsmill.fetch import Fetcher
from newsmill.htmltools import parse_document
from newsmill.listdates import parse_list_date
from newsmill.model import FetchResult
from newsmill.parse import (
    FeedError,
    FoundList,
    ListError,
    advertised_feeds,
    find_list,
    parse_feed,
    plain_text,
    usual_feed_urls,
)


class DiscoveryError(Exception):
    """The address gives no source; the message says what was tried."""


@dataclass(frozen=True)
class FoundSource:
    url: str  # the feed's address, or the list page's
    title: str  # the feed's own title, or the page's ("" if it has none)
    via: str  # "feed" (pasted as it is), "advertised", "usual path" or "list page"
    kind: str = "feed"  # or "list"
    select: dict[str, str] | None = None  # for a list: the selectors that find it


def find_source(address: str, settings: FetchConfig) -> FoundSource:
    """The feed behind `address`, else the list it is (raises DiscoveryError when it
    is neither)."""
    return asyncio.run(_find_source(address, settings))


async def _find_source(address: str, settings: FetchConfig) -> FoundSource:
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(address)
        if not page.ok:
            raise DiscoveryError(f"{address}: {page.error}")
        title = _feed_title(page)
        if title is not None:
            return FoundSource(page.final_url, title, "feed")
        advertised = advertised_feeds(page.body, page.final_url, page.content_type)
        for via, candidates in (
            ("advertised", advertised),
            ("usual path", [] if advertised else usual_feed_urls(page.final_url)),
        ):
            for url in candidates:
                result = await fetcher.fetch(url)
                if result.ok and (title := _feed_title(result)) is not None:
                    return FoundSource(result.final_url, title, via)
    seen = probe_document(page.body, page.final_url, page.content_type, UTC)
    if seen.kind == "list":
        name = _page_title(page)
        return FoundSource(page.final_url, name, "list page", "list", seen.select)
    tried = "the feeds it advertises" if advertised else "the usual feed paths"
    raise DiscoveryError(f"{address}: not a feed or a list page, and none of {tried} is a feed")


def _page_title(result: FetchResult) -> str:
    text = decode_document(result.body, result.content_type)[0]
    try:
        found = parse_document(text).findtext(".//title") if text.strip() else ""
    except (etree.ParserError, ValueError):
        return ""
    return plain_text(found or "")


def _feed_title(result: FetchResult) -> str | None:
    """The feed's title if the response is a feed, else None."""
    try:
        parsed = parse_feed(
            result.body, base_url=result.final_url, content_type=result.content_type
        )
    except FeedError:
        return None
    return parsed.title


# When a page's best link group is its list, not an article's related links:
# its titles add up to MIN_TITLE_CHARS at least (related strips under articles
# stay well below), and the list outweighs the page's article text, or is long,
# or is dated, or leads to a next page.
MIN_TITLE_CHARS = 120
LONG_LIST = 10
SHORT_LIST = 3


@dataclass(frozen=True)
class ProbedItem:
    url: str
    title: str
    published: datetime | None


@dataclass(frozen=True)
class Probe:
    """What newsmill sees in a document, stored nowhere: for `newsmill probe`."""

    kind: str  # "feed", "list" or "article"
    feeds: list[str]
    items: list[ProbedItem]
    select: dict[str, str]
    next_page: str | None

    def record(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "feeds": self.feeds,
            "items": [
                {
                    "url": i.url,
                    "title": i.title,
                    "published": i.published.isoformat() if i.published else None,
                }
                for i in self.items
            ],
            "select": self.select,
            "next_page": self.next_page,
        }


def probe_document(
    body: bytes, url: str, content_type: str, zone: tzinfo, now: datetime | None = None
) -> Probe:
    """A feed's items; else the page's main list and the feeds it advertises; else an
    article (a page whose best link group is its related links, not a list)."""
    now = now or datetime.now(UTC)
    try:
        feed = parse_feed(body, base_url=url, content_type=content_type)
    except FeedError:
        feed = None
    if feed is not None:
        items = [ProbedItem(e.link, e.title, e.published) for e in feed.entries]
        return Probe("feed", [url], items, {}, None)
    feeds = advertised_feeds(body, url, content_type)
    try:
        found = find_list(body, url, content_type)
    except ListError:
        found = None
    if found is None or not _is_list(found, _article_chars(body, url, content_type)):
        return Probe("article", feeds, [], {}, None)
    items = [
        ProbedItem(i.url, i.title, parse_list_date(i.date_text, now, zone)) for i in found.items
    ]
    return Probe("list", feeds, items, found.select.as_dict(), found.next_page)


def _is_list(found: FoundList, article_chars: int) -> bool:
    if found.kind in ("json", "jsonp"):  # an API answer holds nothing but its list
        return bool(found.items)
    titles = sum(len(item.title) for item in found.items)
    dated = sum(1 for item in found.items if item.date_text) * 2 > len(found.items)
    if titles < MIN_TITLE_CHARS:  # a short index still pages on, each entry dated
        return len(found.items) >= SHORT_LIST and bool(found.next_page) and dated
    return (
        titles * 4 >= article_chars
        or len(found.items) >= LONG_LIST
        or bool(found.next_page)
        or dated
    )


def _article_chars(body: bytes, url: str, content_type: str) -> int:
    try:
        return len(extract_page(body, url, content_type=content_type).text)
    except ExtractError:
        return 0


def probe(address: str, settings: FetchConfig, zone: tzinfo, base_url: str | None = None) -> Probe:
    """Probe a URL (fetched as a run would) or a saved file (read as the page at
    `base_url`, its own file URL if none)."""
    if address.startswith(("http://", "https://")):

        async def fetch() -> FetchResult:
            async with Fetcher(settings) as fetcher:
                return await fetcher.fetch(address)

        result = asyncio.run(fetch())
        if not result.ok:
            raise DiscoveryError(f"{address}: {result.error}")
        return probe_document(result.body, result.final_url, result.content_type, zone)
    path = Path(address)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise DiscoveryError(f"{address}: {exc.strerror or exc}") from None
    return probe_document(body, base_url or path.resolve().as_uri(), "", zone)
