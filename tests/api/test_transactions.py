"""/v1/transactions: the caller's ledger, filtered and paged by cursor, through the real stack."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coinbox_platform.api.routes.transactions import EQUALITY_FILTERS, index_fields
from coinbox_platform.api.schemas.transactions import (
    Transaction,
    TransactionList,
    TransactionQuery,
)
from coinbox_platform.domain import wallets
from coinbox_platform.money import Asset
from tests.api.test_wallet import assert_problem, ledger_state
from tests.support import SESSION, ApiUser, api_base, make_api_user

pytestmark = pytest.mark.stack

BASE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
INDEXES = Path(__file__).resolve().parents[2] / "firestore.indexes.json"


def seeded_user(deposits: int = 10) -> tuple[ApiUser, list[str]]:
    """A user with `deposits` deposits one second apart from BASE (amount 100 * (i + 1));
    returns the ids oldest first."""
    user = make_api_user()
    ids = [
        wallets.deposit(user.uid, amount=100 * (i + 1), now=BASE + timedelta(seconds=i)).id
        for i in range(deposits)
    ]
    return user, ids


def pages(user: ApiUser, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of the list, checking hasMore / nextCursor on the way."""
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(50):
        resp = user.get("/transactions", params={**params, "startingAfter": cursor})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        TransactionList.model_validate(body)
        out.append(body)
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            return out
        assert body["nextCursor"] == body["data"][-1]["id"]
        cursor = body["nextCursor"]
    raise AssertionError("pagination did not end")


def test_list_is_the_callers_ledger_newest_first() -> None:
    user, ids = seeded_user(3)
    _other, other_ids = seeded_user(2)
    body = user.get("/transactions").json()
    assert body["object"] == "list"
    assert [t["id"] for t in body["data"]] == ids[::-1]
    assert (body["hasMore"], body["nextCursor"]) == (False, None)
    assert all(t["userId"] == user.uid for t in body["data"])
    assert body["data"][0]["createdAt"] == "2024-03-01T12:00:02.000Z"
    assert not set(other_ids) & {t["id"] for t in body["data"]}


@pytest.mark.parametrize("limit", [1, 3, 4, 10])
def test_pagination_walks_every_entry_once(limit: int) -> None:
    user, ids = seeded_user(10)
    got = pages(user, {"limit": limit})
    sizes = [len(p["data"]) for p in got]
    assert all(s == limit for s in sizes[:-1])
    assert [t["id"] for p in got for t in p["data"]] == ids[::-1]  # no gap, no duplicate


def test_pagination_with_filters() -> None:
    user, deposit_ids = seeded_user(7)
    withdrawal_ids = [
        wallets.request_withdrawal(user.uid, 10, now=BASE + timedelta(seconds=30 + i)).id
        for i in range(3)
    ]
    got = pages(user, {"type": "deposit", "limit": 3})
    assert [len(p["data"]) for p in got] == [3, 3, 1]
    assert [p["hasMore"] for p in got] == [True, True, False]
    assert [t["id"] for p in got for t in p["data"]] == deposit_ids[::-1]

    got = pages(user, {"type": "withdrawal", "status": "pending", "asset": "ZAR", "limit": 2})
    assert [t["id"] for p in got for t in p["data"]] == withdrawal_ids[::-1]
    assert not pages(user, {"type": "withdrawal", "status": "completed"})[0]["data"]
    assert not pages(user, {"asset": "BTC"})[0]["data"]


def test_filters_by_time_window_and_asset() -> None:
    user, ids = seeded_user(10)
    btc = wallets.deposit(user.uid, asset=Asset.BTC, quantity="0.5", now=BASE + timedelta(hours=1))
    window = {"from": (BASE + timedelta(seconds=3)).isoformat(), "to": "2024-03-01T12:00:07Z"}
    got = pages(user, {**window, "limit": 2})
    assert [t["id"] for p in got for t in p["data"]] == ids[3:7][::-1]  # from inclusive, to not

    naive = {"from": "2024-03-01T12:00:08", "type": "deposit", "asset": "ZAR"}  # naive is UTC
    assert [t["id"] for t in user.get("/transactions", params=naive).json()["data"]] == [
        ids[9],
        ids[8],
    ]
    only_btc = user.get("/transactions", params={"asset": "BTC"}).json()["data"]
    assert [(t["id"], t["amount"], t["asset"]) for t in only_btc] == [(btc.id, "0.50000000", "BTC")]


