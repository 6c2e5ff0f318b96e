"""/v1/wallet: balance, sandbox deposits, withdrawals settled by the `settlewithdrawal` task
queue — through Hosting → functions → Firestore/Auth/Tasks emulators, with real ID tokens."""

from __future__ import annotations

from typing import Any

import pytest

from coinbox_platform import store, tasks
from coinbox_platform.api.schemas.transactions import Transaction
from coinbox_platform.api.schemas.wallet import WalletOut
from coinbox_platform.domain import wallets
from coinbox_platform.money import Asset
from tests.support import SESSION, ApiUser, api_base, make_api_user, wait_for

pytestmark = pytest.mark.stack


def ledger_state(uid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The wallet document and every ledger entry of the user, as stored."""
    from google.cloud.firestore import FieldFilter

    snap = store.db().collection(store.WALLETS).document(uid).get()
    entries = [
        {"id": d.id, **(d.to_dict() or {})}
        for d in store.db()
        .collection(store.TRANSACTIONS)
        .where(filter=FieldFilter("userId", "==", uid))
        .stream()
    ]
    entries.sort(key=lambda e: e["walletVersion"])
    return (snap.to_dict() or {}) if snap.exists else {}, entries


def balance(uid: str) -> int:
    return int(ledger_state(uid)[0].get("balance", 0))


def assert_problem(resp: Any, status: int, code: str, fields: set[str] | None = None) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["requestId"] == resp.headers["X-Request-Id"]
    if fields is not None:
        assert {e["field"] for e in body.get("errors", [])} == fields, body


def transaction(user: ApiUser, txn_id: str) -> dict[str, Any]:
    resp = user.get(f"/transactions/{txn_id}")
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


# --- GET /v1/wallet -------------------------------------------------------------------------


def test_wallet_shows_balance_and_every_crypto_holding() -> None:
    user = make_api_user(balance=150_000)
    wallets.deposit(user.uid, asset=Asset.BTC, quantity="0.015")
    resp = user.get("/wallet")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    WalletOut.model_validate(body)
    assert body["userId"] == user.uid
    assert (body["balance"], body["locked"], body["activeInvested"]) == (150_000, 0, 0)
    assert body["crypto"] == {
        "BTC": {"available": "0.01500000", "locked": "0.00000000"},
        "ETH": {"available": "0.00000000", "locked": "0.00000000"},
        "USDT": {"available": "0.000000", "locked": "0.000000"},
        "USDC": {"available": "0.000000", "locked": "0.000000"},
    }


def test_wallet_of_a_new_user_is_empty() -> None:
    user = make_api_user()
    body = user.get("/wallet").json()
    assert (body["balance"], body["locked"], body["activeInvested"]) == (0, 0, 0)


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/wallet"), ("POST", "/wallet/deposits"), ("POST", "/wallet/withdrawals")],
)
@pytest.mark.parametrize(
    "headers, code",
    [({}, "unauthenticated"), ({"Authorization": "Bearer not-a-token"}, "invalid_token")],
)
def test_wallet_refuses_missing_or_bad_credentials(
    method: str, path: str, headers: dict[str, str], code: str
) -> None:
    victim = make_api_user(balance=10_000)
    before = ledger_state(victim.uid)
    resp = SESSION.request(
        method, api_base() + path, json={"amount": 5_000}, headers=headers, timeout=30
    )
    assert_problem(resp, 401, code)
    assert ledger_state(victim.uid) == before


# --- POST /v1/wallet/deposits ---------------------------------------------------------------


def test_deposit_of_rands_credits_the_wallet_with_one_ledger_entry() -> None:
    user = make_api_user(balance=10_000)
    resp = user.post("/wallet/deposits", {"amount": 25_000})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    Transaction.model_validate(body)
    assert body["id"].startswith("txn_")
    assert resp.headers["Location"] == f"/v1/transactions/{body['id']}"
    assert (body["type"], body["status"], body["direction"]) == ("deposit", "completed", "credit")
    assert (body["amount"], body["asset"]) == (25_000, "ZAR")
    assert (body["balanceBefore"], body["balanceAfter"]) == (10_000, 35_000)
    wallet, entries = ledger_state(user.uid)
    assert wallet["balance"] == 35_000
    assert [e["id"] for e in entries][-1] == body["id"]
    assert len(entries) == 2
    assert transaction(user, body["id"]) == body


def test_deposit_of_crypto_shows_quantities_as_decimal_strings() -> None:
    user = make_api_user()
    resp = user.post("/wallet/deposits", {"asset": "ETH", "quantity": "1.5"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["asset"], body["amount"]) == ("ETH", "1.50000000")
    assert (body["balanceBefore"], body["balanceAfter"]) == ("0.00000000", "1.50000000")
    wallet, entries = ledger_state(user.uid)
    assert wallet["crypto"]["ETH"] == {"available": 150_000_000, "locked": 0}
    assert wallet["balance"] == 0
    assert len(entries) == 1
    assert user.get("/wallet").json()["crypto"]["ETH"]["available"] == "1.50000000"


@pytest.mark.parametrize(
    "body, code, fields",
    [
        ({"amount": -500}, "invalid_request", {"amount"}),
        ({"amount": 0}, "invalid_request", {"amount"}),
        ({"amount": "500"}, "invalid_request", {"amount"}),
        ({"amount": 500.5}, "invalid_request", {"amount"}),
        ({"amount": True}, "invalid_request", {"amount"}),
        ({"amount": 100_000_001}, "invalid_request", {"amount"}),
        ({}, "invalid_request", {"amount"}),
        ({"amount": 500, "currency": "ZAR"}, "invalid_request", {"currency"}),
        ({"amount": 500, "asset": "BTC", "quantity": "1"}, "invalid_request", {"amount"}),
        ({"asset": "BTC"}, "invalid_request", {"quantity"}),
        ({"quantity": "1"}, "invalid_request", {"asset"}),
        ({"asset": "DOGE", "quantity": "1"}, "invalid_request", {"asset"}),
        ({"asset": "USDT", "quantity": "1.1234567"}, "invalid_request", {"quantity"}),
        ({"asset": "BTC", "quantity": "-1"}, "invalid_request", {"quantity"}),
        ({"asset": "BTC", "quantity": 1}, "invalid_request", {"quantity"}),
        ([500], "invalid_request", {"body"}),
    ],
)
def test_deposit_refuses_bad_input_and_changes_nothing(
    body: Any, code: str, fields: set[str]
) -> None:
    user = make_api_user(balance=10_000)
    before = ledger_state(user.uid)
    resp = user.post("/wallet/deposits", body)
    assert_problem(resp, 400, code, fields)
    assert ledger_state(user.uid) == before


@pytest.mark.parametrize("path", ["/wallet/deposits", "/wallet/withdrawals"])
@pytest.mark.parametrize(
    "data, content_type, code",
    [
        ('{"amount": 500', "application/json", "invalid_json"),
        ("amount=500", "application/x-www-form-urlencoded", "unsupported_media_type"),
        ('{"amount": 500}', "text/plain", "unsupported_media_type"),
    ],
)
def test_post_refuses_bad_json_and_wrong_content_type(
    path: str, data: str, content_type: str, code: str
) -> None:
    user = make_api_user(balance=10_000)
    before = ledger_state(user.uid)
    resp = user.post(path, data=data, headers={"Content-Type": content_type})
    assert_problem(resp, 400, code)
    assert ledger_state(user.uid) == before


def test_deposit_replay_with_the_same_key_returns_the_first_response() -> None:
    user = make_api_user()
    key = {"Idempotency-Key": f"dep-{user.uid}"}
    first = user.post("/wallet/deposits", {"amount": 7_000}, headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = user.post("/wallet/deposits", {"amount": 7_000}, headers=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    wallet, entries = ledger_state(user.uid)
    assert wallet["balance"] == 7_000
    assert [e["id"] for e in entries] == [first.json()["id"]]

    other = user.post("/wallet/deposits", {"amount": 9_000}, headers=key)
    assert_problem(other, 422, "idempotency_conflict", {"Idempotency-Key"})
    assert ledger_state(user.uid) == (wallet, entries)


# --- POST /v1/wallet/withdrawals ------------------------------------------------------------


def test_withdrawal_debits_at_once_and_the_task_completes_it() -> None:
    user = make_api_user(balance=100_000)
    resp = user.post("/wallet/withdrawals", {"amount": 40_000})
    assert resp.status_code == 202, resp.text
    body = resp.json()
    Transaction.model_validate(body)
    assert resp.headers["Location"] == f"/v1/transactions/{body['id']}"
    assert (body["type"], body["status"], body["direction"]) == ("withdrawal", "pending", "debit")
    assert (body["balanceBefore"], body["balanceAfter"]) == (100_000, 60_000)
    assert balance(user.uid) == 60_000  # debited before the payout

    done = wait_for(lambda: (t := transaction(user, body["id"]))["status"] != "pending" and t)
    assert done["status"] == "completed"
    assert done["updatedAt"] is not None
    wallet, entries = ledger_state(user.uid)
    assert wallet["balance"] == 60_000
    assert [e["type"] for e in entries] == ["deposit", "withdrawal"]


def test_withdrawal_ending_in_13_cents_fails_and_is_refunded() -> None:
    user = make_api_user(balance=50_000)
    resp = user.post("/wallet/withdrawals", {"amount": 10_013})
    assert resp.status_code == 202, resp.text
    txn_id = resp.json()["id"]
    assert balance(user.uid) == 39_987

    failed = wait_for(lambda: (t := transaction(user, txn_id))["status"] != "pending" and t)
    assert failed["status"] == "failed"
    assert failed["failureReason"] == "payout_rejected"
    wallet, entries = ledger_state(user.uid)
    assert wallet["balance"] == 50_000
    assert [(e["type"], e["direction"], e["amount"]) for e in entries] == [
        ("deposit", "credit", 50_000),
        ("withdrawal", "debit", 10_013),
        ("refund", "credit", 10_013),
    ]
    refund = entries[-1]
    assert refund["relatedTransactionId"] == txn_id
    assert refund["status"] == "completed"
    listed = user.get("/transactions", params={"type": "refund"}).json()["data"]
    assert [t["id"] for t in listed] == [refund["id"]]
    assert user.get("/wallet").json()["balance"] == 50_000


def test_withdrawal_beyond_the_balance_is_refused_and_changes_nothing() -> None:
    user = make_api_user(balance=5_000)
    before = ledger_state(user.uid)
    resp = user.post("/wallet/withdrawals", {"amount": 5_001})
    assert_problem(resp, 422, "insufficient_funds", {"amount"})
    assert ledger_state(user.uid) == before


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"amount": -1}, {"amount"}),
        ({"amount": 0}, {"amount"}),
        ({"amount": "1000"}, {"amount"}),
        ({"amount": 10.5}, {"amount"}),
        ({"amount": None}, {"amount"}),
        ({"amount": 10**20}, {"amount"}),
        ({}, {"amount"}),
        ({"amount": 1_000, "note": "rent"}, {"note"}),
        ("1000", {"body"}),
    ],
)
def test_withdrawal_refuses_bad_input_and_changes_nothing(body: Any, fields: set[str]) -> None:
    user = make_api_user(balance=10_000)
    before = ledger_state(user.uid)
    resp = user.post("/wallet/withdrawals", body)
    assert_problem(resp, 400, "invalid_request", fields)
    assert ledger_state(user.uid) == before


def test_withdrawal_replay_debits_once() -> None:
    user = make_api_user(balance=30_000)
    key = {"Idempotency-Key": f"wd-{user.uid}"}
    first = user.post("/wallet/withdrawals", {"amount": 12_000}, headers=key)
    assert first.status_code == 202, first.text
    again = user.post("/wallet/withdrawals", {"amount": 12_000}, headers=key)
    assert again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    txn_id = first.json()["id"]
    wait_for(lambda: transaction(user, txn_id)["status"] == "completed")

    other = user.post("/wallet/withdrawals", {"amount": 11_000}, headers=key)
    assert_problem(other, 422, "idempotency_conflict", {"Idempotency-Key"})
    wallet, entries = ledger_state(user.uid)
    assert wallet["balance"] == 18_000
    assert [e["type"] for e in entries] == ["deposit", "withdrawal"]


# --- coinbox_platform.tasks -----------------------------------------------------------------


def test_enqueue_reaches_the_task_queue_function() -> None:
    """A pending withdrawal whose request never enqueued (as after an enqueue failure) is
    settled by a task enqueued here; a second delivery of the same task changes nothing."""
    user = make_api_user(balance=20_000)
    entry = wallets.request_withdrawal(user.uid, 8_000)
    assert transaction(user, entry.id)["status"] == "pending"
    tasks.enqueue("settlewithdrawal", {"transactionId": entry.id})
    wait_for(lambda: transaction(user, entry.id)["status"] == "completed")
    settled = ledger_state(user.uid)

    tasks.enqueue("settlewithdrawal", {"transactionId": entry.id})  # at-least-once delivery
    tasks.enqueue("settlewithdrawal", {"transactionId": "txn_doesnotexist"})  # acknowledged
    marker = wallets.request_withdrawal(user.uid, 1_000)
    tasks.enqueue("settlewithdrawal", {"transactionId": marker.id})
    wait_for(lambda: transaction(user, marker.id)["status"] == "completed")
    wallet, entries = ledger_state(user.uid)
    assert entries[:2] == settled[1]
    assert wallet["balance"] == 11_000


@pytest.mark.parametrize("queue", ["settle_withdrawal", "", "a/b"])
def test_enqueue_refuses_queue_names_cloud_tasks_cannot_hold(queue: str) -> None:
    with pytest.raises(ValueError, match="queue name"):
        tasks.enqueue(queue, {})
