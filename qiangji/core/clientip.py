"""Who is asking: the client's address, believed from X-Forwarded-For only when it comes from a
trusted reverse proxy (QIANGJI_TRUSTED_PROXIES).

Anyone can send X-Forwarded-For; only the hops our own proxies appended are worth anything. So
the header is read from the right, trusted proxies are skipped, and the first address that is
not one of ours is the client (the "rightmost untrusted hop"). Audit rows, login attempts and
every public rate limit use this one function.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"QIANGJI_TRUSTED_PROXIES 中的“{entry}”不是有效的地址或网段") from None
    return tuple(networks)


def _address(value: str | None) -> IPAddress | None:
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress) -> bool:
    return any(address in network for network in _networks(tuple(settings.QIANGJI_TRUSTED_PROXIES)))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as a string, or None when the connection has none."""
    if request is None:
        return None
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    client = peer
    if _trusted(peer):
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                # Garbage in a chain: what lies left of it cannot be trusted either; the last
                # hop we could read (a proxy of ours) stands for the client.
                break
            client = address
            if not _trusted(address):
                break
    return str(client)
