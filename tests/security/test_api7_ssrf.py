"""OWASP API7:2023 Server Side Request Forgery: webhook URLs that would make the platform call
inside its own network (issue 11, finding 15: 6to4 and other IPv6 forms that embed a private
IPv4 address got through)."""

from __future__ import annotations

import pytest

from tests.security.helpers import problem
from tests.support import ApiUser, make_api_user

pytestmark = pytest.mark.stack

# Held before issue 11: refused whatever the stack (the local stack also refuses any
# non-loopback host, so each must be refused for being unsafe, not only for being remote).
REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.169.254/computeMetadata/v1/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://metadata/computeMetadata/v1/",
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://224.0.0.1/hook",
    "https://255.255.255.255/hook",
    "https://2852039166/hook",  # 169.254.169.254 as one decimal number
    "https://0xa9fea9fe/hook",  # … in hex
    "https://0251.0376.0251.0376/hook",  # … in octal
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://service.internal/hook",
]
# Finding 15: IPv6 addresses that carry a private or metadata IPv4 address.
EMBEDDED = [
    "https://[2002:a9fe:a9fe::1]/hook",  # 6to4 of 169.254.169.254
    "https://[2002:0a00:0001::1]/hook",  # 6to4 of 10.0.0.1
    "https://[2002:c0a8:0101::1]/hook",  # 6to4 of 192.168.1.1
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64
    "https://[::a00:1]/hook",  # IPv4-compatible 10.0.0.1
    "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook",  # Teredo, client 10.0.0.1
]
MALFORMED = [
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/_x",
    "ftp://example.com/x",
    "https://user:pass@127.0.0.1/hook",
    "https:///nohost",
    "https://127.0.0.1/hook#frag",
]


@pytest.fixture(scope="module")
def user() -> ApiUser:
    return make_api_user()


@pytest.mark.parametrize("url", REFUSED + EMBEDDED)
def test_internal_addresses_are_refused_as_unsafe(user: ApiUser, url: str) -> None:
    body = problem(user.post("/webhooks", json={"url": url, "events": ["*"]}), 400)
    assert body["code"] == "unsafe_url", body


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_webhook_urls_are_refused(user: ApiUser, url: str) -> None:
    body = problem(user.post("/webhooks", json={"url": url, "events": ["*"]}), 400)
    assert body["code"] in ("invalid_url", "unsafe_url"), body


@pytest.mark.parametrize("url", EMBEDDED[:3])
def test_an_endpoint_cannot_be_moved_to_an_embedded_private_address(url: str) -> None:
    """Finding 15 on PATCH as well: the check runs on every URL change."""
    owner = make_api_user()
    hook = owner.post("/webhooks", json={"url": "http://127.0.0.1:9/ok", "events": ["*"]})
    assert hook.status_code == 201, hook.text
    body = problem(owner.patch(f"/webhooks/{hook.json()['id']}", json={"url": url}), 400)
    assert body["code"] == "unsafe_url"