@pytest.mark.parametrize(
    "params, fields",
    [
        ({"limit": 0}, {"limit"}),
        ({"limit": 101}, {"limit"}),
        ({"limit": "ten"}, {"limit"}),
        ({"type": "gift"}, {"type"}),
        ({"status": "done"}, {"status"}),
        ({"asset": "DOGE"}, {"asset"}),
        ({"from": "yesterday"}, {"from"}),
        ({"from": "2024-03-02T00:00:00Z", "to": "2024-03-01T00:00:00Z"}, {"query"}),
        ({"sort": "asc"}, {"sort"}),
        ({"startingAfter": "x" * 65}, {"startingAfter"}),
        ({"startingAfter": "txn_doesnotexist"}, {"startingAfter"}),
    ],
)
def test_list_refuses_bad_parameters(params: dict[str, Any], fields: set[str]) -> None:
    user, _ = seeded_user(1)
    resp = user.get("/transactions", params=params)
    assert_problem(resp, 400, "invalid_request", fields)


def test_a_cursor_from_another_users_list_is_refused() -> None:
    user, _ = seeded_user(3)
    _other, other_ids = seeded_user(1)
    resp = user.get("/transactions", params={"startingAfter": other_ids[0], "limit": 1})
    assert_problem(resp, 400, "invalid_request", {"startingAfter"})
    assert resp.json()["errors"][0]["code"] == "invalid_cursor"


def test_get_one_transaction() -> None:
    user, ids = seeded_user(2)
    resp = user.get(f"/transactions/{ids[0]}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    Transaction.model_validate(body)
    assert (body["id"], body["object"], body["userId"]) == (ids[0], "transaction", user.uid)
    assert (body["type"], body["amount"], body["walletVersion"]) == ("deposit", 100, 1)


@pytest.mark.parametrize("which", ["another user's", "unknown", "not an id", "reserved name"])
def test_get_refuses_what_the_caller_may_not_see_with_404(which: str) -> None:
    user, _ = seeded_user(1)
    other, other_ids = seeded_user(1)
    txn_id = {
        "another user's": other_ids[0],
        "unknown": "txn_doesnotexist",
        "not an id": "hello",
        "reserved name": "__name__",
    }[which]
    before = ledger_state(other.uid)
    resp = user.get(f"/transactions/{txn_id}")
    assert_problem(resp, 404, "not_found")
    assert resp.json()["detail"] == f"No transaction {txn_id}."  # same answer as unknown ids
    assert other.uid not in resp.text
    assert ledger_state(other.uid) == before


@pytest.mark.parametrize("path", ["/transactions", "/transactions/txn_doesnotexist"])
@pytest.mark.parametrize(
    "headers, code",
    [({}, "unauthenticated"), ({"Authorization": "Bearer not-a-token"}, "invalid_token")],
)
def test_transactions_refuse_missing_or_bad_credentials(
    path: str, headers: dict[str, str], code: str
) -> None:
    resp = SESSION.get(api_base() + path, headers=headers, timeout=30)
    assert_problem(resp, 401, code)


def test_every_list_query_has_its_composite_index() -> None:
    """The emulator does not enforce indexes: check each filter combination against the file."""
    declared = {
        tuple((f["fieldPath"], f["order"]) for f in idx["fields"])
        for idx in json.loads(INDEXES.read_text())["indexes"]
        if idx["collectionGroup"] == "transactions"
    }
    values = {"type": "deposit", "status": "completed", "asset": "ZAR"}
    for n in range(len(EQUALITY_FILTERS) + 1):
        for combo in itertools.combinations(EQUALITY_FILTERS, n):
            query = TransactionQuery.model_validate({name: values[name] for name in combo})
            assert tuple(index_fields(query)) in declared, combo
    # the stale-withdrawal sweep (domain.withdrawals.settle_stale_withdrawals)
    assert (("type", "ASCENDING"), ("status", "ASCENDING"), ("createdAt", "ASCENDING")) in declared
