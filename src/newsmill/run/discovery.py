"""What an address a user pasted is, and the source it makes.

A feed is taken as it is; a page that advertises feeds (or serves one at a
usual path) gives its first feed that parses. The fetches go through the
same fetcher as a run: the same limits, the same private-network guard.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsmill.config import FetchConfig
from newsmill.fetch import Fetcher
from newsmill.model import FetchResult
from newsmill.parse import FeedError, advertised_feeds, parse_feed, usual_feed_urls


class DiscoveryError(Exception):
    """The address gives no source; the message says what was tried."""


@dataclass(frozen=True)
class FoundFeed:
    url: str  # the feed's address
    title: str  # the feed's own title ("" if it has none)
    via: str  # "feed" (pasted as it is), "advertised" or "usual path"


def find_feed(address: str, settings: FetchConfig) -> FoundFeed:
    """The feed behind `address` (raises DiscoveryError when there is none)."""
    return asyncio.run(_find_feed(address, settings))


async def _find_feed(address: str, settings: FetchConfig) -> FoundFeed:
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(address)
        if not page.ok:
            raise DiscoveryError(f"{address}: {page.error}")
        title = _feed_title(page)
        if title is not None:
            return FoundFeed(page.final_url, title, "feed")
        advertised = advertised_feeds(page.body, page.final_url, page.content_type)
        for via, candidates in (
            ("advertised", advertised),
            ("usual path", [] if advertised else usual_feed_urls(page.final_url)),
        ):
            for url in candidates:
                result = await fetcher.fetch(url)
                if result.ok and (title := _feed_title(result)) is not None:
                    return FoundFeed(result.final_url, title, via)
    tried = "the feeds it advertises" if advertised else "the usual feed paths"
    raise DiscoveryError(f"{address}: not a feed, and none of {tried} is one")


def _feed_title(result: FetchResult) -> str | None:
    """The feed's title if the response is a feed, else None."""
    try:
        parsed = parse_feed(
            result.body, base_url=result.final_url, content_type=result.content_type
        )
    except FeedError:
        return None
    return parsed.title


def source_name(title: str, url: str, taken: set[str]) -> str:
    """A valid, unused source name from the feed's title (ASCII part) or its host."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-._").lower()[:60]
    if len(base) < 3:
        host = urlsplit(url).hostname or "source"
        base = re.sub(r"[^a-z0-9.-]+", "-", host.lower().removeprefix("www.")).strip("-.")
    base = base or "source"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name
