"""The client's IP address, from the hop the platform trusts (finding 10 of issue 11).

`X-Forwarded-For` is a list that every proxy *appends* to: ``client-supplied…, seen-by-hop-1,
seen-by-hop-2``. Entries on the left are whatever the client chose to send, so they are never
used. On Cloud Functions (2nd gen, Cloud Run underneath) Google's front end appends the address
it accepted the connection from as the **right-most** entry, and nothing the client sends can
come after it: that entry is the one to trust. `COINBOX_TRUSTED_PROXY_HOPS` (default 1) says
how many trusted proxies append to the header; the client is the entry that many places from
the right. With no usable entry (no header, not an IP address) the socket's peer address is
used. Whatever is returned is a normalised IP address, never free text, so a recorded IP can
never carry a spreadsheet formula or a log-injection payload.

The local emulator stack has no front end that appends: there the right-most entry is what the
test client sent, which lets the tests act as distinct clients (docs/security.md).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Request


def _ip(text: str | None) -> str | None:
    if not text:
        return None
    value = text.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1 and "." in value:  # "203.0.113.7:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None


def trusted_hops() -> int:
    from coinbox_platform.config import settings

    return settings().trusted_proxy_hops


def client_ip(
    forwarded_for: str | None, remote_addr: str | None, hops: int | None = None
) -> str | None:
    """The client address: the entry `hops` places from the right of X-Forwarded-For (the one
    the trusted front end appended), else the peer address; None if neither is an IP."""
    hops = trusted_hops() if hops is None else hops
    if hops > 0 and forwarded_for:
        entries = [e for e in forwarded_for.split(",")]
        if len(entries) >= hops:
            found = _ip(entries[-hops])
            if found is not None:
                return found
    return _ip(remote_addr)


def request_ip(request: Request) -> str | None:
    """The client's IP of a request (what the rate limits, logs and key records use)."""
    return client_ip(request.headers.get("X-Forwarded-For"), request.remote_addr)
