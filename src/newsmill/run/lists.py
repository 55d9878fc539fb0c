"""A list source's pages: the list read from its first page, then its next pages.

A first run backfills up to `max_pages`; a later run stops at the first page
whose articles are all stored. Pages drawn by JavaScript are loaded in a
browser when the source asks for it (`render`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from newsmill.fetch import DEFAULT_USER_AGENT, Fetcher, RobotsCache, fetch_source, render
from newsmill.model import FetchResult, FetchState, Source
from newsmill.run.items import (
    FeedItems,
    ListSourceError,
    RunPolicy,
    drawn_elsewhere,
    read_list,
)
from newsmill.store import Store

log = logging.getLogger("newsmill.run")


async def read_list_source(
    fetcher: Fetcher,
    robots: RobotsCache,
    store: Store,
    source: Source,
    state: FetchState | None,
    policy: RunPolicy,
) -> tuple[FetchResult, FeedItems | None]:
    """The list page's fetch (its error, if the list cannot be read) and its articles."""
    refusal = await robots.refusal(source.url)
    if refusal is not None:
        return FetchResult(source.url, source.url, error=f"list page not fetched: {refusal}"), None
    if source.render == "always":
        result = await _rendered(fetcher, source, source.url)
    else:
        result = await fetch_source(fetcher, source, state)
    if not result.ok or result.not_modified:
        return result, None
    try:
        first = await asyncio.to_thread(read_list, source, result, policy.zone)
    except ListSourceError as exc:
        if source.render != "auto" or not drawn_elsewhere(result.body):
            return replace(result, error=str(exc)), None
        rendered = await _rendered(fetcher, source, source.url)  # scripts draw the list
        if not rendered.ok:
            return replace(result, error=f"{exc}; rendered: {rendered.error}"), None
        try:
            first = await asyncio.to_thread(read_list, source, rendered, policy.zone)
        except ListSourceError as again:
            return replace(result, error=f"{again} (rendered in a browser)"), None
        result = rendered
    return result, await _next_pages(fetcher, robots, store, source, result, first, policy)


async def _next_pages(
    fetcher: Fetcher,
    robots: RobotsCache,
    store: Store,
    source: Source,
    first: FetchResult,
    items: FeedItems,
    policy: RunPolicy,
) -> FeedItems:
    """`items` with the articles of the next pages, while each page still shows an
    article not stored yet. A next page that cannot be had ends the walk."""
    page, pages = items, 1
    seen = {entry.guid for entry in items.entries}
    while page.next_page and pages < source.max_pages:
        guids = [entry.guid for entry in page.entries]
        stored = await asyncio.to_thread(store.existing_guids, source.name, guids)
        if guids and len(stored) == len(guids):
            break
        url = page.next_page
        if url in (first.url, first.final_url) or not await robots.allowed(url):
            break
        if source.render == "always":
            result = await _rendered(fetcher, source, url)
        else:
            result = await fetcher.fetch(url, user_agent=source.user_agent)
        if not result.ok:
            log.warning("source %s: list page %s: %s", source.name, url, result.error)
            break
        try:
            # The same list on every page: read where the first page's list was.
            page = await asyncio.to_thread(
                read_list, source, result, policy.zone, items.list_select
            )
        except ListSourceError as exc:
            log.warning("source %s: list page %s: %s", source.name, url, exc)
            break
        pages += 1
        items.entries += [e for e in page.entries if e.guid not in seen]
        seen.update(entry.guid for entry in page.entries)
    return items


async def _rendered(fetcher: Fetcher, source: Source, url: str) -> FetchResult:
    agent = source.user_agent or fetcher.config.user_agent or DEFAULT_USER_AGENT
    return await render(url, fetcher.config, agent)
