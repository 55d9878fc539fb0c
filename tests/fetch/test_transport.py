"""The fetcher's own httpx transport, over real servers on 127.0.0.1.

It replaces httpx's transport so that the pinned network backend can be given to
httpcore's pool through public APIs; these tests hold what httpx's transport did
and the fetcher relies on: exceptions mapped to httpx's classes with their
messages, timeouts, bodies streamed and their connections closed when cut short,
and certificates verified against the name while the address is pinned.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpcore
import httpx
import pytest
from pytest_httpserver import HTTPServer
from test_client import fetch
from werkzeug import Request, Response

from newsmill.config import FetchConfig
from newsmill.fetch import Fetcher
from newsmill.fetch.netguard import PinnedBackend
from newsmill.fetch.transport import PoolTransport, httpx_errors
from newsmill.model import FetchResult

LOOPBACK = ["127.0.0.0/8", "::1/128"]
LOOPBACK_NETWORKS = [ipaddress.ip_network(n) for n in LOOPBACK]
# Raised by httpcore's pool inside itself (it retries on another connection), never to us.
INTERNAL = {"ConnectionNotAvailable"}


def httpcore_exceptions() -> list[type[Exception]]:
    found = [getattr(httpcore, name) for name in httpcore.__all__ if name not in INTERNAL]
    return [obj for obj in found if isinstance(obj, type) and issubclass(obj, Exception)]


def test_every_httpcore_exception_is_mapped() -> None:
    assert len(httpcore_exceptions()) >= 14  # a renamed or moved list would pass vacuously


@pytest.mark.parametrize("error", httpcore_exceptions(), ids=lambda e: e.__name__)
def test_httpcore_exceptions_become_their_httpx_namesakes(error: type[Exception]) -> None:
    with pytest.raises(httpx.TransportError) as raised, httpx_errors():
        raise error("the message")
    assert type(raised.value).__name__ == error.__name__
    assert type(raised.value) is getattr(httpx, error.__name__)
    assert str(raised.value) == "the message" and isinstance(raised.value.__cause__, error)


def test_other_exceptions_pass_through_unchanged() -> None:
    with pytest.raises(KeyError), httpx_errors():
        raise KeyError("not httpcore's")


def test_a_read_timeout_is_reported_as_one(httpserver: HTTPServer) -> None:
    def late(request: Request) -> Response:
        time.sleep(1.2)
        return Response(b"too late")

    httpserver.expect_request("/late").respond_with_handler(late)
    result = fetch(
        httpserver.url_for("/late"),
        allow_private_networks=False,
        allowed_networks=LOOPBACK,
        timeout=0.3,
        total_timeout=5,
        retries=0,
    )
    assert result.error == "timed out (ReadTimeout)"


def endless(request: Request) -> Response:
    def body() -> Iterator[bytes]:
        while True:
            yield b"x" * 65536

    return Response(body(), content_type="text/xml")


@pytest.fixture
def serial_server() -> Iterator[HTTPServer]:
    """A server that answers one request at a time, unlike the shared threaded one:
    while a connection it is writing to stays open, it answers nothing else."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=False)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_a_network_error() -> None:
    result = fetch(
        f"http://127.0.0.1:{free_port()}/feed",
        allow_private_networks=False,
        allowed_networks=LOOPBACK,
        retries=0,
    )
    assert (result.error or "").startswith("network error: ")
    assert "private" not in (result.error or "")


def test_an_endless_body_is_cut_at_the_cap_and_its_connection_closed(
    serial_server: HTTPServer,
) -> None:
    """The body is streamed and cut at the cap, not read whole; the server is free for
    the next request only because the cut-short response's connection was closed."""

    serial_server.expect_request("/endless").respond_with_handler(endless)
    serial_server.expect_request("/next").respond_with_data("next")
    config = FetchConfig.model_validate(
        {"allowed_networks": LOOPBACK, "max_bytes": 1_000_000, "retries": 0,
         "timeout": 1, "total_timeout": 2}
    )  # fmt: skip

    async def both() -> tuple[FetchResult, FetchResult]:
        async with Fetcher(config) as fetcher:  # one pool for both requests
            return (
                await fetcher.fetch(serial_server.url_for("/endless")),
                await fetcher.fetch(serial_server.url_for("/next")),
            )

    started = time.monotonic()
    cut, after = asyncio.run(both())
    assert cut.error == "response larger than 1000000 bytes"
    assert after.ok and after.body == b"next"
    assert time.monotonic() - started < 3


def test_closing_a_response_read_in_part_closes_its_connection(serial_server: HTTPServer) -> None:
    """Closing the response is what frees the connection, even while its body is still
    being iterated (the reader below is kept alive, so nothing is left to the garbage
    collector), so the one-at-a-time server answers the next request."""
    serial_server.expect_request("/endless").respond_with_handler(endless)
    serial_server.expect_request("/next").respond_with_data("next")

    async def go() -> str:
        transport = PoolTransport(httpx.Limits(max_connections=2), PinnedBackend(LOOPBACK_NETWORKS))
        async with httpx.AsyncClient(transport=transport, timeout=1, trust_env=False) as client:
            async with client.stream("GET", serial_server.url_for("/endless")) as response:
                reader = response.aiter_bytes()
                assert len(await reader.__anext__()) > 0
            following = await client.get(serial_server.url_for("/next"))
            del reader
            return following.text

    assert asyncio.run(go()) == "next"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for `localhost`."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[HTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/feed").respond_with_data("over tls")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_certificates_are_verified(tls_server: HTTPServer) -> None:
    result = fetch(
        f"https://localhost:{tls_server.port}/feed",
        allow_private_networks=False,
        allowed_networks=LOOPBACK,
        retries=0,
    )
    assert "CERTIFICATE_VERIFY_FAILED" in (result.error or "")


def test_tls_checks_the_name_while_the_connection_goes_to_the_pinned_address(
    tls_server: HTTPServer, certificate: tuple[Path, Path]
) -> None:
    """The backend connects to the checked address; the certificate is still checked
    against the URL's name, which passes for `localhost` and fails for the address."""
    trusting = ssl.create_default_context(cafile=str(certificate[0]))

    async def get(url: str) -> httpx.Response:
        transport = PoolTransport(
            httpx.Limits(max_connections=2),
            PinnedBackend([], allowed_hosts={"localhost", "127.0.0.1"}),
            ssl_context=trusting,
        )
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            return await client.get(url)

    response = asyncio.run(get(f"https://localhost:{tls_server.port}/feed"))
    assert response.status_code == 200 and response.text == "over tls"
    with pytest.raises(httpx.ConnectError, match=r"CERTIFICATE_VERIFY_FAILED|IP address mismatch"):
        asyncio.run(get(f"https://127.0.0.1:{tls_server.port}/feed"))
