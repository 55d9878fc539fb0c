"""Refuse destinations inside private networks.

A feed is a URL chosen by a stranger; without this check a redirect could make
newsmill read a router's admin page or a cloud metadata service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection, Sequence
from urllib.parse import urlsplit


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


async def check_destination(
    url: str, allowed: Sequence[Network] = (), allowed_hosts: Collection[str] = ()
) -> None:
    """Raise BlockedDestination if any address the host resolves to is forbidden.

    Every address is checked, not just the first, so a name with one public
    and one private record cannot slip through.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination(f"scheme {parts.scheme!r} is not allowed")
    host = parts.hostname
    if not host:
        raise BlockedDestination("URL has no host")
    if host.lower() in allowed_hosts:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise BlockedDestination(f"cannot resolve {host}: {exc.strerror}") from None
    for info in infos:
        address = str(info[4][0])
        if is_forbidden_address(address, allowed):
            raise BlockedDestination(
                f"{host} resolves to {address}, a private or local address "
                "(set fetch.allow_private_networks = true to allow it)"
            )
