"""P2P crypto listings (docs/product.md §3.4) against the Firestore emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import crypto, wallets
from coinbox_platform.domain.crypto import OrderRequest
from coinbox_platform.domain.models import CryptoOrder, OrderSide, OrderStatus, UserProfile
from coinbox_platform.errors import CoinboxError
from coinbox_platform.money import Asset
from coinbox_platform.tiers import MembershipTier
from tests.invariants import (
    check_wallet,
    check_wallet_objects,
    freeze,
    money_totals,
    platform_wallets,
    read_wallet,
)
from tests.support import make_profile

pytestmark = pytest.mark.emulator

BUY, SELL = OrderSide.BUY, OrderSide.SELL
PRICE = 100_000_000  # R1,000,000 per BTC: 0.001 BTC is worth R1,000 (100_000 cents)
AMB = MembershipTier.AMBASSADOR


def trader(
    balance: int = 0, coins: str | None = None, asset: Asset = Asset.BTC, **kw: object
) -> UserProfile:
    user = make_profile(balance=balance, **kw)  # type: ignore[arg-type]
    if coins:
        wallets.deposit(user.id, asset=asset, quantity=coins)
    return user


def req(
    side: OrderSide, quantity: str, price: int = PRICE, asset: Asset = Asset.BTC
) -> OrderRequest:
    return OrderRequest(asset=asset, side=side, quantity=quantity, price=price)


def stored(order_id: str) -> CryptoOrder:
    found = crypto.get_order(order_id)
    assert found is not None
    return found


def refused(code: str, fn: object, *args: object, **kw: object) -> CoinboxError:
    with pytest.raises(CoinboxError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    assert info.value.code == code, info.value
    return info.value


def refused_unchanged(
    code: str, uids: list[str], orders: list[str], fn: object, *args: object, **kw: object
) -> CoinboxError:
    """The operation is refused with `code` and the wallets, their ledger entries, the
    platform's total and the orders are exactly as before."""
    docs = [(store.CRYPTO_ORDERS, o) for o in orders]
    before = freeze(uids, docs)
    error = refused(code, fn, *args, **kw)
    assert freeze(uids, docs) == before
    return error


def user_orders(uid: str) -> list[str]:
    query = (
        store.db().collection(store.CRYPTO_ORDERS).where(filter=FieldFilter("userId", "==", uid))
    )
    return sorted(s.id for s in query.stream())


def btc(uid: str) -> tuple[int, int]:
    return read_wallet(uid).amounts("BTC")


def platform_zar() -> int:
    return money_totals(platform_wallets()).get("ZAR", 0)


def check(*uids: str) -> None:
    for uid in uids:
        check_wallet(uid)
        check_wallet_objects(uid)


# ---- creation ----


def test_buy_listing_locks_value_plus_fee() -> None:
    user = trader(balance=200_000)
    now = utcnow()
    created = crypto.create_order(user, req(BUY, "0.001", 123_456_789), now=now)
    got = stored(created.id)
    # 0.001 × R1,234,567.89 = 123,456.789 cents → 123,457; fee 617.285 → 617.
    assert (got.quantity, got.price, got.value, got.fee) == (100_000, 123_456_789, 123_457, 617)
    assert got.status == OrderStatus.OPEN and got.user_id == user.id
    assert got.expires_at == now + timedelta(hours=24)
    wallet = read_wallet(user.id)
    assert (wallet.balance, wallet.locked) == (200_000 - 124_074, 124_074)
    assert wallet.open_orders == 1
    check(user.id)


def test_sell_listing_locks_quantity() -> None:
    user = trader(coins="0.5")
    created = crypto.create_order(user, req(SELL, "0.003"))
    got = stored(created.id)
    assert (got.quantity, got.value, got.fee) == (300_000, 300_000, 1_500)
    assert btc(user.id) == (50_000_000 - 300_000, 300_000)
    wallet = read_wallet(user.id)
    assert (wallet.balance, wallet.locked, wallet.open_orders) == (0, 0, 1)
    check(user.id)


