"""API key format, checksum, hashing and scope rules (no I/O)."""

from __future__ import annotations

import zlib

import pytest

from coinbox_platform.access import apikeys
from coinbox_platform.config import settings
from coinbox_platform.ids import ALPHABET
from coinbox_platform.tiers import ApiTier


@pytest.fixture(autouse=True)
def pepper(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("API_KEY_PEPPER", "unit-test-pepper")
    monkeypatch.setenv("PORTAL_ORIGINS", "https://portal.example")  # production needs them
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_generated_keys_have_prefix_random_body_and_checksum() -> None:
    seen = set()
    for _ in range(200):
        key = apikeys.generate_key()
        assert key.startswith("cb_live_")
        assert len(key) == 46
        assert all(c in ALPHABET for c in key[8:])
        apikeys.check_format(key)
        seen.add(key)
    assert len(seen) == 200


def test_checksum_is_base62_crc32_of_everything_before_it() -> None:
    key = apikeys.generate_key()
    body, check = key[:-6], key[-6:]
    value = 0
    for c in check:
        value = value * 62 + ALPHABET.index(c)
    assert value == zlib.crc32(body.encode())


def test_base62_pads_and_refuses_overflow() -> None:
    assert apikeys.base62(0, 6) == "000000"
    assert apikeys.base62(61, 2) == "0z"
    assert apikeys.base62(2**32 - 1, 6) == apikeys.base62(2**32 - 1, 6).rjust(6, "0")
    with pytest.raises(ValueError):
        apikeys.base62(62**3, 3)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"), "bad_checksum"),
        (lambda k: k[:20] + ("x" if k[20] != "x" else "y") + k[21:], "bad_checksum"),
        (lambda k: k[:-1], "malformed"),
        (lambda k: k + "0", "malformed"),
        (lambda k: k[:10] + "-" + k[11:], "malformed"),
        (lambda k: "sk_live_" + k[8:], "malformed"),
        (lambda k: "cb_test_" + k[8:], "test_key"),
        (lambda k: "", "malformed"),
    ],
)
def test_malformed_and_mistyped_keys_are_recognised_without_io(mutate: object, reason: str) -> None:
    key = apikeys.generate_key()
    with pytest.raises(apikeys.KeyFormatError) as err:
        apikeys.check_format(mutate(key))  # type: ignore[operator]
    assert err.value.reason == reason


def test_hash_and_id_are_deterministic_peppered_and_do_not_contain_the_key() -> None:
    key = apikeys.generate_key()
    assert apikeys.key_hash(key) == apikeys.key_hash(key)
    assert apikeys.key_id(key) == apikeys.key_id(key)
    assert apikeys.key_id(key).startswith("key_") and len(apikeys.key_id(key)) == 28
    other = apikeys.generate_key()
    assert apikeys.key_id(key) != apikeys.key_id(other)
    assert key[8:] not in apikeys.key_hash(key) + apikeys.key_id(key)
    first = apikeys.key_hash(key), apikeys.key_id(key)
    import os

    os.environ["API_KEY_PEPPER"] = "another-pepper"
    settings.cache_clear()
    assert (apikeys.key_hash(key), apikeys.key_id(key)) != first  # the pepper matters


def test_scope_wildcards() -> None:
    assert apikeys.covers({"*"}, "write:loans")
    assert apikeys.covers({"read:*"}, "read:wallet")
    assert not apikeys.covers({"read:*"}, "write:wallet")
    assert not apikeys.covers({"write:loans"}, "write:*")
    assert not apikeys.covers({"read:*"}, "admin:api_keys")
    assert apikeys.covers({"admin:api_keys"}, "admin:api_keys")


def test_scopes_must_lie_within_the_tier() -> None:
    assert apikeys.validate_scopes(ApiTier.BASIC, ["read:loans", "read:loans"]) == ["read:loans"]
    assert apikeys.validate_scopes(ApiTier.PRO, ["write:loans", "read:*"]) == [
        "read:*",
        "write:loans",
    ]
    assert apikeys.validate_scopes(ApiTier.ENTERPRISE, ["*", "admin:api_keys"])
    for tier, scopes in [
        (ApiTier.BASIC, ["write:loans"]),
        (ApiTier.PRO, ["write:wallet"]),
        (ApiTier.PRO, ["write:*"]),
        (ApiTier.PRO, ["admin:api_keys"]),
        (ApiTier.BASIC, ["read:nothing"]),
        (ApiTier.BASIC, []),
    ]:
        with pytest.raises(apikeys.InvalidRequest):
            apikeys.validate_scopes(tier, scopes)
