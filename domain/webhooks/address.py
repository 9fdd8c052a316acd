"""Where a webhook may be sent. In production only to public addresses (no SSRF into the
merchant's network): a URL whose host is, or resolves to, a private, loopback, link-local,
multicast or reserved address is refused at registration and again at every delivery, which then
connects to the address it checked, so a DNS change in between cannot point it inward."""
import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the URL (the Host header, TLS's server name)
    port: int
    path: str  # with the query


class NotAllowed(ValueError):
    """The URL or an address it resolves to may not be called (the message says why)."""


def parse(url: str, *, production: bool) -> Target:
    """HTTPS; plain HTTP only to a loopback host outside production. No credentials in the URL
    (they would be a secret shown to every staff member)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise NotAllowed("not a valid URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or len(url) > 2000:
        raise NotAllowed("an https:// URL with a host is needed")
    if parts.username or parts.password:
        raise NotAllowed("a URL must not carry a user name or password")
    if parts.fragment:
        raise NotAllowed("a URL must not have a #fragment")
    if parts.scheme == "http" and (production or not _loopback_name(host)):
        raise NotAllowed("plain http:// is allowed only to localhost, in development")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _loopback_name(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# NAT64: the well-known prefix carries the IPv4 address a gateway forwards to in its last 32 bits
# (RFC 6052); the local-use prefix (RFC 8215) is the network's own, never public.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one reaches that IPv4 host: judge it by that address.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip.teredo is not None:
            ip = ip.teredo[1]
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip in _NAT64_LOCAL:
            return False
    return ip.is_global and not ip.is_multicast


async def resolve(target: Target, *, production: bool) -> str:
    """The address to connect to: every address the host resolves to must be allowed (a name with
    one private address among public ones is refused), and the first is used."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise NotAllowed(f"{target.host} does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise NotAllowed(f"{target.host} does not resolve")
    if production:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise NotAllowed(f"{target.host} resolves to a non-public address ({refused[0]})")
    return addresses[0]