def test_value_rounds_half_up_and_fee_has_a_floor() -> None:
    user = trader(balance=100_000)
    # 100,001 atoms × 50,000,000 cents / 1e8 = 50,000.5 cents → 50,001; fee 250.0025 → R2.50.
    created = crypto.create_order(user, req(BUY, "0.00100001", 50_000_000))
    assert (stored(created.id).value, stored(created.id).fee) == (50_001, 250)
    assert read_wallet(user.id).locked == 50_251


def test_minimum_value_is_ten_rand() -> None:
    user = trader(balance=100_000, coins="0.1")
    error = refused_unchanged(
        "below_minimum", [user.id], [], crypto.create_order, user, req(BUY, "0.00000999")
    )
    assert error.status == 422
    refused_unchanged(
        "below_minimum", [user.id], [], crypto.create_order, user, req(SELL, "0.00000999")
    )
    assert user_orders(user.id) == []
    at_minimum = crypto.create_order(user, req(BUY, "0.00001"))  # exactly R10
    assert stored(at_minimum.id).value == 1_000 and stored(at_minimum.id).fee == 250


def test_crypto_decimals_are_eight_for_btc_eth_and_six_for_usdt_usdc() -> None:
    user = trader(balance=1_000_000, tier=MembershipTier.BUSINESS)
    ok_btc = crypto.create_order(user, req(BUY, "0.00012345", asset=Asset.BTC))
    ok_eth = crypto.create_order(user, req(BUY, "0.12345678", 5_000_000, asset=Asset.ETH))
    ok_usdt = crypto.create_order(user, req(BUY, "10.123456", 1_850, asset=Asset.USDT))
    assert stored(ok_btc.id).quantity == 12_345
    assert stored(ok_eth.id).quantity == 12_345_678
    assert stored(ok_usdt.id).quantity == 1_012_345_600
    assert stored(ok_usdt.id).to_api()["quantity"] == "10.123456"
    assert stored(ok_btc.id).to_api()["quantity"] == "0.00012345"
    for asset, quantity in [
        (Asset.USDT, "10.1234567"),
        (Asset.USDC, "10.1234567"),
        (Asset.BTC, "0.123456789"),
        (Asset.ETH, "1e-3"),
    ]:
        error = refused_unchanged(
            "invalid_request",
            [user.id],
            [],
            crypto.create_order,
            user,
            req(BUY, quantity, 1_850, asset),
        )
        assert error.errors[0].field == "quantity"
    assert len(user_orders(user.id)) == 3


def test_price_must_be_positive() -> None:
    user = trader(balance=100_000)
    error = refused_unchanged(
        "invalid_request", [user.id], [], crypto.create_order, user, req(BUY, "0.001", 0)
    )
    assert [e.field for e in error.errors] == ["price"]


def test_insufficient_funds_for_a_listing() -> None:
    user = trader(balance=100_499, coins="0.001")
    # A buy of R1,000 needs R1,005 locked (value + fee).
    refused_unchanged(
        "insufficient_funds", [user.id], [], crypto.create_order, user, req(BUY, "0.001")
    )
    refused_unchanged(
        "insufficient_funds", [user.id], [], crypto.create_order, user, req(SELL, "0.00100001")
    )
    refused_unchanged(
        "insufficient_funds",
        [user.id],
        [],
        crypto.create_order,
        user,
        req(SELL, "1", 1_850, Asset.USDT),
    )
    assert user_orders(user.id) == []
    crypto.create_order(user, req(SELL, "0.001"))
    check(user.id)


# ---- creator tier limits ----


def test_max_per_trade_for_the_creator() -> None:
    user = trader(balance=2_000_000)  # basic: R5,000 a trade
    refused_unchanged(
        "limit_exceeded", [user.id], [], crypto.create_order, user, req(BUY, "0.00500001")
    )
    crypto.create_order(user, req(BUY, "0.005"))  # exactly R5,000
    assert read_wallet(user.id).locked == 500_000 + 2_500


def test_max_open_orders_for_the_creator() -> None:
    user = trader(balance=1_000_000)  # basic: 2 open orders
    first = crypto.create_order(user, req(BUY, "0.001"))
    crypto.create_order(user, req(BUY, "0.001"))
    refused_unchanged("limit_exceeded", [user.id], [], crypto.create_order, user, req(BUY, "0.001"))
    crypto.cancel_order(user.id, first.id)
    crypto.create_order(user, req(BUY, "0.001"))
    assert read_wallet(user.id).open_orders == 2
    check(user.id)


