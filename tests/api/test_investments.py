"""/v1/investments through Hosting → the investments function → Firestore, with real
Auth-emulator tokens."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.api.schemas.investments import FundingOut, InvestmentList, InvestmentOut
from coinbox_platform.domain.wallets import platform_balance
from coinbox_platform.tiers import KycStatus, MembershipTier
from tests.api.test_loans import (
    ledger,
    loan_doc,
    new_loan,
    page_all,
    problem,
    wallet_doc,
)
from tests.support import SESSION, ApiUser, api_base, make_api_user

pytestmark = pytest.mark.stack
LOAN_ID = "<the loan>"  # replaced by the test's loan id


def investments_of(uid: str) -> list[dict[str, Any]]:
    q = store.db().collection(store.INVESTMENTS).where(filter=FieldFilter("investorId", "==", uid))
    return [d.to_dict() or {} for d in q.stream()]


def snapshot(loan_id: str, *users: ApiUser) -> Any:
    """Everything a refused funding must leave unchanged."""
    return (
        loan_doc(loan_id),
        [wallet_doc(u.uid) for u in users],
        [len(ledger(u.uid)) for u in users],
        [len(investments_of(u.uid)) for u in users],
    )


def test_funding_moves_the_money_and_disburses_the_loan() -> None:
    borrower, investor = make_api_user(balance=5_000), make_api_user(balance=100_000)
    loan = new_loan(borrower, amount=40_000, interestRate=15, termDays=60)
    platform_before = platform_balance()

    resp = investor.post("/investments", {"loanId": loan["id"], "amount": 40_000})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    FundingOut.model_validate(body)
    assert body["id"].startswith("inv_")
    assert resp.headers["Location"] == f"/v1/investments/{body['id']}"
    assert (body["object"], body["status"]) == ("investment", "active")
    assert (body["amount"], body["fee"], body["expectedReturn"]) == (40_000, 1_000, 46_000)
    assert (body["investorId"], body["borrowerId"]) == (investor.uid, borrower.uid)
    funded = body["loan"]
    assert funded["status"] == "disbursed" and funded["totalDue"] == 46_000
    assert funded["investorId"] == investor.uid and funded["investmentId"] == body["id"]
    assert funded["dueAt"] is not None

    assert wallet_doc(investor.uid)["balance"] == 100_000 - 41_000  # type: ignore[index]
    assert wallet_doc(investor.uid)["activeInvested"] == 40_000  # type: ignore[index]
    assert wallet_doc(borrower.uid)["balance"] == 45_000  # type: ignore[index]
    assert platform_balance() == platform_before + 1_000
    assert loan_doc(loan["id"])["status"] == "disbursed"
    entries = [e for e in ledger(investor.uid) if e.get("loanId") == loan["id"]]
    assert sorted((e["type"], e["amount"]) for e in entries) == [
        ("fee", 1_000),
        ("investment", 40_000),
    ]
    assert investor.get(f"/investments/{body['id']}").json() == {
        k: v for k, v in body.items() if k != "loan"
    }
    assert borrower.get(f"/loans/{loan['id']}").json() == funded


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"amount": 10_000}, "loanId"),
        ({"loanId": "inv_abc", "amount": 10_000}, "loanId"),
        ({"loanId": "__x__", "amount": 10_000}, "loanId"),
        ({"loanId": None, "amount": 10_000}, "loanId"),
        ({"loanId": LOAN_ID, "amount": "10000"}, "amount"),
        ({"loanId": LOAN_ID, "amount": 10_000.0}, "amount"),
        ({"loanId": LOAN_ID, "amount": -10_000}, "amount"),
        ({"loanId": LOAN_ID}, "amount"),
        ({"loanId": LOAN_ID, "amount": 10_000, "fee": 0}, "fee"),
    ],
)
def test_funding_validation_writes_nothing(payload: dict[str, Any], field: str) -> None:
    borrower, investor = make_api_user(), make_api_user(balance=50_000)
    loan = new_loan(borrower, amount=10_000)
    before = snapshot(loan["id"], borrower, investor)
    body = {k: loan["id"] if v == LOAN_ID else v for k, v in payload.items()}
    err = problem(investor.post("/investments", body), 400, "invalid_request")
    assert field in [e["field"] for e in err["errors"]], err
    assert snapshot(loan["id"], borrower, investor) == before


@pytest.mark.parametrize(
    "data, code",
    [(b"{not json", "invalid_json"), (b"", "invalid_request"), (b"null", "invalid_request")],
)
def test_funding_bad_body_writes_nothing(data: bytes, code: str) -> None:
    investor = make_api_user(balance=50_000)
    resp = SESSION.post(
        api_base() + "/investments",
        data=data,
        headers=investor.headers(**{"Content-Type": "application/json"}),
        timeout=30,
    )
    problem(resp, 400, code)
    assert investments_of(investor.uid) == []
    assert wallet_doc(investor.uid)["balance"] == 50_000  # type: ignore[index]


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/investments"), ("POST", "/investments"), ("GET", "/investments/inv_abc")],
)
def test_investments_need_authentication(method: str, path: str) -> None:
    resp = SESSION.request(
        method, api_base() + path, json={"loanId": "loan_abc", "amount": 1}, timeout=30
    )
    problem(resp, 401, "unauthenticated")


# ---------------------------------------------------------------- business refusals


def _refused(
    investor: ApiUser, borrower: ApiUser, loan_id: str, amount: int, status: int, code: str
) -> dict[str, Any]:
    before = snapshot(loan_id, borrower, investor)
    platform_before = platform_balance()
    err = problem(
        investor.post("/investments", {"loanId": loan_id, "amount": amount}), status, code
    )
    assert snapshot(loan_id, borrower, investor) == before
    assert platform_balance() == platform_before
    return err


def test_insufficient_funds() -> None:
    borrower, investor = make_api_user(), make_api_user(balance=40_500)
    loan = new_loan(borrower, amount=40_000)  # needs 41,000 with the fee
    err = _refused(investor, borrower, loan["id"], 40_000, 422, "insufficient_funds")
    assert err["errors"][0]["field"] == "amount"


def test_limit_exceeded() -> None:
    borrower = make_api_user(tier=MembershipTier.BUSINESS)
    investor = make_api_user(balance=2_000_000)  # basic: R5,000 of active principal
    loan = new_loan(borrower, amount=500_001)
    assert loan["status"] == "approved"
    _refused(investor, borrower, loan["id"], 500_001, 422, "limit_exceeded")


def test_limit_counts_active_principal() -> None:
    investor = make_api_user(balance=2_000_000)
    first_borrower = make_api_user(tier=MembershipTier.BUSINESS)
    first = new_loan(first_borrower, amount=400_000)
    assert investor.post("/investments", {"loanId": first["id"], "amount": 400_000}).ok
    borrower = make_api_user(tier=MembershipTier.BUSINESS)
    loan = new_loan(borrower, amount=100_001)
    _refused(investor, borrower, loan["id"], 100_001, 422, "limit_exceeded")


def test_amount_mismatch() -> None:
    borrower, investor = make_api_user(), make_api_user(balance=100_000)
    loan = new_loan(borrower, amount=40_000)
    err = _refused(investor, borrower, loan["id"], 20_000, 422, "amount_mismatch")
    assert err["errors"][0]["field"] == "amount"


def test_kyc_required() -> None:
    borrower = make_api_user()
    investor = make_api_user(balance=100_000, kyc=KycStatus.PENDING)
    loan = new_loan(borrower, amount=40_000)
    _refused(investor, borrower, loan["id"], 40_000, 422, "kyc_required")


def test_self_investment_is_refused() -> None:
    borrower = make_api_user(balance=100_000)
    loan = new_loan(borrower, amount=40_000)
    _refused(borrower, borrower, loan["id"], 40_000, 422, "self_investment")


def test_a_cancelled_or_funded_loan_is_not_open() -> None:
    borrower, investor = make_api_user(), make_api_user(balance=200_000)
    cancelled = new_loan(borrower, amount=40_000)["id"]
    assert borrower.post(f"/loans/{cancelled}/cancel").ok
    _refused(investor, borrower, cancelled, 40_000, 409, "loan_not_open")

    funded = new_loan(borrower, amount=40_000)["id"]
    assert (
        make_api_user(balance=100_000).post("/investments", {"loanId": funded, "amount": 40_000}).ok
    )
    _refused(investor, borrower, funded, 40_000, 409, "loan_not_open")


def test_an_unknown_loan_is_404() -> None:
    investor = make_api_user(balance=100_000)
    problem(
        investor.post("/investments", {"loanId": "loan_" + "z" * 24, "amount": 1}),
        404,
        "not_found",
    )
    assert wallet_doc(investor.uid)["balance"] == 100_000  # type: ignore[index]


# ---------------------------------------------------------------- idempotency


def test_funding_replays_with_the_same_idempotency_key() -> None:
    borrower, investor = make_api_user(), make_api_user(balance=100_000)
    loan = new_loan(borrower, amount=40_000)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"loanId": loan["id"], "amount": 40_000}
    first = investor.post("/investments", body, headers=key)
    second = investor.post("/investments", body, headers=key)
    assert first.status_code == second.status_code == 201, second.text
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(investments_of(investor.uid)) == 1
    assert wallet_doc(investor.uid)["balance"] == 59_000  # type: ignore[index]

    other = new_loan(borrower, amount=40_000)
    conflict = investor.post("/investments", {"loanId": other["id"], "amount": 40_000}, headers=key)
    problem(conflict, 422, "idempotency_conflict")
    assert len(investments_of(investor.uid)) == 1
    assert loan_doc(other["id"])["status"] == "approved"


def test_a_refusal_is_replayed_too() -> None:
    borrower, investor = make_api_user(), make_api_user(balance=100)
    loan = new_loan(borrower, amount=40_000)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"loanId": loan["id"], "amount": 40_000}
    first = investor.post("/investments", body, headers=key)
    problem(first, 422, "insufficient_funds")
    second = investor.post("/investments", body, headers=key)
    problem(second, 422, "insufficient_funds")
    assert second.headers.get("Idempotent-Replayed") == "true"


# ---------------------------------------------------------------- list and retrieve


def test_list_pages_and_filters_investments() -> None:
    investor, borrower = make_api_user(balance=300_000), make_api_user(balance=100_000)
    ids = []
    for i in range(3):
        loan = new_loan(borrower, amount=10_000 + i)
        resp = investor.post("/investments", {"loanId": loan["id"], "amount": 10_000 + i})
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    pages = page_all(investor, "/investments", 2)
    assert [len(p) for p in pages] == [2, 1]
    assert [i for p in pages for i in p] == list(reversed(ids))
    InvestmentList.model_validate(investor.get("/investments").json())

    # Repay the first loan in full: its investment completes.
    first = investor.get(f"/investments/{ids[0]}").json()
    repaid = borrower.post(
        f"/loans/{first['loanId']}/repayments", {"amount": first["expectedReturn"]}
    )
    assert repaid.status_code == 200, repaid.text
    done = investor.get("/investments", params={"status": "completed"}).json()["data"]
    assert [x["id"] for x in done] == [ids[0]]
    active = investor.get("/investments", params={"status": "active"}).json()["data"]
    assert [x["id"] for x in active] == [ids[2], ids[1]]
    problem(investor.get("/investments", params={"status": "lost"}), 400, "invalid_request")

    # The borrower has no investments, and the investor's ids are no cursor for anyone else.
    assert borrower.get("/investments").json()["data"] == []
    err = problem(
        borrower.get("/investments", params={"startingAfter": ids[1]}), 400, "invalid_request"
    )
    assert err["errors"][0]["code"] == "invalid_cursor"


def test_only_the_investor_sees_an_investment() -> None:
    borrower, investor = make_api_user(), make_api_user(balance=100_000)
    loan = new_loan(borrower, amount=40_000)
    inv = investor.post("/investments", {"loanId": loan["id"], "amount": 40_000}).json()
    got = investor.get(f"/investments/{inv['id']}")
    assert got.status_code == 200
    InvestmentOut.model_validate(got.json())
    problem(borrower.get(f"/investments/{inv['id']}"), 404, "not_found")
    problem(make_api_user().get(f"/investments/{inv['id']}"), 404, "not_found")
    for bad in ("inv_nothing", "loan_abc", "__x__"):
        problem(investor.get(f"/investments/{bad}"), 404, "not_found")
