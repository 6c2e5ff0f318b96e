"""GET /v1/me: the caller's profile, tier, limits and usage."""

from __future__ import annotations

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import Me
from coinbox_platform.domain.wallets import get_wallet
from coinbox_platform.tiers import limits_for


@TABLE.route(
    "GET",
    "/v1/me",
    "me",
    summary="The caller's profile, tier limits and usage",
    response=Me,
    tags=("Account",),
)
def me(call: Call) -> Reply:
    user = call.user
    wallet = get_wallet(user.id)
    limits = limits_for(user.membership_tier)
    body = user.to_api() | {
        "limits": {
            "loanLimit": limits.loan_limit,
            "investmentLimit": limits.investment_limit,
            "cryptoMaxPerTrade": limits.crypto_max_per_trade,
            "cryptoWeeklyVolume": limits.crypto_weekly_volume,
            "maxOpenCryptoOrders": limits.max_open_crypto_orders,
            "apiTier": limits.api_tier.value,
        },
        "usage": {
            "activeInvested": wallet.active_invested,
            "cryptoWeeklyVolume": wallet.weekly_volume(call.now),
            "openCryptoOrders": wallet.open_orders,
        },
    }
    return Reply(body)