def test_weekly_volume_for_the_creator() -> None:
    user = trader(balance=10_000_000, tier=AMB)  # R20,000 a trade, R60,000 a week, 5 open
    now = utcnow()
    for _ in range(3):
        crypto.create_order(user, req(BUY, "0.02"), now=now)  # R20,000 each
    assert read_wallet(user.id).weekly_volume(now) == 6_000_000
    refused_unchanged(
        "limit_exceeded", [user.id], [], crypto.create_order, user, req(BUY, "0.00001"), now=now
    )
    # Six days later the week still counts them; seven days later it does not.
    refused_unchanged(
        "limit_exceeded",
        [user.id],
        [],
        crypto.create_order,
        user,
        req(BUY, "0.00001"),
        now=now + timedelta(days=6),
    )
    crypto.create_order(user, req(BUY, "0.00001"), now=now + timedelta(days=7))


def test_cancelled_listing_frees_weekly_volume() -> None:
    user = trader(balance=10_000_000, tier=AMB)
    now = utcnow()
    orders = [crypto.create_order(user, req(BUY, "0.02"), now=now) for _ in range(3)]
    crypto.cancel_order(user.id, orders[0].id, now=now)
    assert read_wallet(user.id).weekly_volume(now) == 4_000_000
    crypto.create_order(user, req(BUY, "0.02"), now=now)


def test_business_tier_is_unlimited() -> None:
    user = trader(balance=100_000_000, tier=MembershipTier.BUSINESS)
    for _ in range(11):
        crypto.create_order(user, req(BUY, "0.06"))  # R60,000 each, 11 open
    wallet = read_wallet(user.id)
    assert wallet.open_orders == 11 and wallet.locked == 11 * (6_000_000 + 30_000)
    check(user.id)


# ---- take ----


def test_taking_a_buy_listing() -> None:
    creator = trader(balance=400_000)
    taker = trader(coins="0.01")
    listing = crypto.create_order(creator, req(BUY, "0.003"))  # R3,000 + R15 fee
    platform_before = platform_zar()
    now = utcnow()
    filled = crypto.take_order(taker, listing.id, now=now)
    assert filled.status == OrderStatus.FILLED
    got = stored(listing.id)
    assert (got.status, got.taker_id, got.filled_at) == (OrderStatus.FILLED, taker.id, now)
    c, t = read_wallet(creator.id), read_wallet(taker.id)
    assert (c.balance, c.locked, c.amounts("BTC"), c.open_orders) == (
        400_000 - 301_500,
        0,
        (300_000, 0),
        0,
    )
    assert (t.balance, t.locked, t.amounts("BTC")) == (300_000, 0, (1_000_000 - 300_000, 0))
    assert t.weekly_volume(now) == 300_000
    assert platform_zar() == platform_before + 1_500
    check(creator.id, taker.id)


def test_taking_a_sell_listing() -> None:
    creator = trader(coins="0.01")
    taker = trader(balance=400_000)
    listing = crypto.create_order(creator, req(SELL, "0.003"))
    platform_before = platform_zar()
    crypto.take_order(taker, listing.id)
    c, t = read_wallet(creator.id), read_wallet(taker.id)
    assert (c.balance, c.locked, c.amounts("BTC"), c.open_orders) == (
        300_000 - 1_500,
        0,
        (700_000, 0),
        0,
    )
    assert (t.balance, t.amounts("BTC")) == (100_000, (300_000, 0))
    assert platform_zar() == platform_before + 1_500
    assert stored(listing.id).status == OrderStatus.FILLED
    check(creator.id, taker.id)


def test_usdc_listing_moves_six_decimal_quantities() -> None:
    creator = trader(coins="250.5", asset=Asset.USDC)
    taker = trader(balance=500_000)
    listing = crypto.create_order(creator, req(SELL, "100.000001", 1_850, Asset.USDC))
    assert stored(listing.id).value == 185_000  # 185,000.00185 cents, rounded
    crypto.take_order(taker, listing.id)
    assert read_wallet(taker.id).amounts("USDC") == (10_000_000_100, 0)
    assert read_wallet(creator.id).amounts("USDC") == (25_050_000_000 - 10_000_000_100, 0)
    check(creator.id, taker.id)


