"""Bulk operations end to end (docs/product.md §6): through Hosting, the bulk function,
Firestore and the
fanoutmessages task queue. Every refusal is proven by reading the data back."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import Counter
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.api.routes.bulk import TEMPLATES, _example
from coinbox_platform.api.schemas.bulk import BulkResultOut
from coinbox_platform.bulk import BULK_LOG, fanout
from coinbox_platform.bulk.service import Caller
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import loans
from coinbox_platform.domain.models import UserProfile
from coinbox_platform.domain.users import require_profile
from coinbox_platform.tiers import KycStatus, MembershipTier, Role
from tests.api.apikey_helpers import create_key, with_key
from tests.invariants import check_wallet, check_wallet_objects, freeze, read_wallet
from tests.support import SESSION, api_base, make_api_user, make_profile, unique

pytestmark = pytest.mark.stack

LOAN = 10_000  # R100: twenty of them stay inside a basic investor's R5,000 limit
FEE = 1_000


def open_loans(n: int) -> tuple[UserProfile, list[str]]:
    """A KYC-verified borrower with `n` approved loans of R100."""
    borrower = make_profile()
    ids = [
        loans.create_loan(borrower, loans.LoanRequest(LOAN, 20, 30, f"Loan {i}")).id
        for i in range(n)
    ]
    return borrower, ids


def by_batch(collection: str, batch_id: str) -> list[dict[str, Any]]:
    query = store.db().collection(collection).where(filter=FieldFilter("batchId", "==", batch_id))
    return [s.to_dict() or {} for s in query.stream()]


# ------------------------------------------------------------------ investments


def test_atomic_batch_whose_20th_item_fails_changes_nothing() -> None:
    investor = make_api_user(balance=1_000_000)
    borrower, loan_ids = open_loans(20)
    items = [{"loanId": i, "amount": LOAN} for i in loan_ids]
    items[19]["amount"] = LOAN - 1  # refused inside the transaction, after 19 were staged
    before = freeze([investor.uid, borrower.id], [(store.LOANS, i) for i in loan_ids])

    resp = investor.post("/bulk/investments", {"mode": "atomic", "items": items})

    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert problem["code"] == "batch_failed"
    assert problem["errors"] == [
        {"field": "items.19.amount", "code": "amount_mismatch", "message": f"must be {LOAN}"}
    ]
    batch = problem["batch"]
    assert (batch["status"], batch["succeeded"], batch["failed"]) == ("failed", 0, 20)
    assert [i["status"] for i in batch["items"]] == ["skipped"] * 19 + ["failed"]
    assert freeze([investor.uid, borrower.id], [(store.LOANS, i) for i in loan_ids]) == before
    check_wallet(investor.uid)
    check_wallet(borrower.id)
    assert by_batch(store.INVESTMENTS, batch["batchId"]) == []
    assert by_batch(store.TRANSACTIONS, batch["batchId"]) == []
    assert investor.get(f"/bulk/{batch['batchId']}").json()["status"] == "failed"


def test_atomic_batch_of_20_commits_all_in_one_transaction() -> None:
    investor = make_api_user(balance=1_000_000)
    borrower, loan_ids = open_loans(20)
    items = [{"loanId": i, "amount": LOAN} for i in loan_ids]

    resp = investor.post("/bulk/investments", {"mode": "atomic", "items": items})

    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["status"], body["succeeded"], body["failed"]) == ("completed", 20, 0)
    assert resp.headers["Location"] == f"/v1/bulk/{body['batchId']}"
    assert len(by_batch(store.INVESTMENTS, body["batchId"])) == 20
    assert read_wallet(investor.uid).balance == 1_000_000 - 20 * (LOAN + FEE)
    assert read_wallet(borrower.id).balance == 20 * LOAN
    check_wallet(investor.uid)
    check_wallet(borrower.id)
    check_wallet_objects(investor.uid)


def test_independent_batch_commits_the_19_good_items_and_reports_the_bad_one() -> None:
    investor = make_api_user(balance=1_000_000)
    borrower, loan_ids = open_loans(20)
    items = [{"loanId": i, "amount": LOAN} for i in loan_ids]
    items[19]["amount"] = LOAN - 1

    resp = investor.post("/bulk/investments", {"items": items})  # independent is the default

    assert resp.status_code == 207, resp.text
    body = resp.json()
    assert (body["mode"], body["status"], body["succeeded"], body["failed"]) == (
        "independent",
        "partial",
        19,
        1,
    )
    assert body["items"][19] == {
        "index": 19,
        "status": "failed",
        "id": None,
        "error": {"field": "amount", "code": "amount_mismatch", "message": f"must be {LOAN}"},
    }
    assert all(
        i["status"] == "succeeded" and i["id"].startswith("inv_") for i in body["items"][:19]
    )
    BulkResultOut.model_validate(body)
    investments = by_batch(store.INVESTMENTS, body["batchId"])
    assert sorted(d["loanId"] for d in investments) == sorted(loan_ids[:19])
    assert read_wallet(investor.uid).balance == 1_000_000 - 19 * (LOAN + FEE)
    assert store.db().collection(store.LOANS).document(loan_ids[19]).get().get("status") == (
        "approved"
    )
    check_wallet(investor.uid)
    check_wallet(borrower.id)
    check_wallet_objects(investor.uid)


def test_independent_batch_over_the_balance_funds_in_order_until_the_money_runs_out() -> None:
    affordable = 7
    start = affordable * (LOAN + FEE) + 5_000  # not enough for an eighth
    investor = make_api_user(balance=start)
    borrower, loan_ids = open_loans(20)

    resp = investor.post(
        "/bulk/investments", {"items": [{"loanId": i, "amount": LOAN} for i in loan_ids]}
    )

    assert resp.status_code == 207, resp.text
    items = resp.json()["items"]
    assert [i["status"] for i in items] == ["succeeded"] * affordable + ["failed"] * (
        20 - affordable
    )
    assert {i["error"]["code"] for i in items[affordable:]} == {"insufficient_funds"}
    wallet = check_wallet(investor.uid)  # every entry chained and never negative
    assert wallet.balance == 5_000
    check_wallet(borrower.id)
    check_wallet_objects(investor.uid)


# ------------------------------------------------------------------ CSV


BAD_ROWS = {
    "loans": ("45000,30,3,", {"amount": 45000, "interestRate": 30, "termDays": 3}),
    "investments": ("loan_bad!,-5", {"loanId": "loan_bad!", "amount": -5}),
    "crypto-orders": (
        "DOGE,hold,0.123456789,abc",
        {"asset": "DOGE", "side": "hold", "quantity": "0.123456789", "price": "abc"},
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
@pytest.mark.parametrize("mode", ["atomic", "independent"])
def test_csv_template_with_a_bad_row_gives_the_same_errors_as_json(kind: str, mode: str) -> None:
    user = make_api_user(balance=100_000)
    template = user.get(f"/bulk/templates/{kind}")
    assert template.status_code == 200, template.text
    assert template.headers["Content-Type"].startswith("text/csv")
    header, example = list(csv.reader(io.StringIO(template.text)))
    bad_csv, bad_json = BAD_ROWS[kind]
    upload = template.text + bad_csv + "\r\n"

    via_csv = user.post(
        f"/bulk/{kind}?mode={mode}", data=upload.encode(), headers={"Content-Type": "text/csv"}
    )
    via_json = user.post(
        f"/bulk/{kind}", {"mode": mode, "items": [_example(TEMPLATES[kind]), bad_json]}
    )

    assert via_csv.status_code == via_json.status_code, (via_csv.text, via_json.text)
    a, b = via_csv.json(), via_json.json()
    if mode == "atomic":
        assert via_csv.status_code == 422
        assert a["errors"] == b["errors"] and a["errors"]
        assert all(e["field"].startswith("items.1") for e in a["errors"])
        a, b = a["batch"], b["batch"]
    bad = [e for e in a["errors"] if e["index"] == 1]
    assert bad and bad == [e for e in b["errors"] if e["index"] == 1]
    assert [(i["status"], i["error"]) for i in a["items"]] == [
        (i["status"], i["error"]) for i in b["items"]
    ]
    assert len(header) == len(example)


def test_csv_index_counts_data_rows_from_zero_after_the_header() -> None:
    user = make_api_user()
    upload = "amount,interestRate,termDays,purpose\r\n40000,18,30,Fine\r\n\r\n40000,18,30,\r\n"
    resp = user.post(
        "/bulk/loans", data=upload.encode(), headers={"Content-Type": "text/csv; charset=utf-8"}
    )
    assert resp.status_code == 207, resp.text
    assert resp.json()["errors"] == [
        {"index": 1, "field": "purpose", "code": "missing", "message": "Field required"}
    ]
    created = by_batch(store.LOANS, resp.json()["batchId"])
    assert [(d["amount"], d["status"]) for d in created] == [(40000, "approved")]


def test_a_malformed_request_is_a_400_and_writes_nothing() -> None:
    user = make_api_user()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"json": {"items": []}}, "items"),
        ({"json": {"items": [{}] * 21}}, "items"),
        ({"json": {"mode": "sometimes", "items": [{}]}}, "mode"),
        ({"json": {"items": [{}], "colour": 1}}, "colour"),
        ({"json": [1, 2]}, "body"),
        ({"data": b"amount,colour\n1,2\n", "headers": {"Content-Type": "text/csv"}}, "header"),
        ({"data": b"<x/>", "headers": {"Content-Type": "application/xml"}}, "Content-Type"),
    ]
    for kw, field in cases:
        resp = user.post("/bulk/loans", **kw)
        assert resp.status_code == 400, (kw, resp.text)
        assert resp.json()["errors"][0]["field"] == field, resp.text
    assert user.get("/bulk").json()["data"] == []


# ------------------------------------------------------------------ loans and crypto


def test_bulk_loans_carry_the_batch_id_and_run_the_review() -> None:
    user = make_api_user()
    items = [
        {"amount": 40_000, "interestRate": 18, "termDays": 30, "purpose": "Stock"},
        {"amount": 90_000, "interestRate": 18, "termDays": 30, "purpose": "Over the limit"},
    ]
    resp = user.post("/bulk/loans", {"mode": "atomic", "items": items})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    stored = {d["amount"]: d for d in by_batch(store.LOANS, body["batchId"])}
    assert stored[40_000]["status"] == "approved"
    assert (stored[90_000]["status"], stored[90_000]["reason"]) == (
        "rejected",
        "over_tier_loan_limit",
    )
    assert [i["id"] for i in body["items"]] == [
        user.get(f"/loans/{i['id']}").json()["id"] for i in body["items"]
    ]


def test_atomic_crypto_orders_count_the_open_order_limit_across_items() -> None:
    user = make_api_user(balance=500_000)  # basic: at most 2 open orders
    order = {"asset": "USDT", "side": "buy", "quantity": "10", "price": 1_850}
    before = freeze([user.uid])

    refused = user.post("/bulk/crypto-orders", {"mode": "atomic", "items": [order] * 3})

    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {
            "field": "items.2.side",
            "code": "limit_exceeded",
            "message": "Your tier allows at most 2 open orders.",
        }
    ]
    assert freeze([user.uid]) == before
    ok = user.post("/bulk/crypto-orders", {"mode": "atomic", "items": [order] * 2})
    assert ok.status_code == 201, ok.text
    assert len(by_batch(store.CRYPTO_ORDERS, ok.json()["batchId"])) == 2
    check_wallet(user.uid)
    check_wallet_objects(user.uid)


# ------------------------------------------------------------------ messages


def test_staff_message_explicit_recipients_by_id_and_email() -> None:
    staff = make_api_user(role=Role.SUPPORT)
    a, b = make_api_user(), make_api_user()
    resp = staff.post(
        "/bulk/messages",
        {
            "title": "Hello",
            "body": "Welcome to CoinBox.",
            "items": [
                {"recipient": a.uid},
                {"recipient": b.email, "priority": "high"},
                {"recipient": "nobody@example.test"},
                {"recipient": a.uid, "title": ""},
            ],
        },
    )
    assert resp.status_code == 207, resp.text
    body = resp.json()
    assert [i["status"] for i in body["items"]] == ["succeeded", "succeeded", "failed", "failed"]
    assert body["items"][2]["error"]["code"] == "unknown_recipient"
    assert body["items"][3]["error"]["field"] == "title"
    for user, priority in ((a, "normal"), (b, "high")):
        inbox = user.get("/messages").json()["data"]
        assert [(m["title"], m["priority"], m["batchId"]) for m in inbox] == [
            ("Hello", priority, body["batchId"])
        ]


def _seed_profiles(prefix: str, n: int, tier: MembershipTier) -> list[str]:
    uids = [f"{prefix}-{i:04d}" for i in range(n)]
    db, now = store.db(), utcnow()
    for first in range(0, n, 500):
        batch = db.batch()
        for uid in uids[first : first + 500]:
            profile = UserProfile(
                id=uid,
                email=f"{uid}@example.test",
                membership_tier=tier,
                kyc_status=KycStatus.VERIFIED,
                created_at=now,
            )
            batch.set(db.collection(store.USERS).document(uid), profile.to_doc())
        batch.commit()
    return uids


def _inbox_counts(batch_id: str) -> Counter[str]:
    query = (
        store.db()
        .collection(store.NOTIFICATIONS)
        .where(filter=FieldFilter("batchId", "==", batch_id))
        .select(["userId"])
    )
    return Counter((s.to_dict() or {})["userId"] for s in query.stream())


def test_group_message_reaches_1000_users_exactly_once_with_progress() -> None:
    staff = make_api_user(role=Role.ADMIN)
    uids = _seed_profiles(unique("biz"), 1_000, MembershipTier.BUSINESS)

    resp = staff.post(
        "/bulk/messages",
        {"group": "tier:business", "title": "Business update", "body": "New limits apply."},
    )

    assert resp.status_code == 202, resp.text
    batch_id = resp.json()["batchId"]
    assert resp.headers["Location"] == f"/v1/bulk/{batch_id}"
    total = resp.json()["progress"]["recipientsTotal"]
    assert total >= 1_000
    seen: list[int] = []
    deadline = time.time() + 180
    while True:
        batch = staff.get(f"/bulk/{batch_id}").json()
        seen.append(batch["progress"]["delivered"])
        if batch["status"] != "running" or time.time() > deadline:
            break
        time.sleep(0.05)
    assert batch["status"] == "completed", batch
    BulkResultOut.model_validate(batch)
    assert batch["progress"] == {"recipientsTotal": total, "delivered": total}
    assert (batch["succeeded"], batch["failed"], batch["totalItems"]) == (total, 0, total)
    assert any(0 < d < total for d in seen), seen  # progress visible while it ran
    assert seen == sorted(seen)
    counts = _inbox_counts(batch_id)
    assert all(counts[uid] == 1 for uid in uids), [u for u in uids if counts[u] != 1][:5]
    assert sum(counts.values()) == total and max(counts.values()) == 1
    events = staff.get("/events?type=bulk.completed").json()["data"]
    assert [e["data"]["object"]["id"] for e in events] == [batch_id]
    assert events[0]["data"]["object"]["status"] == "completed"


def test_a_fanout_task_delivered_twice_delivers_each_message_once() -> None:
    uids = _seed_profiles(unique("amb"), 2 * fanout.CHUNK + 50, MembershipTier.AMBASSADOR)
    staff = require_profile(make_api_user(role=Role.ADMIN).uid)
    started = fanout.start(
        Caller(staff),
        fanout.GroupMessage("tier:ambassador", "Twice", "Sent once."),
        enqueue=False,
    )
    batch_id = started["batchId"]

    failures: list[BaseException] = []

    def run(chunk: int, cursor: str | None) -> None:
        try:
            fanout.step(batch_id, chunk, cursor, enqueue=False)
        except BaseException as exc:  # surfaced below: a thread's exception is not a failure
            failures.append(exc)

    def twice_at_once(chunk: int, cursor: str | None) -> None:
        threads = [threading.Thread(target=run, args=(chunk, cursor)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    chunks = store.db().collection(BULK_LOG).document(batch_id).collection("chunks")
    cursor = None
    for chunk in range(3):
        twice_at_once(chunk, cursor)
        planned = chunks.document(f"{chunk:06d}").get()
        assert planned.get("delivered") is True  # the two concurrent runs did it
        fanout.step(batch_id, chunk, cursor, enqueue=False)  # and a third, late
        cursor = planned.get("next")
    assert failures == []
    data = store.db().collection(BULK_LOG).document(batch_id).get().to_dict() or {}
    assert data["status"] == "completed"
    assert data["progress"]["delivered"] == len(uids) == data["progress"]["recipientsTotal"]
    assert data["progress"]["chunksDelivered"] == data["progress"]["chunksPlanned"] == 3
    counts = _inbox_counts(batch_id)
    assert all(counts[uid] == 1 for uid in uids) and sum(counts.values()) == len(uids)


# ------------------------------------------------------------------ who may do what


def test_authorization() -> None:
    owner, other = make_api_user(), make_api_user()
    made = owner.post(
        "/bulk/loans",
        {"items": [{"amount": 40_000, "interestRate": 18, "termDays": 30, "purpose": "Mine"}]},
    )
    assert made.status_code == 201, made.text
    batch_id = made.json()["batchId"]
    assert owner.get(f"/bulk/{batch_id}").json() == made.json()
    BulkResultOut.model_validate(made.json())  # the documented shape
    (event,) = owner.get("/events?type=bulk.completed").json()["data"]
    assert event["data"]["object"] | {"durationMs": 0} == {
        "id": batch_id,
        "object": "bulk_batch",
        "batchId": batch_id,
        "operation": "loans",
        "mode": "independent",
        "status": "completed",
        "totalItems": 1,
        "succeeded": 1,
        "failed": 0,
        "durationMs": 0,
        "createdAt": made.json()["createdAt"],
        "completedAt": made.json()["completedAt"],
    }
    assert other.get(f"/bulk/{batch_id}").status_code == 404
    assert other.get("/bulk/bat_doesnotexist").status_code == 404
    assert other.get("/bulk").json()["data"] == []
    assert [b["id"] for b in owner.get("/bulk?operation=loans").json()["data"]] == [batch_id]
    assert owner.get("/bulk?operation=messages").json()["data"] == []
    assert other.get(f"/bulk?startingAfter={batch_id}").status_code == 400

    refused = other.post("/bulk/messages", {"group": "all", "title": "Hi", "body": "Hi"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

    anonymous = SESSION.post(api_base() + "/bulk/loans", json={"items": [{}]}, timeout=30)
    assert anonymous.status_code == 401
    assert SESSION.get(api_base() + f"/bulk/{batch_id}", timeout=30).status_code == 401


def test_api_keys_need_write_bulk_and_the_write_scope_of_what_they_create() -> None:
    user = make_api_user(tier=MembershipTier.BUSINESS)  # enterprise keys may hold any scope
    item = {"amount": 40_000, "interestRate": 18, "termDays": 30, "purpose": "By key"}
    bulk_only = create_key(user, tier="enterprise", scopes=["write:bulk"])["secret"]
    loans_only = create_key(user, tier="enterprise", scopes=["write:loans"])["secret"]
    both = create_key(user, tier="enterprise", scopes=["write:bulk", "write:loans"])["secret"]

    resp = with_key(bulk_only, "POST", "/bulk/loans", json={"items": [item]})
    assert resp.status_code == 403 and resp.json()["requiredScope"] == "write:loans"
    resp = with_key(loans_only, "POST", "/bulk/loans", json={"items": [item]})
    assert resp.status_code == 403 and resp.json()["requiredScope"] == "write:bulk"
    assert user.get("/bulk").json()["data"] == []
    resp = with_key(both, "POST", "/bulk/loans", json={"items": [item]})
    assert resp.status_code == 201, resp.text
    log = store.db().collection(BULK_LOG).document(resp.json()["batchId"]).get().to_dict() or {}
    assert log["userId"] == user.uid and log["keyId"].startswith("key_")
    assert log["requestId"] == resp.headers["X-Request-Id"]
    assert (log["operation"], log["mode"], log["succeeded"], log["failed"]) == (
        "loans",
        "independent",
        1,
        0,
    )
    assert log["durationMs"] > 0 and log["items"][0]["status"] == "succeeded"


def test_idempotency_key_replays_a_bulk_post() -> None:
    user = make_api_user()
    body = {"items": [{"amount": 40_000, "interestRate": 18, "termDays": 30, "purpose": "Once"}]}
    key = {"Idempotency-Key": unique("bulk-")}
    first = user.post("/bulk/loans", body, headers=key)
    again = user.post("/bulk/loans", body, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["batchId"] == first.json()["batchId"]
    assert len(user.get("/bulk").json()["data"]) == 1
    csv_twice = user.post(
        "/bulk/loans",
        data=b"amount,interestRate,termDays,purpose\n40000,18,30,x\n",
        headers={**key, "Content-Type": "text/csv"},
    )
    assert csv_twice.status_code == 422 and csv_twice.json()["code"] == "idempotency_conflict"


def _run_fanout_here(batch_id: str, limit: int = 500) -> None:
    """Every chunk of a fan-out, in this process, the way the task chain runs them."""
    chunks = store.db().collection(BULK_LOG).document(batch_id).collection("chunks")
    cursor = None
    for chunk in range(limit):
        fanout.step(batch_id, chunk, cursor, enqueue=False)
        planned = chunks.document(f"{chunk:06d}").get()
        if planned.get("last"):
            return
        cursor = planned.get("next")
    raise AssertionError("the fan-out did not finish")


@pytest.mark.parametrize(
    "group, collection, owner",
    [("borrowers", store.LOANS, "borrowerId"), ("investors", store.INVESTMENTS, "investorId")],
)
def test_borrowers_and_investors_get_one_message_each_however_many_objects_they_have(
    group: str, collection: str, owner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    investor = make_api_user(balance=200_000)
    for _ in range(2):  # several loans per borrower, several investments per investor
        _, loan_ids = open_loans(3)
        done = investor.post(
            "/bulk/investments", {"items": [{"loanId": i, "amount": LOAN} for i in loan_ids]}
        )
        assert done.status_code == 201, done.text
    monkeypatch.setattr(fanout, "CHUNK", 3)  # many chunks, cursors inside runs of one user
    staff = require_profile(make_api_user(role=Role.ADMIN).uid)
    started = fanout.start(Caller(staff), fanout.GroupMessage(group, "Hi", "Hi"), enqueue=False)
    assert started["progress"]["recipientsTotal"] is None  # known once planned

    _run_fanout_here(started["batchId"])

    expected = {
        (s.to_dict() or {})[owner]
        for s in store.db().collection(collection).select([owner]).stream()
    }
    counts = _inbox_counts(started["batchId"])
    assert set(counts) == expected and max(counts.values()) == 1
    data = store.db().collection(BULK_LOG).document(started["batchId"]).get().to_dict() or {}
    assert data["status"] == "completed"
    assert data["progress"]["recipientsTotal"] == data["progress"]["delivered"] == len(expected)
