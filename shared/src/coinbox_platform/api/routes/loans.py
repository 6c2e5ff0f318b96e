"""Endpoint family `loans` (see functions/api/loans.py): the caller's loans, the marketplace of
loans open for funding, creating, cancelling and repaying a loan (docs/product.md §3.3).

Routes are registered on import. Money is integer cents; ids are `loan_…`.
"""

from __future__ import annotations

from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas.loans import (
    LoanCreate,
    LoanList,
    LoanListParams,
    LoanOut,
    MarketplaceList,
    MarketplaceParams,
    RepaymentCreate,
    RepaymentList,
    RepaymentListParams,
)
from coinbox_platform.domain.ledger import loan_repayments
from coinbox_platform.domain.loans import (
    LoanRequest,
    borrower_loans,
    cancel_loan,
    create_loan,
    marketplace_loans,
    repay_loan,
    visible_loan,
)
from coinbox_platform.domain.models import LedgerEntry, Loan
from coinbox_platform.errors import Forbidden, NotFound
from coinbox_platform.ids import has_prefix

# ---------------------------------------------------------------- helpers


def loan_api(loan_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return Loan.from_doc(loan_id, data).to_api()


def _loan_id(call: Call[Any, Any]) -> str:
    loan_id = call.params["loanId"]
    if not has_prefix(loan_id, "loan"):
        raise NotFound(f"No loan {loan_id}.")
    return loan_id


def _borrower_only(call: Call[Any, Any], action: str) -> str:
    """The loan id, if the caller is its borrower: 404 if they may not see the loan at all,
    403 if they see it (investor, marketplace) but are not the borrower."""
    loan = visible_loan(call.uid, _loan_id(call))
    if loan.borrower_id != call.uid:
        raise Forbidden(f"Only the borrower may {action} this loan.", code="not_borrower")
    return loan.id


# ---------------------------------------------------------------- routes


@TABLE.route(
    "GET",
    "/v1/loans",
    "loans",
    summary="List your loans",
    scope="read:loans",
    query=LoanListParams,
    response=LoanList,
    errors=(400, 401, 403),
    tags=("Loans",),
    description="The loans you requested as borrower, newest first. Filter by `status`; page "
    "with `limit` and `startingAfter` (the `nextCursor` of the previous page).",
)
def list_loans(call: Call[LoanListParams]) -> Reply:
    params = call.query
    uid = call.uid
    return list_reply(borrower_loans(uid, params.status), params, to_api=loan_api)


@TABLE.route(
    "GET",
    "/v1/loans/marketplace",
    "loans",
    summary="Loans open for funding",
    scope="read:loans",
    query=MarketplaceParams,
    response=MarketplaceList,
    errors=(400, 401, 403),
    tags=("Loans",),
    description="Approved loans whose 7-day funding window has not ended, newest first, from "
    "every borrower. Your own open loans are included and marked `isOwn: true` (you cannot "
    "fund them): Firestore allows one range filter per query and this list spends it on the "
    "funding window. Filter by exact `termDays`. Amount filters are not offered for the same "
    "reason. A cursor stays valid after its loan is funded.",
)
def marketplace(call: Call[MarketplaceParams]) -> Reply:
    params = call.query
    uid = call.uid

    def to_api(loan_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return loan_api(loan_id, data) | {"isOwn": data.get("borrowerId") == uid}

    return list_reply(marketplace_loans(call.now, params.term_days), params, to_api=to_api)


@TABLE.route(
    "POST",
    "/v1/loans",
    "loans",
    summary="Request a loan",
    scope="write:loans",
    body=LoanCreate,
    response=LoanOut,
    status=201,
    errors=(400, 401, 403, 409, 422),
    tags=("Loans",),
    description="Creates the loan and runs the automatic review at once. A loan the review "
    "rejects (KYC not verified, amount over the tier's loan limit, a defaulted loan) is still "
    "created: 201 with `status: rejected` and the `reason`. An approved loan is open for "
    "funding for 7 days.",
)
def create(call: Call[None, LoanCreate]) -> Reply:
    body = call.body
    loan = create_loan(
        call.user,
        LoanRequest(
            amount=body.amount,
            interest_rate=body.interest_rate,
            term_days=body.term_days,
            purpose=body.purpose,
        ),
        now=call.now,
    )
    return Reply(loan.to_api(), status=201, headers={"Location": f"/v1/loans/{loan.id}"})


@TABLE.route(
    "GET",
    "/v1/loans/{loanId}",
    "loans",
    summary="Retrieve a loan",
    scope="read:loans",
    response=LoanOut,
    errors=(401, 403, 404),
    tags=("Loans",),
    description="Visible to its borrower, its investor, and anyone while it is open on the "
    "marketplace; otherwise 404.",
)
def retrieve(call: Call) -> Reply:
    return Reply(visible_loan(call.uid, _loan_id(call)).to_api())


@TABLE.route(
    "POST",
    "/v1/loans/{loanId}/cancel",
    "loans",
    summary="Cancel a loan",
    scope="write:loans",
    response=LoanOut,
    errors=(401, 403, 404, 409),
    tags=("Loans",),
    description="The borrower withdraws a loan nobody has funded yet (409 `invalid_state` "
    "otherwise). Others who can see the loan get 403 `not_borrower`.",
    codes=("invalid_state",),
)
def cancel(call: Call) -> Reply:
    loan_id = _borrower_only(call, "cancel")
    return Reply(cancel_loan(call.uid, loan_id, now=call.now).to_api())


@TABLE.route(
    "POST",
    "/v1/loans/{loanId}/repayments",
    "loans",
    summary="Repay a loan",
    scope="write:loans",
    body=RepaymentCreate,
    response=LoanOut,
    errors=(400, 401, 403, 404, 409, 422),
    tags=("Loans",),
    description="The borrower repays part or all of what is outstanding; the money goes to the "
    "investor. Returns the updated loan; when nothing is outstanding the loan and its "
    "investment complete. 422 `overpayment` above the outstanding amount, 422 "
    "`insufficient_funds` above the wallet balance, 409 `invalid_state` unless disbursed.",
    codes=(
        "not_borrower",
        "overpayment",
        "insufficient_funds",
        "invalid_state",
        "balance_limit_exceeded",
    ),
)
def repay(call: Call[None, RepaymentCreate]) -> Reply:
    body = call.body
    loan_id = _borrower_only(call, "repay")
    return Reply(repay_loan(call.uid, loan_id, body.amount, now=call.now).to_api())


@TABLE.route(
    "GET",
    "/v1/loans/{loanId}/repayments",
    "loans",
    summary="List a loan's repayments",
    scope="read:loans",
    query=RepaymentListParams,
    response=RepaymentList,
    errors=(400, 401, 403, 404),
    tags=("Loans",),
    description="The repayment ledger entries of your own wallet for this loan, newest first: "
    "debits for the borrower, credits for the investor. Anyone else gets 404.",
)
def list_repayments(call: Call[RepaymentListParams]) -> Reply:
    params = call.query
    uid = call.uid
    loan = visible_loan(uid, _loan_id(call))
    if uid not in (loan.borrower_id, loan.investor_id):
        raise NotFound(f"No loan {loan.id}.")
    return list_reply(
        loan_repayments(uid, loan.id),
        params,
        to_api=lambda i, d: LedgerEntry.from_doc(i, d).to_api(),
    )