def test_self_take_is_refused() -> None:
    user = trader(balance=200_000, coins="0.01")
    listing = crypto.create_order(user, req(SELL, "0.001"))
    refused_unchanged("self_trade", [user.id], [listing.id], crypto.take_order, user, listing.id)


def test_taker_without_funds_changes_nothing() -> None:
    creator = trader(balance=400_000, coins="0.01")
    buy = crypto.create_order(creator, req(BUY, "0.003"))
    sell = crypto.create_order(creator, req(SELL, "0.003"))
    taker = trader(balance=299_999, coins="0.00299999")
    refused_unchanged(
        "insufficient_funds", [creator.id, taker.id], [buy.id], crypto.take_order, taker, buy.id
    )
    refused_unchanged(
        "insufficient_funds", [creator.id, taker.id], [sell.id], crypto.take_order, taker, sell.id
    )


def test_filled_cancelled_or_expired_listings_cannot_be_taken() -> None:
    creator = trader(balance=1_000_000, coins="0.01")
    taker = trader(balance=1_000_000, coins="0.01")
    filled = crypto.create_order(creator, req(SELL, "0.001"))
    crypto.take_order(taker, filled.id)
    cancelled = crypto.create_order(creator, req(SELL, "0.001"))
    crypto.cancel_order(creator.id, cancelled.id)
    now = utcnow()
    stale = crypto.create_order(creator, req(SELL, "0.001"), now=now)
    uids = [creator.id, taker.id]
    other = trader(balance=1_000_000)
    for listing in (filled, cancelled):
        refused_unchanged(
            "order_not_open", [*uids, other.id], [listing.id], crypto.take_order, other, listing.id
        )
    refused_unchanged(
        "order_not_open",
        uids,
        [stale.id],
        crypto.take_order,
        taker,
        stale.id,
        now=now + timedelta(hours=24),
    )
    refused("not_found", crypto.take_order, taker, "ord_nope")


def test_taker_max_per_trade() -> None:
    creator = trader(coins="0.1", tier=MembershipTier.VIP)
    taker = trader(balance=5_000_000)  # basic: R5,000 a trade
    listing = crypto.create_order(creator, req(SELL, "0.00500001"))
    refused_unchanged(
        "limit_exceeded", [creator.id, taker.id], [listing.id], crypto.take_order, taker, listing.id
    )
    crypto.take_order(trader(balance=5_000_000, tier=AMB), listing.id)


def test_taker_weekly_volume() -> None:
    taker = trader(balance=10_000_000)  # basic: R15,000 a week
    now = utcnow()
    for _ in range(3):
        seller = trader(coins="0.005")
        crypto.take_order(
            taker, crypto.create_order(seller, req(SELL, "0.005"), now=now).id, now=now
        )
    assert read_wallet(taker.id).weekly_volume(now) == 1_500_000
    seller = trader(coins="0.001")
    listing = crypto.create_order(seller, req(SELL, "0.00001"), now=now)
    refused_unchanged(
        "limit_exceeded",
        [seller.id, taker.id],
        [listing.id],
        crypto.take_order,
        taker,
        listing.id,
        now=now,
    )
    check(taker.id)


# ---- cancel and expiry ----


def test_cancel_releases_the_lock() -> None:
    user = trader(balance=200_000, coins="0.01")
    buy = crypto.create_order(user, req(BUY, "0.001"))
    sell = crypto.create_order(user, req(SELL, "0.002"))
    cancelled = crypto.cancel_order(user.id, buy.id)
    assert cancelled.status == OrderStatus.CANCELLED == stored(buy.id).status
    assert (read_wallet(user.id).balance, read_wallet(user.id).locked) == (200_000, 0)
    crypto.cancel_order(user.id, sell.id)
    assert btc(user.id) == (1_000_000, 0)
    wallet = read_wallet(user.id)
    assert wallet.open_orders == 0 and wallet.weekly_volume(utcnow()) == 0
    check(user.id)
    refused_unchanged("order_not_open", [user.id], [buy.id], crypto.cancel_order, user.id, buy.id)


