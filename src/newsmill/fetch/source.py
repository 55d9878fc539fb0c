"""A source's document, from the first of its addresses that serves it.

An RSSHub route can live on several instances: one may be down, rate-limiting
(429) or answering with a challenge page while another serves the route. The
address that served is said in the result's note, for `newsmill status`. The
source's access key travels only in the request: the result, its error and
its note carry the address without it.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from newsmill.fetch.client import Fetcher
from newsmill.fetch.rsshub import hide_key, with_key, without_key
from newsmill.model import FetchResult, FetchState, Source


async def fetch_source(
    fetcher: Fetcher, source: Source, state: FetchState | None = None
) -> FetchResult:
    """The source's feed from `url`, else from each mirror in turn; if none serves
    it, the error names what each said."""
    key = source.access_key
    failures: list[str] = []
    result = FetchResult(url=source.url, final_url=source.url, error="not fetched")
    for address in (source.url, *source.mirrors):
        fetched = await fetcher.fetch(with_key(address, key), state, user_agent=source.user_agent)
        result = replace(
            fetched,
            url=without_key(fetched.url, key),
            final_url=without_key(fetched.final_url, key),
            error=hide_key(fetched.error, key) if fetched.error else None,
        )
        if result.ok and source.mirrors and _is_html_page(result):
            result = replace(result, error="an HTML page, not a feed (a challenge page?)")
        if result.ok:
            break
        failures.append(f"{_host(address)}: {result.error}")
    if not failures or not source.mirrors:
        return result
    if result.ok:
        return replace(result, note=f"served by {_host(result.url)}; " + "; ".join(failures))
    return replace(result, error="; ".join(failures))


def _is_html_page(result: FetchResult) -> bool:
    return not result.not_modified and "html" in result.content_type.lower()


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url
