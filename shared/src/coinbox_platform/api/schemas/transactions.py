"""Ledger entries at the API boundary: a transaction as the API shows it (one definition,
from the stored `LedgerEntry`) and the query of the caller's ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from coinbox_platform.api.schemas import ListParams, Page, resource_fields
from coinbox_platform.domain.models import LedgerEntry, LedgerStatus, LedgerType

LedgerAsset = Literal["ZAR", "BTC", "ETH", "USDT", "USDC"]

# How the API shows a stored entry: crypto amounts (stored in atoms) as decimal strings, so
# each amount is an integer (ZAR cents) or a string; times as ISO strings.
_AMOUNT = int | str
TRANSACTION_DOCS = {
    "id": Field(examples=["txn_4f9Qm2ZkT1sX8bYp0aLcVd3e"]),
    "object": (Literal["transaction"], Field("transaction")),
    "amount": (_AMOUNT, Field(examples=[150000])),
    "asset": (LedgerAsset, Field(examples=["ZAR"])),
    "balance_before": (_AMOUNT, Field(description="Available amount of the asset before.")),
    "balance_after": (_AMOUNT, Field(description="Available amount of the asset after.")),
    "locked_before": (_AMOUNT, Field()),
    "locked_after": (_AMOUNT, Field()),
    "wallet_version": Field(description="Numbers the wallet's changes 1, 2, 3… (no gaps)."),
    "description": Field(None, examples=["Sandbox deposit"]),
    "loan_id": Field(None),
    "investment_id": Field(None),
    "order_id": Field(None),
    "related_transaction_id": Field(None, description="For a refund: the withdrawal it refunds."),
    "batch_id": Field(None),
    "failure_reason": Field(None, examples=["payout_rejected"]),
    "created_at": (str, Field(examples=["2025-01-31T09:15:00.000Z"])),
    "updated_at": (str | None, Field(None)),
}


class Transaction(resource_fields(LedgerEntry, TRANSACTION_DOCS)):  # type: ignore[misc]
    """A ledger entry: one change of one wallet. ZAR amounts are integer cents; crypto amounts
    (asset BTC, ETH, USDT, USDC) are decimal strings."""


# A loan's repayment entries (GET /v1/loans/{loanId}/repayments): always ZAR, so amounts are
# the stored integers.
REPAYMENT_DOCS = {
    "id": Field(examples=["txn_8fHq2LmN4pR6sT0vX1zB3cD5"]),
    "type": Field(examples=["repayment"]),
    "amount": Field(examples=[50000]),
    "asset": Field(examples=["ZAR"]),
    "direction": (str, Field(examples=["debit", "credit"])),
    "status": (str, Field(examples=["completed"])),
}


class RepaymentEntry(resource_fields(LedgerEntry, REPAYMENT_DOCS)):  # type: ignore[misc]
    """A repayment ledger entry of the caller's wallet (a `transaction` object)."""


class TransactionList(Page[Transaction]):
    pass


class TransactionQuery(ListParams):
    type: LedgerType | None = Field(None, description="Only entries of this type.")
    status: LedgerStatus | None = Field(None, description="Only entries in this status.")
    asset: LedgerAsset | None = Field(None, description="Only entries of this asset.")
    from_: datetime | None = Field(
        None,
        alias="from",
        description="Only entries created at or after this time (ISO 8601; UTC if no offset).",
    )
    to: datetime | None = Field(
        None, description="Only entries created before this time (ISO 8601; UTC if no offset)."
    )

    @field_validator("from_", "to")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TransactionQuery:
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise ValueError("`from` must be earlier than `to`")
        return self
