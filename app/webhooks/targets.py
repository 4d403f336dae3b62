"""Where a webhook may be sent. A target on a loopback, private, link-local (cloud metadata),
shared, multicast or reserved address is refused unless WEBHOOK_ALLOWED_HOSTS names it (a host
name, an address or a CIDR range): when the subscription is made, and again at each delivery after
resolving the name, the connection then going to the very address that was checked (so a name
that resolves elsewhere a second later, DNS rebinding, cannot reach an inner service)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """The target may not be reached; the message says why."""


@dataclass(frozen=True)
class Target:
    url: str  # with the checked address in place of the host name
    host: str  # the name, for the Host header and TLS (SNI, certificate)
    host_header: str
    address: Address


@dataclass(frozen=True)
class Allowed:
    names: frozenset[str]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def parse(cls, entries: Sequence[str]) -> Allowed:
        names: set[str] = set()
        networks = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def permits(self, host: str, address: Address) -> bool:
        if host.lower().rstrip(".") in self.names:
            return True
        return any(address in net for net in self.networks if net.version == address.version)


# IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at: IPv4-compatible
# (deprecated, ::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 well-known and local-use.
_LOW_32_IPV4 = tuple(
    ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, translated, NAT64, 6to4,
    Teredo's server and client): each is where the request may really go."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    if any(address in net for net in _LOW_32_IPV4):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def _global(address: Address) -> bool:
    return address.is_global and not address.is_multicast


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded:
            return all(_global(a) for a in embedded)
    return _global(address)


def check_url(url: str) -> tuple[str, int, str]:
    """(host, port, scheme) of an acceptable webhook URL, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"not a valid URL: {exc}") from exc
    if any(c.isspace() or not c.isprintable() for c in url):
        raise Refused("the URL may not contain spaces or control characters")
    if parts.scheme not in ("http", "https"):
        raise Refused("the URL must be http:// or https://")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("the URL may not carry a user name or password")
    if parts.fragment:
        raise Refused("the URL may not have a #fragment")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80), parts.scheme


async def resolve(url: str, allowed: Allowed) -> Target:
    """The address to connect to for `url`, every address the name has being checked."""
    host, port, scheme = check_url(url)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise Refused(f"{host} does not resolve: {exc.strerror or exc}") from exc
        except (UnicodeError, ValueError) as exc:  # an empty or over-long label, say `a..b`
            raise Refused(f"{host} is not a valid host name ({exc})") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        if not addresses:
            raise Refused(f"{host} does not resolve")
    for address in addresses:
        if not _public(address) and not allowed.permits(host, address):
            raise Refused(
                f"{host} is {address}, a private, loopback or link-local address; "
                "WEBHOOK_ALLOWED_HOSTS must name it"
            )
    address = addresses[0]
    parts = urlsplit(url)
    shown = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{shown}:{port}"
    path = parts.path or "/"
    return Target(
        url=f"{scheme}://{netloc}{path}" + (f"?{parts.query}" if parts.query else ""),
        host=host,
        host_header=parts.netloc.rsplit("@", 1)[-1],
        address=address,
    )
