"""A page as a browser shows it, for list pages drawn by JavaScript.

Headless Chromium (the system's, else Playwright's own) loads the page and its
scripts; newsmill reads the DOM they leave. Playwright is the optional extra
`newsmill[browser]`. Every request the page makes goes through the same rules
as a fetch: HTTP(S) only, and, unless private networks are allowed, no address
on loopback, a private network or link-local; images, media and fonts are not
loaded at all.
"""

from __future__ import annotations

import os
import shutil
from typing import Any
from urllib.parse import urlsplit

from newsmill.config import FetchConfig
from newsmill.fetch.netguard import BlockedDestination, PinnedBackend, check_destination
from newsmill.model import FetchResult

MISSING = "render needs a browser: pip install 'newsmill[browser]' (Playwright)"
_SKIPPED = frozenset({"image", "media", "font"})
_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


def chromium() -> str | None:
    """The Chromium to drive: $NEWSMILL_CHROMIUM, else one on PATH, else Playwright's."""
    named = os.environ.get("NEWSMILL_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


async def render(url: str, config: FetchConfig, user_agent: str) -> FetchResult:
    """The DOM of `url` once its scripts ran (network idle), as an HTML document."""
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright
    except ImportError:
        return FetchResult(url, url, error=MISSING)
    pinned = PinnedBackend.for_config(config)  # the fetcher's check of every address

    async def guard(route: Any) -> None:
        request = route.request
        if request.resource_type in _SKIPPED:
            await route.abort()
            return
        try:
            check_destination(request.url)
            if pinned is not None:
                parts = urlsplit(request.url)
                port = parts.port or (443 if parts.scheme == "https" else 80)
                await pinned.addresses(parts.hostname or "", port)
        except BlockedDestination:
            await route.abort("blockedbyclient")
            return
        await route.continue_()

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium(), args=_ARGS)
            try:
                context = await browser.new_context(user_agent=user_agent)
                page = await context.new_page()
                await page.route("**/*", guard)
                response = await page.goto(
                    url, wait_until="networkidle", timeout=config.total_timeout * 1000
                )
                html = await page.content()
                final = page.url
            finally:
                await browser.close()
    except PlaywrightError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return FetchResult(url, url, error=f"browser: {first}")
    status = response.status if response else 200
    if status >= 400:
        return FetchResult(url, final, status=status, error=f"HTTP {status}")
    return FetchResult(
        url=url,
        final_url=final,
        status=status,
        headers={"content-type": "text/html; charset=utf-8"},
        body=html.encode("utf-8"),
    )
