"""The SSRF guard refuses private, loopback (outside sandbox), link-local and metadata hosts."""

from __future__ import annotations

import pytest

from coinbox_platform.webhooks.urls import UnsafeUrl, check_url


def resolver(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "url, addresses",
    [
        ("https://hooks.example.com/x", ("10.1.2.3",)),
        ("https://hooks.example.com/x", ("93.184.216.34", "172.16.0.1")),  # any bad one
        ("https://hooks.example.com/x", ("169.254.169.254",)),
        ("https://hooks.example.com/x", ("100.64.0.1",)),
        ("https://hooks.example.com/x", ("::ffff:127.0.0.1",)),
        ("https://hooks.example.com/x", ("fe80::1",)),
        ("https://metadata.google.internal/", ("93.184.216.34",)),
        ("https://127.0.0.1/x", ()),
        ("https://localhost/x", ("127.0.0.1",)),
        ("http://hooks.example.com/x", ("93.184.216.34",)),
    ],
)
def test_refused_outside_sandbox(url: str, addresses: tuple[str, ...]) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, sandbox=False, resolve=resolver(*addresses))


def test_public_https_is_accepted_and_pinned() -> None:
    target = check_url(
        "https://hooks.example.com:8443/in?a=1", sandbox=False, resolve=resolver("93.184.216.34")
    )
    assert target.addresses == ("93.184.216.34",)
    assert (target.path, target.host_header) == ("/in?a=1", "hooks.example.com:8443")


def test_sandbox_allows_loopback_over_http_but_not_private() -> None:
    assert check_url("http://127.0.0.1:9/x", sandbox=True).addresses == ("127.0.0.1",)
    check_url("http://localhost:9/x", sandbox=True, resolve=resolver("127.0.0.1", "::1"))
    with pytest.raises(UnsafeUrl):
        check_url("http://192.168.0.10/x", sandbox=True)
    with pytest.raises(UnsafeUrl):
        check_url("http://example.org/x", sandbox=True, resolve=resolver("93.184.216.34"))


def test_unresolvable_host_is_refused() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(UnsafeUrl) as err:
        check_url("https://nowhere.invalid/", sandbox=False, resolve=fail)
    assert err.value.code == "unresolvable_host"


@pytest.mark.parametrize(
    "url, addresses",
    [
        ("https://8.8.8.8/hook", ()),
        ("https://hooks.example.com/x", ("93.184.216.34",)),
        ("https://mixed.example.com/x", ("127.0.0.1", "93.184.216.34")),
    ],
)
def test_the_local_stack_delivers_to_loopback_only(url: str, addresses: tuple[str, ...]) -> None:
    with pytest.raises(UnsafeUrl) as exc:
        check_url(url, sandbox=True, local_only=True, resolve=lambda host, port: list(addresses))
    assert exc.value.code == "local_stack_loopback_only"
    ok = check_url("http://127.0.0.1:9/x", sandbox=True, local_only=True)
    assert ok.addresses == ("127.0.0.1",)


def test_plain_http_to_a_public_host_needs_https() -> None:
    with pytest.raises(UnsafeUrl) as exc:
        check_url("http://hooks.example.com/x", sandbox=False, resolve=resolver("93.184.216.34"))
    assert exc.value.code == "https_required"
