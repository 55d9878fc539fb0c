"""The polite HTTP fetcher every network read goes through.

Limits live here and nowhere else: overall and per-host concurrency, a total
time limit per attempt (a server trickling one byte a second never ends a
read timeout), a size cap counted after decompression (gzip bombs), a redirect
limit with the private-network check on every hop, and retries that honour
Retry-After.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections import defaultdict
from contextlib import AbstractAsyncContextManager, nullcontext
from types import TracebackType
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from newsmill import __version__
from newsmill.config import FetchConfig
from newsmill.fetch.netguard import BlockedDestination, PinnedBackend, check_destination
from newsmill.fetch.rsshub import error_message
from newsmill.fetch.transport import PoolTransport
from newsmill.model import FetchResult, FetchState

DEFAULT_USER_AGENT = f"newsmill/{__version__} (news aggregator; respects robots.txt)"
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _Permanent(Exception):
    pass


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class SharedHostLimiter(Protocol):
    """Per-host slots shared with other processes (see newsmill.run.limiter).

    The local semaphores only bound this process; workers on several machines
    need one count per host kept in a store they all see.
    """

    def slot(self, host: str) -> AbstractAsyncContextManager[object]: ...


class Fetcher:
    """An async context manager holding one connection pool and the limits."""

    def __init__(self, config: FetchConfig, limiter: SharedHostLimiter | None = None) -> None:
        self.config = config
        self._limiter = limiter
        self._global = asyncio.Semaphore(config.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(config.per_host)
        )
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        # None (httpcore's own backend) when private networks are allowed.
        backend = PinnedBackend.for_config(self.config)
        transport = PoolTransport(
            limits=httpx.Limits(
                max_connections=self.config.concurrency,
                max_keepalive_connections=self.config.concurrency,
            ),
            network_backend=backend,
        )
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(self.config.timeout),
            transport=transport,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self,
        url: str,
        state: FetchState | None = None,
        *,
        user_agent: str | None = None,
        referer: str | None = None,
    ) -> FetchResult:
        """Fetch `url`, retrying transient failures; never raises for network errors."""
        headers = {
            "User-Agent": user_agent or self.config.user_agent or DEFAULT_USER_AGENT,
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
        }
        if referer:
            headers["Referer"] = referer
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified

        host = urlsplit(url).hostname or ""
        attempts = self.config.retries + 1
        last_error = ""
        retry_after: float | None = None
        for attempt in range(attempts):
            try:
                async with self._global, self._hosts[host], self._shared(host):
                    async with asyncio.timeout(self.config.total_timeout):
                        return await self._follow(url, headers)
            except _Retryable as exc:
                last_error = str(exc)
                retry_after = exc.retry_after
                delay = self._delay(attempt, exc.retry_after)
                if delay is None or attempt == attempts - 1:
                    break
                await asyncio.sleep(delay)
            except TimeoutError:
                last_error = f"no complete response within {self.config.total_timeout:g}s"
                if attempt < attempts - 1:
                    await asyncio.sleep(self._delay(attempt, None) or 0)
            except (_Permanent, BlockedDestination) as exc:
                return FetchResult(url=url, final_url=url, error=str(exc))
        suffix = f" after {attempts} attempts" if attempts > 1 else ""
        return FetchResult(
            url=url, final_url=url, error=f"{last_error}{suffix}", retry_after=retry_after
        )

    def _shared(self, host: str) -> AbstractAsyncContextManager[object]:
        return self._limiter.slot(host) if self._limiter else nullcontext()

    def _delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Backoff before the next attempt; None when the server asks for too long."""
        if retry_after is not None:
            if retry_after > self.config.max_retry_after:
                return None
            return retry_after
        base = self.config.backoff * (2**attempt)
        return base + random.uniform(0, base / 2)

    async def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        assert self._client is not None, "use Fetcher as an async context manager"
        current = url
        for _hop in range(self.config.max_redirects + 1):
            if not self.config.allow_private_networks:
                check_destination(current)
            elif urlsplit(current).scheme not in ("http", "https"):
                raise _Permanent(f"scheme of {current!r} is not allowed")
            try:
                async with self._client.stream("GET", current, headers=headers) as response:
                    if response.status_code in _REDIRECT_STATUSES:
                        location = response.headers.get("location")
                        if not location:
                            raise _Permanent(f"HTTP {response.status_code} without Location")
                        current = urljoin(current, location.strip())
                        continue
                    return await self._read(url, current, response, headers)
            except httpx.TimeoutException as exc:
                raise _Retryable(f"timed out ({type(exc).__name__})") from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                message = str(exc) or type(exc).__name__
                raise _Retryable(f"network error: {message}") from None
        raise _Permanent(f"more than {self.config.max_redirects} redirects")

    async def _read(
        self, url: str, final_url: str, response: httpx.Response, headers: dict[str, str]
    ) -> FetchResult:
        status = response.status_code
        lowered = {k.lower(): v for k, v in response.headers.items()}
        if status == 304:
            if "If-None-Match" not in headers and "If-Modified-Since" not in headers:
                raise _Permanent("HTTP 304 to a request that was not conditional")
            return FetchResult(
                url=url,
                final_url=final_url,
                status=304,
                headers=lowered,
                not_modified=True,
                etag=lowered.get("etag") or headers.get("If-None-Match"),
                last_modified=lowered.get("last-modified") or headers.get("If-Modified-Since"),
            )
        if status >= 400:
            explained = error_message(await _head_of(response, ERROR_PAGE_BYTES))
            reason = f"HTTP {status}: {explained}" if explained else f"HTTP {status}"
            if status in _RETRY_STATUSES:
                raise _Retryable(reason, parse_retry_after(lowered.get("retry-after")))
            raise _Permanent(reason)
        declared = lowered.get("content-length", "")
        if declared.isdigit() and int(declared) > self.config.max_bytes:
            raise _Permanent(f"response of {declared} bytes exceeds the size cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.config.max_bytes:
                raise _Permanent(f"response larger than {self.config.max_bytes} bytes")
            chunks.append(chunk)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            headers=lowered,
            body=b"".join(chunks),
            etag=lowered.get("etag"),
            last_modified=lowered.get("last-modified"),
        )


# What is read of an error page to say what went wrong: enough for RSSHub's message.
ERROR_PAGE_BYTES = 64 * 1024


async def _head_of(response: httpx.Response, limit: int) -> bytes:
    """The first `limit` bytes of the body (less if it ends or breaks off sooner)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except (httpx.TransportError, httpx.DecodingError):
        pass  # the status says enough on its own
    return b"".join(chunks)[:limit]
