"""Where the crawler may connect: the SSRF guard in front of every request.

A page can link or redirect anywhere, including to the machine the crawler runs on or its private network
(a router's admin page, a cloud metadata service). Before each request `check_target` resolves the host and
refuses loopback, private, link-local, multicast and reserved addresses unless the host was allowed on
purpose: a source with `allow_private = true` (the demo sites) or a URL the user named on the command line.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from crawler.errors import CrawlerError


class UnsafeTarget(CrawlerError):
    """A URL the crawler refuses to fetch; the message says why."""


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    bare = host.strip("[]")
    try:
        return [ipaddress.ip_address(bare)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(bare, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise CrawlerError(f"cannot resolve {host}: {exc}") from exc
    found = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        found.append(ipaddress.ip_address(address))
    return found


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def is_loopback_host(host: str) -> bool:
    """True when every address of `host` is a loopback address (what `--delay 0` is allowed for)."""
    try:
        addresses = _addresses(host.rsplit(":", 1)[0] if host.count(":") == 1 else host, 80)
    except CrawlerError:
        return False
    return bool(addresses) and all(a.is_loopback for a in addresses)


def check_target(url: str, allowed_private_hosts: frozenset[str] | set[str] = frozenset()) -> None:
    """Raise UnsafeTarget unless `url` is http(s) and its host resolves to public addresses only (or is allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(f"refused: only http and https are fetched, not {parts.scheme!r}")
    if parts.netloc in allowed_private_hosts or (parts.hostname or "") in allowed_private_hosts:
        return
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in _addresses(host, port):
        if not is_public(address):
            raise UnsafeTarget(
                f"refused: {host} is a private or loopback address ({address}); "
                "name it on the command line or set allow_private in its source to crawl it"
            )
