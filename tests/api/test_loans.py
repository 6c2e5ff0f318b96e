"""/v1/loans through Hosting → the loans function → Firestore, with real Auth-emulator tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.api.schemas.loans import LoanList, LoanOut, MarketplaceList, RepaymentList
from coinbox_platform.clock import utcnow
from coinbox_platform.tiers import KycStatus, MembershipTier
from tests.support import SESSION, ApiUser, api_base, make_api_user

pytestmark = pytest.mark.stack

LOAN = {"amount": 40_000, "interestRate": 20, "termDays": 30, "purpose": "Stock for the shop"}


# ---------------------------------------------------------------- helpers shared with
# test_investments.py


def problem(resp: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["requestId"] == resp.headers["X-Request-Id"]
    return body


def new_loan(user: ApiUser, **overrides: Any) -> dict[str, Any]:
    resp = user.post("/loans", {**LOAN, **overrides})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    LoanOut.model_validate(body)
    return body


def loan_doc(loan_id: str) -> dict[str, Any]:
    return store.db().collection(store.LOANS).document(loan_id).get().to_dict() or {}


def wallet_doc(uid: str) -> dict[str, Any] | None:
    snap = store.db().collection(store.WALLETS).document(uid).get()
    return snap.to_dict() if snap.exists else None


def ledger(uid: str) -> list[dict[str, Any]]:
    q = store.db().collection(store.TRANSACTIONS).where(filter=FieldFilter("userId", "==", uid))
    return [d.to_dict() or {} for d in q.stream()]


def loans_of(uid: str) -> list[dict[str, Any]]:
    q = store.db().collection(store.LOANS).where(filter=FieldFilter("borrowerId", "==", uid))
    return [d.to_dict() or {} for d in q.stream()]


def funded_loan(
    amount: int = 40_000, borrower_balance: int = 100_000
) -> tuple[ApiUser, ApiUser, dict[str, Any]]:
    """(borrower, investor, the funding response): a disbursed loan."""
    borrower = make_api_user(balance=borrower_balance)
    investor = make_api_user(balance=200_000)
    loan = new_loan(borrower, amount=amount)
    resp = investor.post("/investments", {"loanId": loan["id"], "amount": amount})
    assert resp.status_code == 201, resp.text
    return borrower, investor, resp.json()


def page_all(user: ApiUser, path: str, limit: int, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {"limit": limit, **params} | ({"startingAfter": cursor} if cursor else {})
        resp = user.get(path, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        ids = [o["id"] for o in body["data"]]
        pages.append(ids)
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            return pages
        assert body["nextCursor"] == ids[-1]
        cursor = body["nextCursor"]
        assert len(pages) < 100


# ---------------------------------------------------------------- create


def test_create_loan_is_approved_and_stored() -> None:
    user = make_api_user()
    resp = user.post("/loans", LOAN)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["id"].startswith("loan_")
    assert resp.headers["Location"] == f"/v1/loans/{body['id']}"
    assert body["object"] == "loan"
    assert body["status"] == "approved" and body["reason"] is None
    assert body["borrowerId"] == user.uid
    assert (body["amount"], body["interestRate"], body["termDays"]) == (40_000, 20, 30)
    created = datetime.fromisoformat(body["createdAt"])
    assert datetime.fromisoformat(body["expiresAt"]) - created == timedelta(days=7)
    stored = loan_doc(body["id"])
    assert stored["status"] == "approved" and stored["amount"] == 40_000
    assert stored["borrowerId"] == user.uid
    assert user.get(f"/loans/{body['id']}").json() == body


@pytest.mark.parametrize(
    "kyc, tier, amount, reason",
    [
        (KycStatus.PENDING, MembershipTier.BASIC, 10_000, "kyc_not_verified"),
        (KycStatus.VERIFIED, MembershipTier.BASIC, 50_001, "over_tier_loan_limit"),
    ],
)
def test_a_rejected_loan_is_still_created(
    kyc: KycStatus, tier: MembershipTier, amount: int, reason: str
) -> None:
    user = make_api_user(kyc=kyc, tier=tier)
    body = new_loan(user, amount=amount)
    assert body["status"] == "rejected"
    assert body["reason"] == reason
    assert body["expiresAt"] is None
    assert loan_doc(body["id"])["status"] == "rejected"


def test_a_new_user_without_profile_gets_a_kyc_rejection() -> None:
    user = make_api_user(kyc=None)
    assert new_loan(user)["reason"] == "kyc_not_verified"


@pytest.mark.parametrize(
    "body, field",
    [
        ({**LOAN, "amount": "40000"}, "amount"),
        ({**LOAN, "amount": 400.5}, "amount"),
        ({**LOAN, "amount": True}, "amount"),
        ({**LOAN, "amount": 0}, "amount"),
        ({**LOAN, "amount": -5}, "amount"),
        ({**LOAN, "amount": 10**20}, "amount"),
        ({**LOAN, "interestRate": 14}, "interestRate"),
        ({**LOAN, "interestRate": 26}, "interestRate"),
        ({**LOAN, "termDays": 6}, "termDays"),
        ({**LOAN, "termDays": 366}, "termDays"),
        ({**LOAN, "purpose": ""}, "purpose"),
        ({**LOAN, "purpose": "x" * 201}, "purpose"),
        ({**LOAN, "purpose": 5}, "purpose"),
        ({**LOAN, "currency": "ZAR"}, "currency"),
        ({k: v for k, v in LOAN.items() if k != "termDays"}, "termDays"),
        ([LOAN], "body"),
    ],
)
def test_create_loan_validation(body: Any, field: str) -> None:
    user = make_api_user()
    err = problem(user.post("/loans", body), 400, "invalid_request")
    assert field in [e["field"] for e in err["errors"]], err
    assert loans_of(user.uid) == []


def test_whitespace_purpose_is_refused() -> None:
    user = make_api_user()
    err = problem(user.post("/loans", {**LOAN, "purpose": "   "}), 400, "invalid_request")
    assert [e["field"] for e in err["errors"]] == ["purpose"]
    assert loans_of(user.uid) == []


@pytest.mark.parametrize(
    "data, content_type, code",
    [
        (b'{"amount": 40000,', "application/json", "invalid_json"),
        (b"", "application/json", "invalid_request"),
        (b"amount=40000", "application/x-www-form-urlencoded", "unsupported_media_type"),
    ],
)
def test_create_loan_bad_or_missing_body(data: bytes, content_type: str, code: str) -> None:
    user = make_api_user()
    resp = SESSION.post(
        api_base() + "/loans",
        data=data,
        headers=user.headers(**{"Content-Type": content_type}),
        timeout=30,
    )
    err = problem(resp, 400, code)
    assert err["errors"]
    assert loans_of(user.uid) == []


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/loans"),
        ("POST", "/loans"),
        ("GET", "/loans/marketplace"),
        ("GET", "/loans/loan_abc"),
        ("POST", "/loans/loan_abc/cancel"),
        ("POST", "/loans/loan_abc/repayments"),
        ("GET", "/loans/loan_abc/repayments"),
    ],
)
def test_loans_need_authentication(method: str, path: str) -> None:
    resp = SESSION.request(method, api_base() + path, json=LOAN, timeout=30)
    problem(resp, 401, "unauthenticated")


# ---------------------------------------------------------------- idempotency


def test_create_loan_replays_with_the_same_idempotency_key() -> None:
    user = make_api_user()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = user.post("/loans", LOAN, headers=key)
    second = user.post("/loans", LOAN, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Location"] == first.headers["Location"]
    assert len(loans_of(user.uid)) == 1

    conflict = user.post("/loans", {**LOAN, "amount": 30_000}, headers=key)
    problem(conflict, 422, "idempotency_conflict")
    assert len(loans_of(user.uid)) == 1


def test_the_same_key_of_another_user_is_independent() -> None:
    a, b = make_api_user(), make_api_user()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    la = a.post("/loans", LOAN, headers=key).json()
    lb = b.post("/loans", LOAN, headers=key).json()
    assert la["id"] != lb["id"] and lb["borrowerId"] == b.uid


# ---------------------------------------------------------------- list


def test_list_pages_newest_first_without_gaps_or_duplicates() -> None:
    user = make_api_user()
    created = [new_loan(user, amount=10_000 + i)["id"] for i in range(5)]
    pages = page_all(user, "/loans", 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for p in pages for i in p] == list(reversed(created))

    first = user.get("/loans", params={"limit": 2}).json()
    LoanList.model_validate(first)
    assert first["object"] == "list" and first["hasMore"] is True


def test_list_filters_by_status_and_shows_only_own_loans() -> None:
    user, other = make_api_user(), make_api_user()
    kept = new_loan(user)["id"]
    cancelled = new_loan(user)["id"]
    assert user.post(f"/loans/{cancelled}/cancel").status_code == 200
    new_loan(other)
    everything = user.get("/loans").json()["data"]
    assert {loan["id"] for loan in everything} == {kept, cancelled}
    only = user.get("/loans", params={"status": "cancelled"}).json()["data"]
    assert [loan["id"] for loan in only] == [cancelled]
    assert user.get("/loans", params={"status": "disbursed"}).json()["data"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"startingAfter": "__bad__"}, "startingAfter"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_list_query_validation(params: dict[str, Any], field: str) -> None:
    user = make_api_user()
    err = problem(user.get("/loans", params=params), 400, "invalid_request")
    assert field in [e["field"] for e in err["errors"]]


def test_a_cursor_from_another_users_list_is_refused() -> None:
    user, other = make_api_user(), make_api_user()
    new_loan(user)
    foreign = new_loan(other)["id"]
    err = problem(user.get("/loans", params={"startingAfter": foreign}), 400, "invalid_request")
    assert err["errors"][0]["code"] == "invalid_cursor"
    missing = "loan_" + "x" * 24
    problem(user.get("/loans", params={"startingAfter": missing}), 400, "invalid_request")


# ---------------------------------------------------------------- marketplace


def test_marketplace_lists_open_loans_and_marks_own() -> None:
    borrower, viewer = make_api_user(), make_api_user()
    open_loan = new_loan(borrower, termDays=311)["id"]
    rejected = new_loan(borrower, amount=60_000, termDays=311)["id"]
    cancelled = new_loan(borrower, termDays=311)["id"]
    borrower.post(f"/loans/{cancelled}/cancel")
    # Approved but past its funding window (the expiry job has not run yet).
    stale = "loan_" + uuid.uuid4().hex
    past = utcnow() - timedelta(days=8)
    store.db().collection(store.LOANS).document(stale).set(
        {**loan_doc(open_loan), "createdAt": past, "expiresAt": past + timedelta(days=7)}
    )

    body = viewer.get("/loans/marketplace", params={"limit": 100, "termDays": 311}).json()
    MarketplaceList.model_validate(body)
    ids = [loan["id"] for loan in body["data"]]
    assert open_loan in ids
    assert rejected not in ids and cancelled not in ids and stale not in ids
    assert all(loan["status"] == "approved" for loan in body["data"])
    assert all(loan["termDays"] == 311 for loan in body["data"])
    mine = next(x for x in body["data"] if x["id"] == open_loan)
    assert mine["isOwn"] is False
    own = borrower.get("/loans/marketplace", params={"limit": 100, "termDays": 311}).json()
    assert next(x for x in own["data"] if x["id"] == open_loan)["isOwn"] is True
    assert open_loan not in [
        x["id"] for x in viewer.get("/loans/marketplace", params={"termDays": 312}).json()["data"]
    ]


def test_marketplace_pages_and_refuses_private_cursors() -> None:
    borrower, viewer = make_api_user(), make_api_user()
    created = [new_loan(borrower, termDays=299, amount=20_000 + i)["id"] for i in range(3)]
    pages = page_all(viewer, "/loans/marketplace", 2, termDays=299)
    seen = [i for p in pages for i in p]
    assert len(seen) == len(set(seen))
    mine = [i for i in seen if i in created]
    assert mine == list(reversed(created))

    rejected = new_loan(borrower, amount=90_000)["id"]
    err = problem(
        viewer.get("/loans/marketplace", params={"startingAfter": rejected}),
        400,
        "invalid_request",
    )
    assert err["errors"][0]["code"] == "invalid_cursor"
    problem(viewer.get("/loans/marketplace", params={"termDays": 3}), 400, "invalid_request")


def test_a_marketplace_cursor_survives_its_loan_being_funded() -> None:
    borrower, investor = make_api_user(balance=10_000), make_api_user(balance=200_000)
    older = new_loan(borrower, termDays=287, amount=10_000)["id"]
    cursor = new_loan(borrower, termDays=287, amount=10_000)["id"]
    funded = investor.post("/investments", {"loanId": cursor, "amount": 10_000})
    assert funded.status_code == 201, funded.text
    resp = investor.get("/loans/marketplace", params={"termDays": 287, "startingAfter": cursor})
    assert resp.status_code == 200, resp.text
    assert older in [x["id"] for x in resp.json()["data"]]


# ---------------------------------------------------------------- retrieve


def test_who_sees_a_loan() -> None:
    borrower, stranger = make_api_user(), make_api_user()
    open_loan = new_loan(borrower)
    assert stranger.get(f"/loans/{open_loan['id']}").json() == open_loan

    rejected = new_loan(borrower, amount=60_000)["id"]
    assert borrower.get(f"/loans/{rejected}").status_code == 200
    problem(stranger.get(f"/loans/{rejected}"), 404, "not_found")

    borrower.post(f"/loans/{open_loan['id']}/cancel")
    problem(stranger.get(f"/loans/{open_loan['id']}"), 404, "not_found")

    for bad in ("loan_doesnotexist", "nope", "__x__", "loan_" + "a" * 70):
        problem(stranger.get(f"/loans/{bad}"), 404, "not_found")


def test_the_investor_sees_a_funded_loan_and_others_do_not() -> None:
    borrower, investor, funding = funded_loan()
    loan_id = funding["loan"]["id"]
    stranger = make_api_user()
    for user in (borrower, investor):
        body = user.get(f"/loans/{loan_id}").json()
        assert body["status"] == "disbursed" and body["investorId"] == investor.uid
    problem(stranger.get(f"/loans/{loan_id}"), 404, "not_found")


# ---------------------------------------------------------------- cancel


def test_the_borrower_cancels_an_open_loan_once() -> None:
    borrower = make_api_user()
    loan = new_loan(borrower)
    resp = borrower.post(f"/loans/{loan['id']}/cancel")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "cancelled"
    assert loan_doc(loan["id"])["status"] == "cancelled"
    problem(borrower.post(f"/loans/{loan['id']}/cancel"), 409, "invalid_state")


def test_only_the_borrower_cancels() -> None:
    borrower, stranger = make_api_user(), make_api_user()
    open_loan = new_loan(borrower)["id"]
    before = loan_doc(open_loan)
    problem(stranger.post(f"/loans/{open_loan}/cancel"), 403, "not_borrower")
    rejected = new_loan(borrower, amount=60_000)["id"]
    problem(stranger.post(f"/loans/{rejected}/cancel"), 404, "not_found")
    problem(stranger.post("/loans/loan_nothing/cancel"), 404, "not_found")
    assert loan_doc(open_loan) == before
    assert loan_doc(rejected)["status"] == "rejected"


def test_a_funded_loan_cannot_be_cancelled() -> None:
    borrower, investor, funding = funded_loan()
    loan_id = funding["loan"]["id"]
    problem(borrower.post(f"/loans/{loan_id}/cancel"), 409, "invalid_state")
    problem(investor.post(f"/loans/{loan_id}/cancel"), 403, "not_borrower")
    assert loan_doc(loan_id)["status"] == "disbursed"


# ---------------------------------------------------------------- repayments


def test_repay_in_parts_until_completed() -> None:
    borrower, investor, funding = funded_loan(amount=40_000)
    loan_id = funding["loan"]["id"]
    total_due = funding["loan"]["totalDue"]
    assert total_due == 48_000  # 40,000 + 20 %
    b0, i0 = wallet_doc(borrower.uid), wallet_doc(investor.uid)
    assert b0 is not None and i0 is not None
    assert i0["activeInvested"] == 40_000

    resp = borrower.post(f"/loans/{loan_id}/repayments", {"amount": 18_000})
    assert resp.status_code == 200, resp.text
    part = resp.json()
    LoanOut.model_validate(part)
    assert (part["status"], part["repaid"]) == ("disbursed", 18_000)
    assert wallet_doc(borrower.uid)["balance"] == b0["balance"] - 18_000  # type: ignore[index]
    assert wallet_doc(investor.uid)["balance"] == i0["balance"] + 18_000  # type: ignore[index]

    done = borrower.post(f"/loans/{loan_id}/repayments", {"amount": 30_000}).json()
    assert (done["status"], done["repaid"]) == ("completed", 48_000)
    inv = investor.get(f"/investments/{funding['id']}").json()
    assert (inv["status"], inv["received"]) == ("completed", 48_000)
    assert wallet_doc(investor.uid)["activeInvested"] == 0  # type: ignore[index]

    mine = borrower.get(f"/loans/{loan_id}/repayments").json()
    RepaymentList.model_validate(mine)
    assert [(e["amount"], e["direction"]) for e in mine["data"]] == [
        (30_000, "debit"),
        (18_000, "debit"),
    ]
    assert all(e["userId"] == borrower.uid for e in mine["data"])
    theirs = investor.get(f"/loans/{loan_id}/repayments", params={"limit": 1}).json()
    assert [(e["amount"], e["direction"]) for e in theirs["data"]] == [(30_000, "credit")]
    assert theirs["hasMore"] is True
    rest = investor.get(
        f"/loans/{loan_id}/repayments", params={"startingAfter": theirs["nextCursor"]}
    ).json()
    assert [e["amount"] for e in rest["data"]] == [18_000] and rest["hasMore"] is False
    problem(
        borrower.get(
            f"/loans/{loan_id}/repayments", params={"startingAfter": theirs["nextCursor"]}
        ),
        400,
        "invalid_request",
    )
    problem(borrower.post(f"/loans/{loan_id}/repayments", {"amount": 1}), 409, "invalid_state")


def test_repayment_refusals_change_nothing() -> None:
    borrower, investor, funding = funded_loan(amount=40_000)
    loan_id = funding["loan"]["id"]
    stranger = make_api_user(balance=100_000)

    def state() -> Any:
        return (
            loan_doc(loan_id),
            wallet_doc(borrower.uid),
            wallet_doc(investor.uid),
            len(ledger(borrower.uid)),
            len(ledger(investor.uid)),
        )

    before = state()
    path = f"/loans/{loan_id}/repayments"
    problem(borrower.post(path, {"amount": 48_001}), 422, "overpayment")
    problem(borrower.post(path, {"amount": 0}), 400, "invalid_request")
    problem(borrower.post(path, {"amount": "100"}), 400, "invalid_request")
    problem(borrower.post(path, {"amount": 100, "note": "x"}), 400, "invalid_request")
    problem(borrower.post(path, None), 400, "invalid_request")
    problem(investor.post(path, {"amount": 100}), 403, "not_borrower")
    problem(stranger.post(path, {"amount": 100}), 404, "not_found")
    problem(stranger.get(path), 404, "not_found")
    assert state() == before

    # The borrower spends the disbursement elsewhere: the repayment overdraws the wallet.
    poor_borrower, _, funding2 = funded_loan(amount=40_000, borrower_balance=0)
    poor_path = f"/loans/{funding2['loan']['id']}/repayments"
    balance = wallet_doc(poor_borrower.uid)["balance"]  # type: ignore[index]
    problem(poor_borrower.post(poor_path, {"amount": 48_000}), 422, "insufficient_funds")
    assert balance < 48_000
    assert loan_doc(funding2["loan"]["id"])["repaid"] == 0
    assert wallet_doc(poor_borrower.uid)["balance"] == balance  # type: ignore[index]


def test_an_open_loan_takes_no_repayment() -> None:
    borrower = make_api_user(balance=100_000)
    loan_id = new_loan(borrower)["id"]
    problem(borrower.post(f"/loans/{loan_id}/repayments", {"amount": 100}), 409, "invalid_state")
    assert borrower.get(f"/loans/{loan_id}/repayments").json()["data"] == []
    assert wallet_doc(borrower.uid)["balance"] == 100_000  # type: ignore[index]