def test_only_the_creator_cancels() -> None:
    user = trader(balance=200_000)
    other = trader(balance=200_000)
    listing = crypto.create_order(user, req(BUY, "0.001"))
    refused_unchanged(
        "not_found", [user.id, other.id], [listing.id], crypto.cancel_order, other.id, listing.id
    )


def test_a_filled_listing_cannot_be_cancelled() -> None:
    creator = trader(coins="0.01")
    listing = crypto.create_order(creator, req(SELL, "0.001"))
    crypto.take_order(trader(balance=200_000), listing.id)
    refused_unchanged(
        "order_not_open", [creator.id], [listing.id], crypto.cancel_order, creator.id, listing.id
    )


def test_expiry_after_24_hours_releases_the_lock() -> None:
    t0 = utcnow() + timedelta(days=3000)
    user = trader(balance=200_000, coins="0.01")
    buy = crypto.create_order(user, req(BUY, "0.001"), now=t0)
    sell = crypto.create_order(user, req(SELL, "0.001"), now=t0 + timedelta(hours=1))
    crypto.expire_orders(t0 + timedelta(hours=24) - timedelta(seconds=1))
    assert stored(buy.id).status == OrderStatus.OPEN
    assert crypto.expire_orders(t0 + timedelta(hours=24)) >= 1
    assert stored(buy.id).status == OrderStatus.EXPIRED
    assert stored(sell.id).status == OrderStatus.OPEN
    wallet = read_wallet(user.id)
    assert (wallet.balance, wallet.locked, wallet.open_orders) == (200_000, 0, 1)
    assert btc(user.id) == (900_000, 100_000)
    crypto.expire_orders(t0 + timedelta(hours=26))
    assert btc(user.id) == (1_000_000, 0)
    before = freeze([user.id], [(store.CRYPTO_ORDERS, buy.id), (store.CRYPTO_ORDERS, sell.id)])
    crypto.expire_orders(t0 + timedelta(hours=30))  # idempotent
    assert (
        freeze([user.id], [(store.CRYPTO_ORDERS, buy.id), (store.CRYPTO_ORDERS, sell.id)]) == before
    )
    check(user.id)


def test_expiry_leaves_filled_listings_alone() -> None:
    t0 = utcnow() + timedelta(days=3100)
    creator = trader(coins="0.01")
    listing = crypto.create_order(creator, req(SELL, "0.001"), now=t0)
    crypto.take_order(trader(balance=200_000), listing.id, now=t0)
    crypto.expire_orders(t0 + timedelta(days=2))
    assert stored(listing.id).status == OrderStatus.FILLED
    check(creator.id)


def test_order_book_lists_open_listings_by_price() -> None:
    user = trader(balance=10_000_000, coins="1", tier=MembershipTier.BUSINESS)
    asset = Asset.ETH
    wallets.deposit(user.id, asset=asset, quantity="10")
    bids = [crypto.create_order(user, req(BUY, "0.01", p, asset)) for p in (4_000_000, 4_100_000)]
    asks = [crypto.create_order(user, req(SELL, "0.01", p, asset)) for p in (4_300_000, 4_200_000)]
    crypto.cancel_order(user.id, bids[0].id)
    book = crypto.order_book(asset, limit=100)
    bid_ids = [o.id for o in book["bids"]]
    ask_ids = [o.id for o in book["asks"]]
    assert bids[1].id in bid_ids and bids[0].id not in bid_ids
    assert ask_ids.index(asks[1].id) < ask_ids.index(asks[0].id)
    prices = [o.price for o in book["bids"]]
    assert prices == sorted(prices, reverse=True)
    assert [o.price for o in book["asks"]] == sorted(o.price for o in book["asks"])


def test_taker_max_open_orders() -> None:
    """docs/product.md §3.4: open orders < max open applies to the taker too."""
    taker = trader(balance=1_000_000)  # basic: 2 open orders
    for _ in range(2):
        crypto.create_order(taker, req(BUY, "0.001"))
    seller = trader(coins="0.01")
    listing = crypto.create_order(seller, req(SELL, "0.001"))
    refused_unchanged(
        "limit_exceeded", [seller.id, taker.id], [listing.id], crypto.take_order, taker, listing.id
    )
    crypto.take_order(trader(balance=1_000_000), listing.id)
