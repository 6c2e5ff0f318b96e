"""Ledger entries at the API boundary: a transaction as the API shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coinbox_platform.api.schemas import ApiModel
from coinbox_platform.domain.models import Direction, LedgerStatus, LedgerType

LedgerAsset = Literal["ZAR", "BTC", "ETH", "USDT", "USDC"]


class Transaction(ApiModel):
    """A ledger entry: one change of one wallet. ZAR amounts are integer cents; crypto amounts
    (asset BTC, ETH, USDT, USDC) are decimal strings."""

    id: str = Field(examples=["txn_4f9Qm2ZkT1sX8bYp0aLcVd3e"])
    object: Literal["transaction"] = "transaction"
    user_id: str
    type: LedgerType
    amount: int | str = Field(examples=[150000])
    asset: LedgerAsset = Field(examples=["ZAR"])
    direction: Direction
    balance_before: int | str = Field(description="Available amount of the asset before.")
    balance_after: int | str = Field(description="Available amount of the asset after.")
    locked_before: int | str
    locked_after: int | str
    status: LedgerStatus
    wallet_version: int = Field(description="Numbers the wallet's changes 1, 2, 3… (no gaps).")
    description: str | None = Field(None, examples=["Sandbox deposit"])
    loan_id: str | None = None
    investment_id: str | None = None
    order_id: str | None = None
    related_transaction_id: str | None = Field(
        None, description="For a refund: the withdrawal it refunds."
    )
    batch_id: str | None = None
    failure_reason: str | None = Field(None, examples=["payout_rejected"])
    created_at: str = Field(examples=["2025-01-31T09:15:00.000Z"])
    updated_at: str | None = None
