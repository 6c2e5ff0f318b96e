"""Where webhooks may be sent: the SSRF guard, applied at creation and at every delivery.

A URL must be `https://`, carry no credentials, and its host must resolve only to public
addresses: no private, loopback, link-local (which includes 169.254.169.254), shared (CGNAT),
multicast, reserved or cloud metadata address, and no metadata host name. In sandbox mode
loopback (`127.0.0.1`, `localhost`, `::1`) is allowed, over http or https, so that local
receivers can be tested.

`check_url` returns the addresses it approved; the delivery connects to one of them (not to a
second lookup), so a DNS answer that changes between check and connect cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from coinbox_platform.errors import FieldError, InvalidRequest

MAX_URL = 2048
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
METADATA_IPS = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# IPv6 ranges that carry an IPv4 address, which is what they reach: NAT64 (well-known prefix),
# the deprecated IPv4-compatible form; local-use NAT64 is never public.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

Resolver = Callable[[str, int], list[str]]


class UnsafeUrl(InvalidRequest):
    code = "unsafe_url"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, at least "/"
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _refuse(detail: str, code: str = "unsafe_url") -> UnsafeUrl:
    return UnsafeUrl(detail, code=code, errors=[FieldError("url", detail, code)])


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and would reach: 6to4 (2002::/16), NAT64
    (64:ff9b::/96), Teredo (2001::/32: server and client), IPv4-compatible (::a.b.c.d)."""
    out: list[ipaddress.IPv4Address] = []
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def address_problem(address: str, *, sandbox: bool) -> str | None:
    """Why a resolved address may not receive webhooks, or None if it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return "a non-public address"
        for inner in embedded_ipv4(ip):
            # What the embedded IPv4 address reaches counts; loopback is never a local
            # receiver here (the connection goes to a gateway, not to this machine).
            problem = address_problem(str(inner), sandbox=False)
            if problem:
                return problem + f" (embedded in {ip})"
    if ip in METADATA_IPS:
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if sandbox else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private or ip in ipaddress.ip_network("100.64.0.0/10"):
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a non-public address"
    return None


def check_url(
    url: str, *, sandbox: bool, local_only: bool = False, resolve: Resolver = system_resolver
) -> Target:
    """Parse and vet a webhook URL; raises UnsafeUrl (a 400 on field `url`) if refused.

    `local_only` (the local emulator stack) admits loopback addresses only: a stack that runs
    on a developer's or CI's machine never sends traffic anywhere else."""
    if len(url) > MAX_URL:
        raise _refuse(f"The URL is longer than {MAX_URL} characters.", "invalid_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse("The URL is not valid.", "invalid_url") from exc
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise _refuse("The URL must be an absolute https:// URL.", "invalid_url")
    if parts.username is not None or parts.password is not None:
        raise _refuse("The URL must not contain credentials.", "invalid_url")
    if parts.fragment:
        raise _refuse("The URL must not contain a fragment.", "invalid_url")
    if host in METADATA_HOSTS or host.endswith(".internal"):
        raise _refuse("The URL points at a cloud metadata or internal host.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise _refuse(f"The host {host} does not resolve.", "unresolvable_host") from exc
        if not addresses:
            raise _refuse(f"The host {host} does not resolve.", "unresolvable_host")
    for address in addresses:
        problem = address_problem(address, sandbox=sandbox)
        if problem:
            raise _refuse(f"The URL's host resolves to {problem}, which cannot receive webhooks.")
    loopback_only = all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    if local_only and not loopback_only:
        raise _refuse(
            "The local emulator stack delivers webhooks to 127.0.0.1 / localhost only.",
            "local_stack_loopback_only",
        )
    if parts.scheme != "https" and not (sandbox and loopback_only):
        raise _refuse("The URL must use https://.", "https_required")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, tuple(addresses))
