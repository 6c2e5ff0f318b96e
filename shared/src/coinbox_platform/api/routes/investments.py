"""Endpoint family `investments` (see functions/api/investments.py): funding a loan and the
caller's investments (docs/product.md §3.3).

Routes are registered on import. Money is integer cents; ids are `inv_…`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore import FieldFilter
from pydantic import ConfigDict, Field

from coinbox_platform import store
from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routes.loans import LOAN_ID_PATTERN, MAX_AMOUNT, LoanOut
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import ApiModel, ListParams
from coinbox_platform.domain.loans import fund_loan
from coinbox_platform.domain.models import Investment, InvestmentStatus
from coinbox_platform.errors import NotFound
from coinbox_platform.ids import has_prefix

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


class InvestmentOut(ApiModel):
    """An investment as the API shows it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_INVESTMENT_EXAMPLE]})

    id: str = Field(examples=[_INVESTMENT_EXAMPLE["id"]])
    object: str = Field("investment", examples=["investment"])
    investor_id: str
    borrower_id: str
    loan_id: str
    amount: int = Field(description="Principal in ZAR cents.", examples=[150000])
    fee: int = Field(description="Funding fee paid, in cents.", examples=[1000])
    expected_return: int = Field(
        description="Principal plus interest, in cents.", examples=[177000]
    )
    received: int = Field(description="Cents repaid to the investor so far.", examples=[0])
    status: InvestmentStatus
    created_at: datetime
    updated_at: datetime | None
    batch_id: str | None


class FundingOut(InvestmentOut):
    """The new investment with the loan it funded (now `disbursed`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_INVESTMENT_EXAMPLE]})

    loan: LoanOut


class InvestmentList(ApiModel):
    object: str = "list"
    data: list[InvestmentOut]
    has_more: bool
    next_cursor: str | None = Field(examples=[_INVESTMENT_EXAMPLE["id"], None])


class InvestmentListParams(ListParams):
    status: InvestmentStatus | None = Field(None, description="Only investments in this status.")
    starting_after: str | None = Field(
        None,
        pattern=r"^inv_[0-9A-Za-z]{1,64}$",
        description="An investment id from the previous page; the page starts after it.",
    )


def _investments() -> Any:
    return store.db().collection(store.INVESTMENTS)


def investment_api(investment_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return Investment.from_doc(investment_id, data).to_api()


@TABLE.route(
    "GET",
    "/v1/investments",
    "investments",
    summary="List your investments",
    scope="read:investments",
    query=InvestmentListParams,
    response=InvestmentList,
    errors=(400, 401, 403),
    tags=("Investments",),
    description="The loans you funded, newest first. Filter by `status`; page with `limit` and "
    "`startingAfter`.",
)
def list_investments(call: Call) -> Reply:
    params: InvestmentListParams = call.query
    uid = call.uid
    query = _investments().where(filter=FieldFilter("investorId", "==", uid))
    if params.status is not None:
        query = query.where(filter=FieldFilter("status", "==", params.status.value))
    return list_reply(
        query,
        params,
        collection=store.INVESTMENTS,
        to_api=investment_api,
        owner_check=lambda d: d.get("investorId") == uid,
    )


@TABLE.route(
    "POST",
    "/v1/investments",
    "investments",
    summary="Fund a loan",
    scope="write:investments",
    body=InvestmentCreate,
    response=FundingOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 422),
    tags=("Investments",),
    description="One investor funds the whole loan in one transaction: you pay `amount` plus "
    "the R10 fee, the borrower receives `amount`, the loan becomes `disbursed`. Refusals: 409 "
    "`loan_not_open`; 422 `amount_mismatch`, `self_investment`, `kyc_required`, "
    "`limit_exceeded` (tier investment limit on active principal), `insufficient_funds`.",
    codes=(
        "loan_not_open",
        "insufficient_funds",
        "limit_exceeded",
        "kyc_required",
        "self_investment",
        "amount_mismatch",
        "balance_limit_exceeded",
    ),
)
def create(call: Call) -> Reply:
    body: InvestmentCreate = call.body
    funding = fund_loan(call.user, body.loan_id, body.amount, now=call.now)
    out = funding.investment.to_api() | {"loan": funding.loan.to_api()}
    return Reply(out, status=201, headers={"Location": f"/v1/investments/{funding.investment.id}"})


@TABLE.route(
    "GET",
    "/v1/investments/{investmentId}",
    "investments",
    summary="Retrieve an investment",
    scope="read:investments",
    response=InvestmentOut,
    errors=(401, 403, 404),
    tags=("Investments",),
    description="Only the investor sees an investment (the borrower sees the loan); anyone "
    "else gets 404.",
)
def retrieve(call: Call) -> Reply:
    investment_id = call.params["investmentId"]
    if has_prefix(investment_id, "inv"):
        snap = _investments().document(investment_id).get()
        data = snap.to_dict() or {}
        if snap.exists and data.get("investorId") == call.uid:
            return Reply(investment_api(investment_id, data))
    raise NotFound(f"No investment {investment_id}.")
