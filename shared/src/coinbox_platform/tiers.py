"""Membership tiers, their limits (docs/product.md §3.1) and the API tiers (docs/product.md
§4.2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    USER = "user"
    SUPPORT = "support"
    ADMIN = "admin"


class MembershipTier(StrEnum):
    BASIC = "basic"
    AMBASSADOR = "ambassador"
    VIP = "vip"
    BUSINESS = "business"


class KycStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class ApiTier(StrEnum):
    BASIC = "basic"
    PRO = "pro"
    ENTERPRISE = "enterprise"


@dataclass(frozen=True)
class TierLimits:
    """Limits in cents; None means unlimited."""

    loan_limit: int
    investment_limit: int
    crypto_max_per_trade: int | None
    crypto_weekly_volume: int | None
    max_open_crypto_orders: int | None
    api_tier: ApiTier


LIMITS: dict[MembershipTier, TierLimits] = {
    MembershipTier.BASIC: TierLimits(50_000, 500_000, 500_000, 1_500_000, 2, ApiTier.BASIC),
    MembershipTier.AMBASSADOR: TierLimits(
        100_000, 1_000_000, 2_000_000, 6_000_000, 5, ApiTier.BASIC
    ),
    MembershipTier.VIP: TierLimits(500_000, 5_000_000, 10_000_000, 30_000_000, 10, ApiTier.PRO),
    MembershipTier.BUSINESS: TierLimits(
        1_000_000, 10_000_000, None, None, None, ApiTier.ENTERPRISE
    ),
}

API_TIER_ORDER = [ApiTier.BASIC, ApiTier.PRO, ApiTier.ENTERPRISE]


def limits_for(tier: MembershipTier | str) -> TierLimits:
    return LIMITS[MembershipTier(tier)]


def api_tier_allowed(membership: MembershipTier | str, requested: ApiTier | str) -> bool:
    allowed = limits_for(membership).api_tier
    return API_TIER_ORDER.index(ApiTier(requested)) <= API_TIER_ORDER.index(allowed)


def is_staff(role: Role | str) -> bool:
    return Role(role) in (Role.SUPPORT, Role.ADMIN)
