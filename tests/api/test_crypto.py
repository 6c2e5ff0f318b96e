"""/v1/crypto: listings, take, cancel, the order book, through Hosting with real ID tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import crypto, wallets
from coinbox_platform.domain.models import OrderSide
from coinbox_platform.domain.users import require_profile
from coinbox_platform.money import Asset
from coinbox_platform.tiers import MembershipTier
from tests.support import SESSION, ApiUser, api_base, make_api_user, unique

pytestmark = pytest.mark.stack

BTC_PRICE = 100_000_000  # R1,000,000 per BTC: 0.001 BTC is R1,000.00, fee R5.00


def wallet_state(uid: str) -> dict[str, Any]:
    w = wallets.get_wallet(uid)
    return {
        "balance": w.balance,
        "locked": w.locked,
        "crypto": w.crypto,
        "openOrders": w.open_orders,
        "volume": w.crypto_volume,
        "version": w.version,
    }


def orders_of(uid: str) -> list[dict[str, Any]]:
    q = store.db().collection(store.CRYPTO_ORDERS).where(filter=FieldFilter("userId", "==", uid))
    return [{"id": s.id, **(s.to_dict() or {})} for s in q.stream()]


def order_doc(order_id: str) -> dict[str, Any]:
    snap = store.db().collection(store.CRYPTO_ORDERS).document(order_id).get()
    assert snap.exists
    return snap.to_dict() or {}


def fund_btc(user: ApiUser, quantity: str = "0.01") -> None:
    wallets.deposit(user.uid, asset=Asset.BTC, quantity=quantity)


def post_order(user: ApiUser, headers: dict[str, str] | None = None, **body: Any) -> Any:
    payload = {"asset": "BTC", "side": "sell", "quantity": "0.001", "price": BTC_PRICE} | body
    return user.post("/crypto/orders", json=payload, headers=headers or {})


def assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["requestId"] == resp.headers["X-Request-Id"]
    return body


# --- create, get, cancel -------------------------------------------------------------------


def test_sell_listing_locks_the_quantity() -> None:
    seller = make_api_user()
    fund_btc(seller)
    resp = post_order(seller)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["id"].startswith("ord_")
    assert resp.headers["Location"] == f"/v1/crypto/orders/{body['id']}"
    assert body | {"id": None, "createdAt": None, "expiresAt": None} == {
        "id": None,
        "object": "crypto_order",
        "userId": seller.uid,
        "asset": "BTC",
        "side": "sell",
        "quantity": "0.00100000",
        "price": BTC_PRICE,
        "value": 100_000,
        "fee": 500,
        "status": "open",
        "takerId": None,
        "createdAt": None,
        "expiresAt": None,
        "filledAt": None,
        "updatedAt": None,
        "batchId": None,
    }
    w = wallet_state(seller.uid)
    assert w["crypto"]["BTC"] == {"available": 900_000, "locked": 100_000}
    assert w["openOrders"] == 1
    assert order_doc(body["id"])["quantity"] == 100_000
    assert seller.get(f"/crypto/orders/{body['id']}").json() == body


def test_buy_listing_locks_value_plus_fee() -> None:
    buyer = make_api_user(balance=200_000)
    resp = post_order(buyer, side="buy", quantity="0.001")
    assert resp.status_code == 201, resp.text
    w = wallet_state(buyer.uid)
    assert (w["balance"], w["locked"]) == (200_000 - 100_500, 100_500)


def test_cancel_releases_the_lock_and_only_the_creator_may() -> None:
    buyer = make_api_user(balance=200_000)
    other = make_api_user(balance=200_000)
    order = post_order(buyer, side="buy").json()
    before = wallet_state(buyer.uid)

    assert_problem(other.post(f"/crypto/orders/{order['id']}/cancel"), 404, "not_found")
    assert order_doc(order["id"])["status"] == "open"
    assert wallet_state(buyer.uid) == before

    resp = buyer.post(f"/crypto/orders/{order['id']}/cancel")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "cancelled"
    w = wallet_state(buyer.uid)
    assert (w["balance"], w["locked"], w["openOrders"]) == (200_000, 0, 0)
    assert w["volume"] == {}  # a listing that never traded does not count

    # cancelled: the creator sees it (409 on a second cancel), everyone else gets a 404
    assert_problem(buyer.post(f"/crypto/orders/{order['id']}/cancel"), 409, "order_not_open")
    assert buyer.get(f"/crypto/orders/{order['id']}").json()["status"] == "cancelled"
    assert_problem(other.get(f"/crypto/orders/{order['id']}"), 404, "not_found")
    assert_problem(other.post(f"/crypto/orders/{order['id']}/take"), 404, "not_found")
    assert wallet_state(buyer.uid) == w


def test_an_open_listing_is_visible_to_anyone_without_its_creator() -> None:
    seller = make_api_user()
    fund_btc(seller)
    order = post_order(seller).json()
    seen = make_api_user().get(f"/crypto/orders/{order['id']}")
    assert seen.status_code == 200
    assert seen.json() == order | {"userId": None}


def test_unknown_order_is_404() -> None:
    user = make_api_user()
    assert_problem(user.get("/crypto/orders/ord_doesnotexist"), 404, "not_found")
    assert_problem(user.post("/crypto/orders/ord_doesnotexist/take"), 404, "not_found")
    assert_problem(user.post("/crypto/orders/ord_doesnotexist/cancel"), 404, "not_found")


def test_no_token_is_401() -> None:
    resp = SESSION.post(
        api_base() + "/crypto/orders",
        json={"asset": "BTC", "side": "buy", "quantity": "0.001", "price": BTC_PRICE},
        timeout=10,
    )
    assert_problem(resp, 401, "unauthenticated")
    assert_problem(SESSION.get(api_base() + "/crypto/orders", timeout=10), 401, "unauthenticated")


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"quantity": "0.123456789"}, "quantity"),  # 9 decimals
        ({"asset": "USDT", "quantity": "10.1234567"}, "quantity"),  # 7 decimals on USDT
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "1e-3"}, "quantity"),
        ({"quantity": 0.001}, "quantity"),  # a number, not a decimal string
        ({"price": -100}, "price"),
        ({"price": 0}, "price"),
        ({"price": 1000.5}, "price"),
        ({"price": "100000000"}, "price"),
        ({"asset": "DOGE"}, "asset"),
        ({"side": "short"}, "side"),
        ({"colour": "red"}, "colour"),
        ({"quantity": "99999999.9", "price": 10_000_000_000}, "body"),  # value overflows
    ],
)
def test_invalid_orders_are_400_with_field_errors_and_write_nothing(
    body: dict[str, Any], field: str
) -> None:
    user = make_api_user(balance=500_000)
    fund_btc(user)
    before = wallet_state(user.uid)
    problem = assert_problem(post_order(user, **body), 400, "invalid_request")
    assert field in [e["field"] for e in problem["errors"]], problem
    assert wallet_state(user.uid) == before
    assert orders_of(user.uid) == []


def test_missing_fields_and_bad_json_are_400() -> None:
    user = make_api_user(balance=500_000)
    problem = assert_problem(user.post("/crypto/orders", json={}), 400, "invalid_request")
    assert {e["field"] for e in problem["errors"]} == {"asset", "side", "quantity", "price"}
    resp = user.post(
        "/crypto/orders", data=b'{"asset": "BTC",', headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(resp, 400, "invalid_json")
    assert problem["errors"][0]["field"] == "body"
    assert orders_of(user.uid) == []
    assert wallet_state(user.uid)["locked"] == 0


# --- business refusals ---------------------------------------------------------------------


def test_insufficient_funds_changes_nothing() -> None:
    buyer = make_api_user(balance=50_000)
    seller = make_api_user(balance=1_000)
    fund_btc(seller, "0.0005")
    snapshot = wallet_state(buyer.uid), wallet_state(seller.uid)
    assert_problem(post_order(buyer, side="buy"), 422, "insufficient_funds")
    assert_problem(post_order(seller, side="sell"), 422, "insufficient_funds")
    assert (wallet_state(buyer.uid), wallet_state(seller.uid)) == snapshot
    assert orders_of(buyer.uid) == orders_of(seller.uid) == []


def test_below_minimum_value_is_refused() -> None:
    user = make_api_user(balance=10_000)
    before = wallet_state(user.uid)
    problem = assert_problem(
        post_order(user, side="buy", quantity="0.000009"), 422, "below_minimum"
    )  # R9.00
    assert problem["errors"][0]["field"] == "quantity"
    assert wallet_state(user.uid) == before
    assert orders_of(user.uid) == []


def test_tier_limits_on_creation() -> None:
    user = make_api_user(balance=2_000_000)  # basic: R5,000 a trade, 2 open orders
    before = wallet_state(user.uid)
    assert_problem(post_order(user, side="buy", quantity="0.0051"), 422, "limit_exceeded")
    assert wallet_state(user.uid) == before
    assert orders_of(user.uid) == []

    for _ in range(2):
        assert post_order(user, side="buy").status_code == 201
    before = wallet_state(user.uid)
    problem = assert_problem(post_order(user, side="buy"), 422, "limit_exceeded")
    assert "2 open orders" in problem["detail"]
    assert wallet_state(user.uid) == before
    assert len(orders_of(user.uid)) == 2


def test_weekly_volume_limit_on_creation() -> None:
    user = make_api_user(balance=2_000_000)  # basic: R15,000 a week, 2 open orders
    taker = make_api_user(tier=MembershipTier.VIP)
    fund_btc(taker, "0.02")
    for _ in range(2):  # R5,000 each, filled: the volume stays, the open slots come back
        order = post_order(user, side="buy", quantity="0.005").json()
        assert taker.post(f"/crypto/orders/{order['id']}/take").status_code == 200
    assert post_order(user, side="buy", quantity="0.005").status_code == 201  # R15,000
    before = wallet_state(user.uid)
    assert wallets.get_wallet(user.uid).weekly_volume(utcnow()) == 1_500_000
    problem = assert_problem(
        post_order(user, side="buy", quantity="0.00001"), 422, "limit_exceeded"
    )
    assert "weekly" in problem["detail"]
    assert wallet_state(user.uid) == before
    assert len(orders_of(user.uid)) == 3


def test_taker_tier_limit_is_checked() -> None:
    seller = make_api_user(tier=MembershipTier.VIP)
    fund_btc(seller)
    order = post_order(seller, quantity="0.006").json()  # R6,000: over basic's R5,000
    taker = make_api_user(balance=1_000_000)
    snapshot = wallet_state(seller.uid), wallet_state(taker.uid)
    assert_problem(taker.post(f"/crypto/orders/{order['id']}/take"), 422, "limit_exceeded")
    assert (wallet_state(seller.uid), wallet_state(taker.uid)) == snapshot
    assert order_doc(order["id"])["status"] == "open"


def test_taker_without_funds_changes_nothing() -> None:
    seller = make_api_user()
    fund_btc(seller)
    order = post_order(seller).json()
    taker = make_api_user(balance=50_000)
    snapshot = wallet_state(seller.uid), wallet_state(taker.uid), wallets.platform_balance()
    assert_problem(taker.post(f"/crypto/orders/{order['id']}/take"), 422, "insufficient_funds")
    assert (wallet_state(seller.uid), wallet_state(taker.uid), wallets.platform_balance()) == (
        snapshot
    )
    assert order_doc(order["id"])["status"] == "open"


def test_self_take_is_refused() -> None:
    seller = make_api_user(balance=500_000)
    fund_btc(seller)
    order = post_order(seller).json()
    before = wallet_state(seller.uid)
    problem = assert_problem(seller.post(f"/crypto/orders/{order['id']}/take"), 422, "self_trade")
    assert problem["errors"][0]["field"] == "orderId"
    assert wallet_state(seller.uid) == before
    assert order_doc(order["id"])["status"] == "open"


def test_an_expired_listing_cannot_be_taken_and_leaves_the_book() -> None:
    seller = make_api_user()
    wallets.deposit(seller.uid, asset=Asset.ETH, quantity="1")
    past = utcnow() - timedelta(hours=25)
    stale = crypto.create_order(
        require_profile(seller.uid),
        crypto.OrderRequest(Asset.ETH, OrderSide.SELL, "0.1", 4_321_001),
        now=past,
    )
    taker = make_api_user(balance=1_000_000)
    snapshot = wallet_state(seller.uid), wallet_state(taker.uid)
    assert_problem(taker.post(f"/crypto/orders/{stale.id}/take"), 409, "order_not_open")
    assert (wallet_state(seller.uid), wallet_state(taker.uid)) == snapshot
    asks = taker.get("/crypto/orderbook/ETH", params={"limit": 100}).json()["asks"]
    assert stale.id not in [a["id"] for a in asks]


# --- take ----------------------------------------------------------------------------------


def test_taking_a_sell_listing_moves_money_crypto_and_the_fee() -> None:
    seller = make_api_user()
    fund_btc(seller)
    buyer = make_api_user(balance=200_000)
    order = post_order(seller).json()
    platform_before = wallets.platform_balance()

    resp = buyer.post(f"/crypto/orders/{order['id']}/take")
    assert resp.status_code == 200, resp.text
    filled = resp.json()
    assert filled["status"] == "filled"
    assert filled["takerId"] == buyer.uid
    assert filled["userId"] == seller.uid
    assert filled["filledAt"] is not None

    s, b = wallet_state(seller.uid), wallet_state(buyer.uid)
    assert s["crypto"]["BTC"] == {"available": 900_000, "locked": 0}
    assert (s["balance"], s["locked"], s["openOrders"]) == (100_000 - 500, 0, 0)
    assert b["crypto"]["BTC"] == {"available": 100_000, "locked": 0}
    assert (b["balance"], b["locked"]) == (100_000, 0)
    assert wallets.platform_balance() - platform_before == 500
    assert order_doc(order["id"])["takerId"] == buyer.uid

    # both parties see it, a stranger does not; a second take is order_not_open
    assert seller.get(f"/crypto/orders/{order['id']}").json() == filled
    assert buyer.get(f"/crypto/orders/{order['id']}").json() == filled
    assert_problem(make_api_user().get(f"/crypto/orders/{order['id']}"), 404, "not_found")
    assert_problem(buyer.post(f"/crypto/orders/{order['id']}/take"), 409, "order_not_open")
    assert_problem(seller.post(f"/crypto/orders/{order['id']}/cancel"), 409, "order_not_open")
    assert wallet_state(buyer.uid) == b


def test_taking_a_buy_listing_pays_the_taker() -> None:
    buyer = make_api_user(balance=200_000)
    seller = make_api_user()
    fund_btc(seller)
    order = post_order(buyer, side="buy").json()
    platform_before = wallets.platform_balance()
    resp = seller.post(f"/crypto/orders/{order['id']}/take")
    assert resp.status_code == 200, resp.text
    b, s = wallet_state(buyer.uid), wallet_state(seller.uid)
    assert (b["balance"], b["locked"]) == (200_000 - 100_500, 0)
    assert b["crypto"]["BTC"] == {"available": 100_000, "locked": 0}
    assert (s["balance"], s["crypto"]["BTC"]) == (100_000, {"available": 900_000, "locked": 0})
    assert wallets.platform_balance() - platform_before == 500


def test_two_takers_racing_fill_the_order_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    seller = make_api_user()
    fund_btc(seller)
    order = post_order(seller).json()
    takers = [make_api_user(balance=200_000) for _ in range(3)]
    platform_before = wallets.platform_balance()
    with ThreadPoolExecutor(len(takers)) as pool:
        results = list(pool.map(lambda t: t.post(f"/crypto/orders/{order['id']}/take"), takers))
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and statuses.count(200) == 1, [r.text for r in results]
    assert all(r.status_code in (404, 409) for r in results if r.status_code != 200)
    winner = takers[[r.status_code for r in results].index(200)]
    assert order_doc(order["id"])["takerId"] == winner.uid
    for taker in takers:
        expected = 100_000 if taker is winner else 200_000
        assert wallet_state(taker.uid)["balance"] == expected
    assert wallets.platform_balance() - platform_before == 500


# --- idempotency ---------------------------------------------------------------------------


def test_create_is_idempotent() -> None:
    user = make_api_user(balance=500_000)
    key = {"Idempotency-Key": unique("idem-")}
    body = {"asset": "BTC", "side": "buy", "quantity": "0.001", "price": BTC_PRICE}
    first = user.post("/crypto/orders", json=body, headers=key)
    second = user.post("/crypto/orders", json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(orders_of(user.uid)) == 1
    assert wallet_state(user.uid)["locked"] == 100_500

    other = user.post("/crypto/orders", json=body | {"quantity": "0.002"}, headers=key)
    assert_problem(other, 422, "idempotency_conflict")
    assert len(orders_of(user.uid)) == 1
    assert wallet_state(user.uid)["locked"] == 100_500


def test_a_refusal_is_replayed_too() -> None:
    user = make_api_user(balance=1_000)
    key = {"Idempotency-Key": unique("idem-")}
    first = post_order(user, side="buy", headers=key)
    assert_problem(first, 422, "insufficient_funds")
    wallets.deposit(user.uid, amount=500_000)
    second = post_order(user, side="buy", headers=key)
    assert_problem(second, 422, "insufficient_funds")
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert orders_of(user.uid) == []


def test_take_is_idempotent() -> None:
    seller = make_api_user()
    fund_btc(seller)
    buyer = make_api_user(balance=500_000)
    order = post_order(seller).json()
    platform_before = wallets.platform_balance()
    key = {"Idempotency-Key": unique("idem-")}
    first = buyer.post(f"/crypto/orders/{order['id']}/take", headers=key)
    second = buyer.post(f"/crypto/orders/{order['id']}/take", headers=key)
    assert first.status_code == second.status_code == 200, first.text
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert wallet_state(buyer.uid)["balance"] == 400_000  # one fill
    assert wallets.platform_balance() - platform_before == 500
    entries = (
        store.db()
        .collection(store.TRANSACTIONS)
        .where(filter=FieldFilter("orderId", "==", order["id"]))
        .stream()
    )
    assert len([e for e in entries if (e.to_dict() or {}).get("userId") == buyer.uid]) == 2

    # the same key on another order's take is a different request
    order2 = post_order(seller).json()
    other = buyer.post(f"/crypto/orders/{order2['id']}/take", headers=key)
    assert_problem(other, 422, "idempotency_conflict")
    assert order_doc(order2["id"])["status"] == "open"


# --- listing and pagination ----------------------------------------------------------------


def seed_orders(user: ApiUser) -> list[crypto.CryptoOrder]:
    """Seven orders, oldest first: buys and sells of BTC and ETH, two of them cancelled."""
    profile = require_profile(user.uid)
    start = utcnow() - timedelta(minutes=30)
    made = []
    plan = [
        (Asset.BTC, OrderSide.BUY),
        (Asset.ETH, OrderSide.SELL),
        (Asset.BTC, OrderSide.BUY),
        (Asset.BTC, OrderSide.SELL),
        (Asset.ETH, OrderSide.BUY),
        (Asset.BTC, OrderSide.BUY),
        (Asset.ETH, OrderSide.SELL),
    ]
    for i, (asset, side) in enumerate(plan):
        made.append(
            crypto.create_order(
                profile,
                crypto.OrderRequest(asset, side, "0.01", 1_000_000 + i),
                now=start + timedelta(minutes=i),
            )
        )
    for o in (made[2], made[4]):
        crypto.cancel_order(user.uid, o.id)
    return made


def walk(user: ApiUser, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        query = params | ({"startingAfter": cursor} if cursor else {})
        resp = user.get("/crypto/orders", params=query)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert page["object"] == "list"
        assert len(page["data"]) <= params.get("limit", 20)
        seen += [o["id"] for o in page["data"]]
        if not page["hasMore"]:
            assert page["nextCursor"] is None
            return seen
        cursor = page["nextCursor"]
        assert cursor == page["data"][-1]["id"]
    raise AssertionError("pagination did not end")


def test_list_pages_with_filters_without_gaps_or_duplicates() -> None:
    user = make_api_user(balance=1_000_000, tier=MembershipTier.BUSINESS)
    wallets.deposit(user.uid, asset=Asset.BTC, quantity="1")
    wallets.deposit(user.uid, asset=Asset.ETH, quantity="1")
    made = seed_orders(user)
    newest_first = [o.id for o in reversed(made)]
    other = make_api_user(balance=1_000_000)
    post_order(other, side="buy")  # someone else's order never shows

    assert walk(user, limit=2) == newest_first
    assert walk(user, limit=3, asset="BTC") == [
        o.id for o in reversed(made) if o.asset == Asset.BTC
    ]
    assert walk(user, limit=1, status="open", side="buy") == [made[5].id, made[0].id]
    assert walk(user, limit=2, status="cancelled") == [made[4].id, made[2].id]
    assert walk(user, asset="ETH", side="sell", status="open") == [made[6].id, made[1].id]
    first = user.get("/crypto/orders", params={"limit": 100}).json()
    assert first["hasMore"] is False and len(first["data"]) == 7
    assert {o["userId"] for o in first["data"]} == {user.uid}


def test_list_refuses_a_foreign_cursor_and_bad_params() -> None:
    user = make_api_user(balance=200_000)
    other = make_api_user(balance=200_000)
    theirs = post_order(other, side="buy").json()
    post_order(user, side="buy")
    resp = user.get("/crypto/orders", params={"startingAfter": theirs["id"]})
    problem = assert_problem(resp, 400, "invalid_request")
    assert problem["errors"][0] == {
        "field": "startingAfter",
        "message": "unknown cursor",
        "code": "invalid_cursor",
    }
    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"status": "gone"}, "status"),
        ({"asset": "DOGE"}, "asset"),
        ({"role": "watcher"}, "role"),
        ({"colour": "red"}, "colour"),
    ]:
        problem = assert_problem(user.get("/crypto/orders", params=params), 400, "invalid_request")
        assert problem["errors"][0]["field"] == field


def test_taker_role_lists_the_orders_you_took() -> None:
    seller = make_api_user(tier=MembershipTier.VIP)
    fund_btc(seller)
    buyer = make_api_user(balance=500_000)
    taken = [post_order(seller).json()["id"] for _ in range(2)]
    post_order(seller)  # open, not taken
    for order_id in taken:
        assert buyer.post(f"/crypto/orders/{order_id}/take").status_code == 200
    assert walk(buyer, role="taker", limit=1) == list(reversed(taken))
    assert walk(buyer) == []  # the buyer posted nothing
    resp = buyer.get("/crypto/orders", params={"role": "taker", "startingAfter": taken[0]})
    assert [o["id"] for o in resp.json()["data"]] == []
    # a cursor of the creator list is not one of the taker list
    own = make_api_user(balance=200_000)
    mine = post_order(own, side="buy").json()["id"]
    assert_problem(
        own.get("/crypto/orders", params={"role": "taker", "startingAfter": mine}),
        400,
        "invalid_request",
    )


# --- order book ----------------------------------------------------------------------------


def test_order_book_sorts_bids_down_and_asks_up() -> None:
    maker = make_api_user(balance=5_000_000, tier=MembershipTier.BUSINESS)
    wallets.deposit(maker.uid, asset=Asset.USDC, quantity="1000")
    ids: dict[str, str] = {}
    for side, price in [("buy", 1_850), ("buy", 1_870), ("sell", 1_900), ("sell", 1_880)]:
        resp = post_order(maker, asset="USDC", side=side, quantity="10", price=price)
        assert resp.status_code == 201, resp.text
        ids[f"{side}{price}"] = resp.json()["id"]
    gone = post_order(maker, asset="USDC", side="buy", quantity="10", price=1_860).json()
    maker.post(f"/crypto/orders/{gone['id']}/cancel")

    viewer = make_api_user()
    resp = viewer.get("/crypto/orderbook/USDC", params={"limit": 100})
    assert resp.status_code == 200, resp.text
    book = resp.json()
    assert book["object"] == "order_book" and book["asset"] == "USDC"
    bids, asks = book["bids"], book["asks"]
    assert [b["price"] for b in bids] == sorted((b["price"] for b in bids), reverse=True)
    assert [a["price"] for a in asks] == sorted(a["price"] for a in asks)
    bid_ids, ask_ids = [b["id"] for b in bids], [a["id"] for a in asks]
    assert bid_ids.index(ids["buy1870"]) < bid_ids.index(ids["buy1850"])
    assert ask_ids.index(ids["sell1880"]) < ask_ids.index(ids["sell1900"])
    assert gone["id"] not in bid_ids
    entry = next(a for a in asks if a["id"] == ids["sell1880"])
    assert entry == {
        "id": ids["sell1880"],
        "side": "sell",
        "quantity": "10.000000",
        "price": 1_880,
        "value": 18_800,
        "createdAt": entry["createdAt"],
        "expiresAt": entry["expiresAt"],
    }
    assert viewer.get("/crypto/orderbook/usdc", params={"limit": 1}).json()["bids"] == [bids[0]]


def test_order_book_of_an_unknown_asset_is_400() -> None:
    user = make_api_user()
    problem = assert_problem(user.get("/crypto/orderbook/DOGE"), 400, "unknown_asset")
    assert problem["errors"][0]["field"] == "asset"
