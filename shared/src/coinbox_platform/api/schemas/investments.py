"""Investments at the API boundary: the request model, the investment as the API shows it and
the list of the caller's investments."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from coinbox_platform.api.schemas import ApiModel, ListParams, Page, cursor_after, resource_fields
from coinbox_platform.api.schemas.loans import LOAN_ID_PATTERN, MAX_AMOUNT, LoanOut
from coinbox_platform.domain.models import Investment, InvestmentStatus

_INVESTMENT_EXAMPLE: dict[str, Any] = {
    "id": "inv_7GhT2kLmP9qR4sV6wX8yZ0aB",
    "object": "investment",
    "investorId": "Qm8TzV1cR5nB3xLk7JpWd2YsHe40",
    "borrowerId": "Yh3LQ0aC7rVn2sKp9WmXe4TbJd81",
    "loanId": "loan_3kTq9ZxR2bVhN7mLpQ4sWc1d",
    "amount": 150000,
    "fee": 1000,
    "expectedReturn": 177000,
    "received": 0,
    "status": "active",
    "createdAt": "2025-01-02T10:00:00.000Z",
    "updatedAt": None,
    "batchId": None,
}


class InvestmentCreate(ApiModel):
    """Fund a whole loan: `amount` must equal the loan's amount. The R10 funding fee is charged
    on top of it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"loanId": "loan_3kTq9ZxR2bVhN7mLpQ4sWc1d", "amount": 150000}]
        }
    )

    loan_id: str = Field(
        pattern=LOAN_ID_PATTERN,
        description="The loan to fund (open on the marketplace).",
        examples=["loan_3kTq9ZxR2bVhN7mLpQ4sWc1d"],
    )
    amount: int = Field(
        strict=True,
        ge=1,
        le=MAX_AMOUNT,
        description="ZAR cents; must equal the loan amount.",
        examples=[150000],
    )


INVESTMENT_DOCS = {
    "amount": Field(description="Principal in ZAR cents.", examples=[150000]),
    "fee": Field(description="Funding fee paid, in cents.", examples=[1000]),
    "expected_return": Field(description="Principal plus interest, in cents.", examples=[177000]),
    "received": Field(description="Cents repaid to the investor so far.", examples=[0]),
}


class InvestmentOut(resource_fields(Investment, INVESTMENT_DOCS, _INVESTMENT_EXAMPLE)):  # type: ignore[misc]
    """An investment as the API shows it."""


class FundingOut(InvestmentOut):
    """The new investment with the loan it funded (now `disbursed`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_INVESTMENT_EXAMPLE]})

    loan: LoanOut


class InvestmentList(Page[InvestmentOut]):
    next_cursor: str | None = Field(examples=[_INVESTMENT_EXAMPLE["id"], None])


class InvestmentListParams(ListParams):
    status: InvestmentStatus | None = Field(None, description="Only investments in this status.")
    starting_after: str | None = cursor_after(r"^inv_[0-9A-Za-z]{1,64}$", "investment")
