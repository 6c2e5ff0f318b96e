"""Pure logic behind the issue 11 fixes (no emulator): SSRF classification of embedded IPv4
forms, the trusted-hop client IP, balance bounds, JSON depth, path ids, effective key powers,
per-user rate limits, secret stripping, event redaction, production origins, bounded usage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coinbox_platform.access import apikeys, ratelimit
from coinbox_platform.access.usage import Tally, reported
from coinbox_platform.api import app, idempotency
from coinbox_platform.api.call import Principal
from coinbox_platform.clientip import client_ip
from coinbox_platform.config import settings
from coinbox_platform.domain.ledger import Ledger, Move, Wallet
from coinbox_platform.domain.models import LedgerType, UserProfile
from coinbox_platform.errors import InvalidRequest, NotFound, UnprocessableRule
from coinbox_platform.money import MAX_CRYPTO_HOLDING, MAX_ZAR_BALANCE
from coinbox_platform.tiers import ApiTier, MembershipTier, Role
from coinbox_platform.webhooks.events import redact_for
from coinbox_platform.webhooks.urls import address_problem

NOW = datetime(2026, 6, 1, tzinfo=UTC)

# --- SSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "2002:0a00:0001::",  # 6to4 of 10.0.0.1
        "2002:ac10:0001::1",  # 6to4 of 172.16.0.1
        "2002:c0a8:0101::1",  # 6to4 of 192.168.1.1
        "2002:6440:0001::1",  # 6to4 of 100.64.0.1 (CGNAT)
        "2002:7f00:0001::1",  # 6to4 of 127.0.0.1: not this machine's loopback
        "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::1",  # local-use NAT64
        "::ffff:10.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::a00:1",  # IPv4-compatible
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    ],
)
def test_ipv6_forms_that_embed_a_private_ipv4_are_refused(address: str) -> None:
    assert address_problem(address, sandbox=False) is not None
    assert address_problem(address, sandbox=True) is not None


@pytest.mark.parametrize("address", ["2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_and_their_6to4_forms_pass(address: str) -> None:
    assert address_problem(address, sandbox=False) is None


def test_loopback_only_in_sandbox() -> None:
    assert address_problem("127.0.0.1", sandbox=True) is None
    assert address_problem("::ffff:127.0.0.1", sandbox=True) is None
    assert address_problem("127.0.0.1", sandbox=False) is not None


# --- client IP ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forwarded, peer, hops, expected",
    [
        ("6.6.6.6, 203.0.113.9", "10.0.0.2", 1, "203.0.113.9"),  # right-most: the front end's
        ("203.0.113.9", "10.0.0.2", 1, "203.0.113.9"),
        ('=HYPERLINK("x"), 203.0.113.9', None, 1, "203.0.113.9"),
        ("203.0.113.9, =1+1", "10.0.0.2", 1, "10.0.0.2"),  # garbage: the peer
        (None, "10.0.0.2", 1, "10.0.0.2"),
        ("1.1.1.1, 198.51.100.4, 203.0.113.9", "10.0.0.2", 2, "198.51.100.4"),
        ("1.1.1.1, 203.0.113.9", "10.0.0.2", 0, "10.0.0.2"),
        ("[2001:db8::1]:443", None, 1, "2001:db8::1"),
        ("203.0.113.9:5555", None, 1, "203.0.113.9"),
        (" 2001:DB8::A ", None, 1, "2001:db8::a"),
        ("=cmd|' /C calc'!A0", "not an ip", 1, None),
    ],
)
def test_client_ip_is_the_trusted_hops_entry(
    forwarded: str | None, peer: str | None, hops: int, expected: str | None
) -> None:
    assert client_ip(forwarded, peer, hops) == expected


# --- bounds -------------------------------------------------------------------------------


def _ledger(wallet: Wallet) -> Ledger:
    ledger = Ledger(None, NOW)  # type: ignore[arg-type]  # post() needs no transaction
    ledger._wallets[wallet.uid] = wallet
    return ledger


def test_a_wallet_never_goes_above_its_documented_maximum() -> None:
    ledger = _ledger(Wallet("u", balance=MAX_ZAR_BALANCE - 10))
    ledger.post("u", Move.CREDIT, 10, type=LedgerType.DEPOSIT)
    with pytest.raises(UnprocessableRule) as exc:
        ledger.post("u", Move.CREDIT, 1, type=LedgerType.DEPOSIT)
    assert exc.value.code == "balance_limit_exceeded"
    crypto = _ledger(Wallet("c", crypto={"BTC": {"available": MAX_CRYPTO_HOLDING, "locked": 0}}))
    with pytest.raises(UnprocessableRule):
        crypto.post("c", Move.CREDIT, 1, asset="BTC", type=LedgerType.DEPOSIT)
    crypto.post("c", Move.LOCK, 5, asset="BTC", type=LedgerType.CRYPTO_SELL)  # moves inside
    assert MAX_ZAR_BALANCE * 2 < 2**63 and MAX_CRYPTO_HOLDING * 2 < 2**63


# --- input --------------------------------------------------------------------------------


def test_deep_json_is_refused_before_any_recursion() -> None:
    for body in (b"[" * 100_000, b'{"a":' * 33 + b"1" + b"}" * 33):
        with pytest.raises(InvalidRequest) as exc:
            app.parse_json(body)
        assert exc.value.errors[0].code == "too_deep"
    assert app.parse_json(b'{"a":' * 31 + b"1" + b"}" * 31)
    with pytest.raises(InvalidRequest):
        app.parse_json(b"{nope")


@pytest.mark.parametrize("value", ["__x__", "__name__", "..", ".", "a/b", "a" * 129, "ü", ""])
def test_path_ids_that_could_not_be_ours_are_404(value: str) -> None:
    with pytest.raises(NotFound):
        app.check_path_ids({"id": value}, "/v1/x")


def test_ordinary_ids_pass() -> None:
    app.check_path_ids({"a": "loan_3kTq9ZxR2bVhN7mLpQ4sWc1d", "b": "BTC", "c": "demo-admin"}, "/")


# --- key powers ---------------------------------------------------------------------------


def _owner(tier: MembershipTier, role: Role = Role.USER) -> UserProfile:
    return UserProfile(id="u1", role=role, membership_tier=tier, created_at=NOW)


def _key(tier: ApiTier, scopes: tuple[str, ...], **kw: object) -> apikeys.ApiKey:
    return apikeys.ApiKey(
        id="key_x",
        user_id="u1",
        name="k",
        display_prefix="cb_live_xxxx",
        hash="",
        tier=tier,
        scopes=scopes,
        status="active",
        created_at=NOW,
        **kw,  # type: ignore[arg-type]
    )


def test_scope_intersection_resolves_wildcards() -> None:
    assert apikeys.intersect_scopes({"*"}, {"read:*"}) == {"read:*"}
    assert apikeys.intersect_scopes(
        {"write:*", "read:loans"}, apikeys.TIER_SCOPES[ApiTier.PRO]
    ) == {
        "read:loans",
        "write:loans",
        "write:investments",
        "write:crypto",
        "write:exports",
    }
    assert apikeys.intersect_scopes({"admin:api_keys"}, {"read:*"}) == frozenset()


def test_effective_powers_follow_the_owners_current_membership_and_role() -> None:
    key = _key(ApiTier.ENTERPRISE, ("*",))
    assert apikeys.effective(key, _owner(MembershipTier.BUSINESS)) == (ApiTier.ENTERPRISE, {"*"})
    assert apikeys.effective(key, _owner(MembershipTier.BASIC)) == (ApiTier.BASIC, {"read:*"})
    assert apikeys.effective(key, _owner(MembershipTier.VIP))[0] == ApiTier.PRO
    assert apikeys.effective(key, _owner(MembershipTier.BASIC, Role.ADMIN))[0] == "enterprise"
    granted = _key(ApiTier.ENTERPRISE, ("*",), admin_grant=True)
    assert apikeys.effective(granted, _owner(MembershipTier.BASIC))[0] == ApiTier.ENTERPRISE


def test_a_keys_end_is_its_expiry_or_its_grace() -> None:
    later = datetime(2026, 7, 1, tzinfo=UTC)
    assert _key(ApiTier.BASIC, ("read:*",)).ends_at() is None
    assert _key(ApiTier.BASIC, ("read:*",), expires_at=later, grace_until=NOW).ends_at() == NOW


# --- limits -------------------------------------------------------------------------------


def _principal(key_id: str, tier: str = "basic", ceiling: str = "basic") -> Principal:
    return Principal(
        user=_owner(MembershipTier.BASIC),
        kind="api_key",
        key_id=key_id,
        scopes=frozenset({"read:*"}),
        api_tier=tier,
        tier_ceiling=ceiling,
    )


def test_all_keys_of_a_user_share_the_users_limits() -> None:
    limiter = ratelimit.RateLimiter(ratelimit.MemorySlots(), clock=lambda: 1_000_000.0)
    first = ratelimit.policy_for(_principal("key_a"))
    second = ratelimit.policy_for(_principal("key_b"))
    assert [limiter.take_all(first).allowed for _ in range(10)] == [True] * 10
    refused = limiter.take_all(second)
    assert not refused.allowed and refused.tightest.window.limit == 10
    # The refusal handed back key_b's own token: a later request of key_b is not charged twice.
    assert limiter.store.highest("key_b:minute", 0) is None  # type: ignore[attr-defined]


def test_anonymous_traffic_is_limited_per_ip() -> None:
    limiter = ratelimit.RateLimiter(ratelimit.MemorySlots(), clock=lambda: 1_000_000.0)
    a, b = ratelimit.policy_for(None, "203.0.113.1"), ratelimit.policy_for(None, "203.0.113.2")
    limit = ratelimit.POLICIES["anonymous"][0].limit
    assert all(limiter.take_all(a).allowed for _ in range(limit))
    assert not limiter.take_all(a).allowed
    assert limiter.take_all(b).allowed


# --- secrets, redaction -------------------------------------------------------------------


def test_secrets_are_stripped_at_any_depth() -> None:
    body = {"id": "k", "secret": "cb_live_x", "previousKey": {"id": "o", "secret": "y"}}
    assert idempotency.without_secrets(body) == {"id": "k", "previousKey": {"id": "o"}}
    assert idempotency._has_secret(body) and not idempotency._has_secret({"id": "k"})


def test_the_borrower_gets_an_investment_without_the_investors_details() -> None:
    data = {
        "object": {
            "object": "investment",
            "investorId": "inv",
            "borrowerId": "bor",
            "fee": 1000,
            "expectedReturn": 5,
            "amount": 10,
        }
    }
    assert redact_for(data, "inv") == data
    seen = redact_for(data, "bor")["object"]
    assert (seen["investorId"], seen["fee"], seen["expectedReturn"]) == (None, None, None)
    assert seen["amount"] == 10 and seen["borrowerId"] == "bor"
    loan = {"object": {"object": "loan", "borrowerId": "bor"}}
    assert redact_for(loan, "someone") == loan


# --- configuration ------------------------------------------------------------------------


def test_production_refuses_to_start_without_portal_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("FIRESTORE_EMULATOR_HOST", "FUNCTIONS_EMULATOR", "COINBOX_SANDBOX"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("API_KEY_PEPPER", "p")
    monkeypatch.delenv("PORTAL_ORIGINS", raising=False)
    settings.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="PORTAL_ORIGINS"):
            settings()
        monkeypatch.setenv("PORTAL_ORIGINS", "https://coinbox.example")
        settings.cache_clear()
        assert settings().portal_origins == ("https://coinbox.example",)
        monkeypatch.delenv("PORTAL_ORIGINS")
        monkeypatch.setenv("COINBOX_SANDBOX", "1")
        settings.cache_clear()
        assert "http://localhost:5002" in settings().portal_origins  # sandbox only
    finally:
        settings.cache_clear()


# --- usage --------------------------------------------------------------------------------


def test_usage_memory_does_not_grow_with_the_number_of_logs() -> None:
    tally = Tally()
    latencies = [12.345, 20.0, 3.3, 150.129, 7.0]
    for i in range(100_000):
        tally.add(200, latencies[i % 5], None)
    assert tally.requests == 100_000 and len(tally.latency) == 5
    out = tally.to_api()["latencyMs"]
    ordered = sorted(latencies[i % 5] for i in range(100_000))
    assert out["p50"] == reported(ordered[49_999]) and out["p95"] == reported(ordered[94_999])
