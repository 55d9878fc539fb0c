"""An httpx transport over an httpcore connection pool built here.

httpx's own transport builds its pool inside and has no say in how the pool opens
connections, and that is exactly what netguard needs to choose: every connection
goes to an address checked where it is opened. httpcore's pool takes a
`network_backend`, and httpx takes any `AsyncBaseTransport`; this module joins the
two through their public APIs only. Requests, responses and httpcore's exceptions
are mapped as httpx's own transport maps them, so the client above sees the same
response objects, the same exception classes and the same messages.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpcore
import httpx

# httpcore's exceptions and their httpx namesakes, the more specific before the class
# it derives from: the first match wins, so a read timeout stays a ReadTimeout (the
# fetcher's "timed out (ReadTimeout)") rather than a bare TimeoutException.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def httpx_errors() -> Iterator[None]:
    """Re-raise httpcore's exceptions as their httpx namesakes, with the same message.

    Anything else passes unchanged: netguard's BlockedDestination, raised where a
    connection is opened, must reach the fetcher as itself."""
    try:
        yield
    except Exception as exc:
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    """The body as httpx reads it: streamed from the pooled connection, released on close."""

    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._response.aiter_stream():
                yield chunk

    async def aclose(self) -> None:
        # Returns the connection to the pool, or closes it when the body was not read
        # to its end (the size cap stopping an endless body).
        await self._response.aclose()


class PoolTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 through an `httpcore.AsyncConnectionPool` whose network backend is ours.

    `network_backend=None` is httpcore's default backend, the one httpx's own
    transport uses. The TLS context is httpx's default (certificates verified against
    certifi's roots, environment variables ignored), as `AsyncHTTPTransport(
    trust_env=False)` builds it; there is no proxy, as there is none with trust_env off.
    """

    def __init__(
        self,
        limits: httpx.Limits,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=network_backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,  # the timeouts httpx's client set travel here
        )
        with httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
