"""Refuse destinations inside private networks.

A feed is a URL chosen by a stranger; without this check a redirect could make
newsmill read a router's admin page or a cloud metadata service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpcore

if TYPE_CHECKING:
    from newsmill.config import FetchConfig


class BlockedDestination(Exception):
    """The URL resolves into a network newsmill is configured not to reach."""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_forbidden_address(address: str, allowed: Sequence[Network] = ()) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed):
        return False
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip in ipaddress.ip_network("100.64.0.0/10")
    )


def check_destination(url: str) -> None:
    """Raise BlockedDestination unless the URL is HTTP(S) with a host: before each
    request and redirect hop. Its addresses are checked by PinnedBackend where the
    connection is opened, the one place a check cannot be raced by DNS."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination(f"scheme {parts.scheme!r} is not allowed")
    if not parts.hostname:
        raise BlockedDestination("URL has no host")


async def resolve_checked(host: str, port: int, allowed: Sequence[Network] = ()) -> list[str]:
    """The addresses to connect to, once every address the name has was checked.

    Every address is checked, not just the first, so a name with one public
    and one private record cannot slip through.
    """
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedDestination(f"cannot resolve {host}: {exc.strerror}") from None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if is_forbidden_address(address, allowed):
            raise BlockedDestination(
                f"{host} resolves to {address}, a private or local address "
                "(set fetch.allow_private_networks = true to allow it)"
            )
    if not addresses:
        raise BlockedDestination(f"cannot resolve {host}: no address")
    return list(dict.fromkeys(addresses))


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks the name when the connection is opened, and connects
    to the checked address.

    The check before a request is not enough on its own: the connection pool
    resolves the name again, and a name whose records change between the two
    lookups (DNS rebinding) would reach the private address. TLS still
    verifies the certificate against the name, which httpcore passes apart.

    The fetcher hands it to the connection pool it builds itself
    (`httpcore.AsyncConnectionPool(network_backend=...)`, see fetch.transport):
    every connection the pool opens comes through here, with no way around it.
    """

    def __init__(
        self, allowed: Sequence[Network] = (), allowed_hosts: Collection[str] = ()
    ) -> None:
        self._allowed = allowed
        self._allowed_hosts = {h.lower() for h in allowed_hosts}
        self._inner = httpcore.AnyIOBackend()

    @classmethod
    def for_config(cls, config: FetchConfig) -> PinnedBackend | None:
        """The guard [fetch] asks for; None when private networks are allowed."""
        if config.allow_private_networks:
            return None
        allowed = [ipaddress.ip_network(n, strict=False) for n in config.allowed_networks]
        return cls(allowed, config.allowed_hosts)

    async def addresses(self, host: str, port: int) -> list[str]:
        """Where `host` may be reached: all its addresses, each checked (raises
        BlockedDestination); an allowed host as it is named."""
        if host.lower() in self._allowed_hosts:
            return [host]
        return await resolve_checked(host, port, self._allowed)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.addresses(host, port)
        for address in addresses[:-1]:  # as a resolver-driven connect would: next on failure
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        return await self._inner.connect_tcp(
            addresses[-1], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedDestination("unix sockets are not reachable from a feed URL")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
