"""robots.txt for article page fetches, read once per site per run.

Feeds are meant to be fetched by programs; article pages are not always, so
page fetches ask robots.txt first (RFC 9309: a missing file allows all, a
server error disallows all until it answers).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from newsmill.decoding import decode_document
from newsmill.fetch.client import DEFAULT_USER_AGENT, Fetcher


class RobotsCache:
    def __init__(self, fetcher: Fetcher, user_agent: str = DEFAULT_USER_AGENT) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self._parsers: dict[str, RobotFileParser | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def _load(self, origin: str) -> RobotFileParser | None:
        result = await self.fetcher.fetch(f"{origin}/robots.txt")
        parser = RobotFileParser()
        if result.ok and result.status == 200:
            text, _ = decode_document(result.body, result.content_type)
            parser.parse(text.splitlines())
            return parser
        if result.error and result.error.startswith("HTTP 4"):
            return None  # no robots.txt: everything is allowed
        parser.disallow_all = True  # type: ignore[attr-defined]
        return parser

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._parsers:
                self._parsers[origin] = await self._load(origin)
        parser = self._parsers[origin]
        return parser is None or parser.can_fetch(self.user_agent.split("/")[0], url)
