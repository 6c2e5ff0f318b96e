"""tiers.py: the membership tier table (docs/product.md §3.1) and API tiers (docs/product.md
§4.2)."""

from __future__ import annotations

import pytest

from coinbox_platform.tiers import (
    LIMITS,
    ApiTier,
    MembershipTier,
    Role,
    TierLimits,
    api_tier_allowed,
    is_staff,
    limits_for,
)

R = 100  # cents per rand

SPEC_TABLE = {
    # tier: loan, investment, crypto per trade, weekly volume, max open orders, api tier
    "basic": (500 * R, 5_000 * R, 5_000 * R, 15_000 * R, 2, "basic"),
    "ambassador": (1_000 * R, 10_000 * R, 20_000 * R, 60_000 * R, 5, "basic"),
    "vip": (5_000 * R, 50_000 * R, 100_000 * R, 300_000 * R, 10, "pro"),
    "business": (10_000 * R, 100_000 * R, None, None, None, "enterprise"),
}


@pytest.mark.parametrize("tier", list(SPEC_TABLE))
def test_limits_match_the_spec_table(tier: str) -> None:
    loan, invest, per_trade, weekly, max_open, api = SPEC_TABLE[tier]
    assert limits_for(tier) == TierLimits(loan, invest, per_trade, weekly, max_open, ApiTier(api))
    assert limits_for(MembershipTier(tier)) is LIMITS[MembershipTier(tier)]


def test_every_tier_has_limits() -> None:
    assert set(LIMITS) == set(MembershipTier)


def test_unknown_tier_is_an_error() -> None:
    with pytest.raises(ValueError):
        limits_for("gold")


@pytest.mark.parametrize(
    ("membership", "allowed"),
    [
        ("basic", {"basic"}),
        ("ambassador", {"basic"}),
        ("vip", {"basic", "pro"}),
        ("business", {"basic", "pro", "enterprise"}),
    ],
)
def test_api_tier_allowed(membership: str, allowed: set[str]) -> None:
    for api in ApiTier:
        assert api_tier_allowed(membership, api) is (api.value in allowed)


def test_is_staff() -> None:
    assert is_staff(Role.SUPPORT) and is_staff("admin")
    assert not is_staff(Role.USER)
    with pytest.raises(ValueError):
        is_staff("root")
