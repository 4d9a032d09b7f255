"""Which network addresses the service may connect to on a caller's behalf."""

from __future__ import annotations

import ipaddress
import socket

import anyio


class Unresolvable(Exception):
    """The host name does not resolve."""


def is_public_unicast(address: str) -> bool:
    """Whether an address is globally routable unicast (`is_global` alone lets multicast pass)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_public_unicast(str(embedded))
        if ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


async def resolve(*, host: str, port: int) -> list[str]:
    """Every address a host name resolves to (the system resolver, as a connection would)."""
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:  # IDNA refusals are ValueErrors (UnicodeError)
        raise Unresolvable(host) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Unresolvable(host)
    return list(dict.fromkeys(addresses))
