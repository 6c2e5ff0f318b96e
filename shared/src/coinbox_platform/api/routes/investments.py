"""Endpoint family `investments` (see functions/api/investments.py): funding a loan and the
caller's investments (docs/product.md §3.3).

Routes are registered on import. Money is integer cents; ids are `inv_…`.
"""

from __future__ import annotations

from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas.investments import (
    FundingOut,
    InvestmentCreate,
    InvestmentList,
    InvestmentListParams,
    InvestmentOut,
)
from coinbox_platform.domain.loans import fund_loan, investor_investments, owned_investment
from coinbox_platform.domain.models import Investment


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
def list_investments(call: Call[InvestmentListParams]) -> Reply:
    params = call.query
    uid = call.uid
    return list_reply(investor_investments(uid, params.status), params, to_api=investment_api)


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
def create(call: Call[None, InvestmentCreate]) -> Reply:
    body = call.body
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
    return Reply(owned_investment(call.uid, call.params["investmentId"]).to_api())
