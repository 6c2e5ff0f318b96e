"""The wallet at the API boundary: the wallet as the API shows it (ZAR in cents, crypto as
decimal strings) and the request models of a sandbox deposit and a withdrawal."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coinbox_platform.api.schemas import ApiModel
from coinbox_platform.domain import wallets
from coinbox_platform.money import Asset

MAX_WITHDRAWAL = 10_000_000_000  # R100,000,000: far above any wallet; keeps values in int64


class CryptoHolding(ApiModel):
    available: str = Field(examples=["0.01500000"])
    locked: str = Field(examples=["0.00000000"])


class WalletOut(ApiModel):
    """The caller's wallet. ZAR in integer cents; crypto as decimal strings."""

    object: Literal["wallet"] = "wallet"
    user_id: str
    currency: Literal["ZAR"] = "ZAR"
    balance: int = Field(description="Available ZAR, in cents.", examples=[150000])
    locked: int = Field(description="ZAR held by open buy listings, in cents.", examples=[0])
    crypto: dict[Asset, CryptoHolding] = Field(
        description="Every asset, zero when not held.",
        examples=[
            {
                "BTC": {"available": "0.01500000", "locked": "0.00000000"},
                "ETH": {"available": "0.00000000", "locked": "0.00000000"},
                "USDT": {"available": "0.000000", "locked": "0.000000"},
                "USDC": {"available": "0.000000", "locked": "0.000000"},
            }
        ],
    )
    active_invested: int = Field(
        description="Principal of active investments, in cents.", examples=[0]
    )


class DepositIn(ApiModel):
    """Either `amount` (ZAR cents) or `asset` and `quantity` (a decimal string)."""

    amount: int | None = Field(
        None, strict=True, gt=0, le=wallets.MAX_SANDBOX_DEPOSIT, examples=[150000]
    )
    asset: Asset | None = Field(None, examples=["BTC"])
    quantity: str | None = Field(None, max_length=32, examples=["0.015"])


class WithdrawalIn(ApiModel):
    amount: int = Field(strict=True, gt=0, le=MAX_WITHDRAWAL, examples=[50000])
