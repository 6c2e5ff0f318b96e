"""Loans at the API boundary: the request models, the loan as the API shows it (one definition,
used by the loans, investments and bulk families and the OpenAPI document) and the loans
family's lists (the caller's loans, the marketplace, a loan's repayments)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from coinbox_platform.api.schemas import ApiModel, ListParams, Page, cursor_after, resource_fields
from coinbox_platform.api.schemas.transactions import RepaymentEntry
from coinbox_platform.domain.loans import MAX_PURPOSE, MAX_RATE, MAX_TERM, MIN_RATE, MIN_TERM
from coinbox_platform.domain.models import Loan, LoanStatus

# A single request moves at most R1,000,000; larger numbers are refused at the boundary (they
# could not be a loan of any tier, and Firestore integers are 64-bit).
MAX_AMOUNT = 100_000_000


LOAN_ID_PATTERN = r"^loan_[0-9A-Za-z]{1,64}$"


TXN_ID_PATTERN = r"^txn_[0-9A-Za-z]{1,64}$"


_LOAN_EXAMPLE: dict[str, Any] = {
    "id": "loan_3kTq9ZxR2bVhN7mLpQ4sWc1d",
    "object": "loan",
    "borrowerId": "Yh3LQ0aC7rVn2sKp9WmXe4TbJd81",
    "amount": 150000,
    "interestRate": 18,
    "termDays": 30,
    "purpose": "Stock for my spaza shop",
    "status": "approved",
    "reason": None,
    "investorId": None,
    "investmentId": None,
    "totalDue": None,
    "repaid": 0,
    "dueAt": None,
    "expiresAt": "2025-01-08T09:30:00.000Z",
    "createdAt": "2025-01-01T09:30:00.000Z",
    "updatedAt": None,
    "disbursedAt": None,
    "completedAt": None,
    "batchId": None,
}


class LoanCreate(ApiModel):
    """A loan request. The automatic review decides at once: `approved` (open for funding for
    7 days) or `rejected` with a `reason`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount": 150000,
                    "interestRate": 18,
                    "termDays": 30,
                    "purpose": "Stock for my spaza shop",
                }
            ]
        }
    )

    amount: int = Field(
        strict=True,
        ge=1,
        le=MAX_AMOUNT,
        description="Principal in ZAR cents (150000 is R1,500.00).",
        examples=[150000],
    )
    interest_rate: int = Field(
        strict=True,
        ge=MIN_RATE,
        le=MAX_RATE,
        description="Interest for the whole term, in percent.",
        examples=[18],
    )
    term_days: int = Field(
        strict=True, ge=MIN_TERM, le=MAX_TERM, description="Days to repay.", examples=[30]
    )
    purpose: str = Field(
        min_length=1,
        max_length=MAX_PURPOSE,
        description="What the money is for.",
        examples=["Stock for my spaza shop"],
    )


class RepaymentCreate(ApiModel):
    """A repayment: at most what is outstanding (`totalDue - repaid`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": 50000}]})

    amount: int = Field(
        strict=True, ge=1, le=MAX_AMOUNT, description="ZAR cents to repay.", examples=[50000]
    )


LOAN_DOCS = {
    "amount": Field(description="Principal in ZAR cents.", examples=[150000]),
    "interest_rate": Field(description="Percent for the whole term.", examples=[18]),
    "term_days": Field(examples=[30]),
    "reason": Field(
        description="Why the automatic review rejected the loan: kyc_not_verified, "
        "over_tier_loan_limit or borrower_has_defaulted_loan.",
        examples=[None, "kyc_not_verified"],
    ),
    "total_due": Field(
        description="Principal plus interest in cents, set when funded.", examples=[177000]
    ),
    "repaid": Field(description="Cents repaid so far.", examples=[0]),
    "expires_at": Field(description="End of the 7-day funding window."),
}


class LoanOut(resource_fields(Loan, LOAN_DOCS, _LOAN_EXAMPLE)):  # type: ignore[misc]
    """A loan as the API shows it."""


class MarketplaceLoan(LoanOut):
    """A loan open for funding; `isOwn` marks the caller's own loans (which they cannot fund)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_LOAN_EXAMPLE | {"isOwn": False}]})

    is_own: bool = Field(description="The caller is the borrower.", examples=[False])


class LoanList(Page[LoanOut]):
    next_cursor: str | None = Field(examples=[_LOAN_EXAMPLE["id"], None])


class MarketplaceList(Page[MarketplaceLoan]):
    pass


class RepaymentList(Page[RepaymentEntry]):
    pass


class LoanListParams(ListParams):
    status: LoanStatus | None = Field(None, description="Only loans in this status.")
    starting_after: str | None = cursor_after(LOAN_ID_PATTERN, "loan")


class MarketplaceParams(ListParams):
    term_days: int | None = Field(
        None, ge=MIN_TERM, le=MAX_TERM, description="Only loans with exactly this term."
    )
    starting_after: str | None = cursor_after(LOAN_ID_PATTERN, "loan")


class RepaymentListParams(ListParams):
    starting_after: str | None = cursor_after(TXN_ID_PATTERN, "transaction")
