"""robots.txt for article page fetches, read once per site per run.

Feeds are meant to be fetched by programs; article pages are not always, so
page fetches ask robots.txt first (RFC 9309: a missing file, a 4xx, allows
all; a file that cannot be read, a server error or no answer, disallows all
until it can be). A refusal says which of the two it is, and is logged once
per site per run, not once per page.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from newsmill.decoding import decode_document
from newsmill.fetch.client import DEFAULT_USER_AGENT, Fetcher

log = logging.getLogger("newsmill.fetch")


class RobotsCache:
    def __init__(self, fetcher: Fetcher, user_agent: str = DEFAULT_USER_AGENT) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self._parsers: dict[str, RobotFileParser | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._unreadable: dict[str, str] = {}  # origin: why its robots.txt could not be read
        self._said: set[str] = set()  # refusals logged this run

    async def _load(self, origin: str) -> RobotFileParser | None:
        result = await self.fetcher.fetch(f"{origin}/robots.txt")
        parser = RobotFileParser()
        if result.ok and result.status == 200:
            text, _ = decode_document(result.body, result.content_type)
            parser.parse(text.splitlines())
            return parser
        if result.error and result.error.startswith("HTTP 4"):
            return None  # no robots.txt: everything is allowed
        self._unreadable[origin] = result.error or f"HTTP {result.status}"
        parser.disallow_all = True  # type: ignore[attr-defined]
        return parser

    async def allowed(self, url: str) -> bool:
        return await self.refusal(url) is None

    async def refusal(self, url: str) -> str | None:
        """None if `url` may be fetched; else why not, naming the site. The first
        refusal of each kind for a site is logged; the others are only returned."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._parsers:
                self._parsers[origin] = await self._load(origin)
        parser = self._parsers[origin]
        if parser is None or parser.can_fetch(self.user_agent.split("/")[0], url):
            return None
        error = self._unreadable.get(origin)
        if error is not None:
            reason = f"robots.txt of {parts.netloc} could not be read ({error})"
        else:
            reason = f"robots.txt of {parts.netloc} disallows them"
        if reason not in self._said:
            self._said.add(reason)
            log.info(
                "%s: %s",
                reason,
                "the site's pages wait until it can be (RFC 9309)"
                if error is not None
                else "those pages are not fetched",
            )
        return reason
