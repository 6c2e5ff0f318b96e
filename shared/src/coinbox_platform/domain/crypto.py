"""P2P crypto listings (docs/product.md §3.4): create (locks funds), take (whole), cancel,
expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.ledger import Ledger, Move, Refs, Wallet, random_platform_wallet
from coinbox_platform.domain.models import (
    CryptoOrder,
    LedgerType,
    OrderSide,
    OrderStatus,
    UserProfile,
)
from coinbox_platform.errors import (
    Conflict,
    FieldError,
    InvalidRequest,
    NotFound,
    UnprocessableRule,
    limit_exceeded,
)
from coinbox_platform.ids import new_id
from coinbox_platform.money import (
    CRYPTO_MIN_VALUE,
    ZAR,
    Asset,
    crypto_fee,
    parse_quantity,
    rands,
    trade_value,
)
from coinbox_platform.tiers import limits_for

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, Transaction

ORDER_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class OrderRequest:
    asset: Asset
    side: OrderSide
    quantity: str  # decimal string
    price: int  # cents per unit

    def parsed(self) -> tuple[int, int, int]:
        """(quantity atoms, value cents, fee cents), or InvalidRequest naming each bad field."""
        errors = []
        atoms = 0
        try:
            atoms = parse_quantity(self.quantity, self.asset)
        except ValueError as exc:
            errors.append(FieldError("quantity", str(exc), "invalid_quantity"))
        if self.price <= 0:
            errors.append(FieldError("price", "must be a positive number of cents", "invalid"))
        if errors:
            raise InvalidRequest("The order is invalid.", errors=errors)
        value = trade_value(atoms, self.price)
        if value < CRYPTO_MIN_VALUE:
            raise UnprocessableRule(
                f"The order value must be at least {rands(CRYPTO_MIN_VALUE)}.",
                code="below_minimum",
                errors=[FieldError("quantity", "value below R10.00", "below_minimum")],
            )
        return atoms, value, crypto_fee(value)


def _orders() -> CollectionReference:
    return store.db().collection(store.CRYPTO_ORDERS)


def user_orders(
    uid: str,
    *,
    as_taker: bool = False,
    status: OrderStatus | None = None,
    asset: Asset | None = None,
    side: OrderSide | None = None,
) -> store.Listing:
    """The orders the user posted (or, `as_taker`, took), newest first
    (GET /v1/crypto/orders)."""
    owner_field = "takerId" if as_taker else "userId"
    return (
        store.owned(store.CRYPTO_ORDERS, owner_field, uid)
        .where("status", "==", status)
        .where("asset", "==", asset)
        .where("side", "==", side)
    )


def _check_trade_limits(user: UserProfile, wallet: Wallet, value: int, now: datetime) -> None:
    """The tier limits that apply to creator and taker alike (docs/product.md §3.4): value ≤ max per
    trade, 7-day volume ≤ weekly limit, open orders < max open."""
    limits = limits_for(user.membership_tier)
    if limits.crypto_max_per_trade is not None and value > limits.crypto_max_per_trade:
        raise limit_exceeded(
            f"The trade value exceeds your tier's maximum of {rands(limits.crypto_max_per_trade)}.",
            "quantity",
        )
    if (
        limits.crypto_weekly_volume is not None
        and wallet.weekly_volume(now) + value > limits.crypto_weekly_volume
    ):
        raise limit_exceeded(
            f"The trade would exceed your weekly volume of {rands(limits.crypto_weekly_volume)}.",
            "quantity",
        )
    max_open = limits.max_open_crypto_orders
    if max_open is not None and wallet.open_orders >= max_open:
        raise limit_exceeded(f"Your tier allows at most {max_open} open orders.", "side")


def stage_order(
    ledger: Ledger,
    user: UserProfile,
    request: OrderRequest,
    *,
    now: datetime,
    batch_id: str | None = None,
) -> CryptoOrder:
    """Check limits and lock the funds of a new listing on an already-read wallet."""
    atoms, value, fee = request.parsed()
    wallet = ledger.wallet(user.id)
    _check_trade_limits(user, wallet, value, now)
    order_id = new_id("ord")
    if request.side == OrderSide.BUY:
        ledger.post(
            user.id,
            Move.LOCK,
            value + fee,
            type=LedgerType.CRYPTO_BUY,
            description=f"Locked for buy order {order_id}",
            refs=Refs(order_id=order_id, batch_id=batch_id),
            field_name="price",
        )
    else:
        ledger.post(
            user.id,
            Move.LOCK,
            atoms,
            asset=request.asset,
            type=LedgerType.CRYPTO_SELL,
            description=f"Locked for sell order {order_id}",
            refs=Refs(order_id=order_id, batch_id=batch_id),
            field_name="quantity",
        )
    day = now.date().isoformat()
    wallet.open_orders += 1
    wallet.add_volume(day, value, now)
    return CryptoOrder(
        id=order_id,
        user_id=user.id,
        asset=request.asset,
        side=request.side,
        quantity=atoms,
        price=request.price,
        value=value,
        fee=fee,
        status=OrderStatus.OPEN,
        created_at=now,
        expires_at=now + ORDER_LIFETIME,
        volume_day=day,
        batch_id=batch_id,
    )


def create_order(
    user: UserProfile,
    request: OrderRequest,
    *,
    now: datetime | None = None,
    batch_id: str | None = None,
) -> CryptoOrder:
    """Post a listing. A buy locks value + fee in rands, a sell locks the quantity."""
    now = now or utcnow()
    request.parsed()  # validate before opening a transaction

    def apply(txn: Transaction) -> CryptoOrder:
        ledger = Ledger(txn, now)
        ledger.read(user.id)
        order = stage_order(ledger, user, request, now=now, batch_id=batch_id)
        ledger.write()
        txn.create(_orders().document(order.id), order.to_doc())
        return order

    return store.run_transaction(apply)


def get_order(order_id: str) -> CryptoOrder | None:
    return CryptoOrder.fetch(order_id)


def visible_order(uid: str, order_id: str) -> CryptoOrder:
    """An order the user may see: theirs, one they took, or one open in the order book."""
    order = get_order(order_id)
    if order is None or (
        uid not in (order.user_id, order.taker_id) and order.status != OrderStatus.OPEN
    ):
        raise NotFound(f"No order {order_id}.")
    return order


def _read_order(txn: Transaction, order_id: str) -> CryptoOrder:
    return CryptoOrder.require(order_id, txn, label="order")


def take_order(taker: UserProfile, order_id: str, *, now: datetime | None = None) -> CryptoOrder:
    """Take a listing whole: money and crypto change hands, the creator's fee goes to the
    platform."""
    now = now or utcnow()
    platform = random_platform_wallet()

    def apply(txn: Transaction) -> CryptoOrder:
        order = _read_order(txn, order_id)
        ledger = Ledger(txn, now)
        ledger.read(order.user_id, taker.id, platform)
        if order.user_id == taker.id:
            raise UnprocessableRule(
                "You cannot take your own order.",
                code="self_trade",
                errors=[FieldError("orderId", "this is your own order", "self_trade")],
            )
        if order.status != OrderStatus.OPEN or order.expires_at <= now:
            raise Conflict("This order is no longer open.", code="order_not_open")
        taker_wallet = ledger.wallet(taker.id)
        _check_trade_limits(taker, taker_wallet, order.value, now)
        creator, asset, qty = order.user_id, order.asset.value, order.quantity
        refs = Refs(order_id=order.id)
        if order.side == OrderSide.BUY:  # creator buys crypto from the taker
            ledger.post(
                taker.id,
                Move.DEBIT,
                qty,
                asset=asset,
                type=LedgerType.CRYPTO_SELL,
                field_name="quantity",
                refs=refs,
            )
            ledger.post(taker.id, Move.CREDIT, order.value, type=LedgerType.CRYPTO_SELL, refs=refs)
            ledger.post(creator, Move.SPEND, order.value, type=LedgerType.CRYPTO_BUY, refs=refs)
            ledger.post(creator, Move.SPEND, order.fee, type=LedgerType.FEE, refs=refs)
            ledger.post(
                creator, Move.CREDIT, qty, asset=asset, type=LedgerType.CRYPTO_BUY, refs=refs
            )
        else:  # creator sells crypto to the taker
            ledger.post(taker.id, Move.DEBIT, order.value, type=LedgerType.CRYPTO_BUY, refs=refs)
            ledger.post(
                taker.id, Move.CREDIT, qty, asset=asset, type=LedgerType.CRYPTO_BUY, refs=refs
            )
            ledger.post(
                creator, Move.SPEND, qty, asset=asset, type=LedgerType.CRYPTO_SELL, refs=refs
            )
            ledger.post(creator, Move.CREDIT, order.value, type=LedgerType.CRYPTO_SELL, refs=refs)
            ledger.post(creator, Move.DEBIT, order.fee, type=LedgerType.FEE, refs=refs)
        ledger.post(
            platform,
            Move.CREDIT,
            order.fee,
            type=LedgerType.FEE,
            description="Crypto trade fee",
            refs=refs,
        )
        creator_wallet = ledger.touch(creator)
        creator_wallet.open_orders = max(0, creator_wallet.open_orders - 1)
        taker_wallet.add_volume(now.date().isoformat(), order.value, now)
        filled = order.model_copy(
            update={
                "status": OrderStatus.FILLED,
                "taker_id": taker.id,
                "filled_at": now,
                "updated_at": now,
            }
        )
        ledger.write()
        txn.set(_orders().document(order.id), filled.to_doc())
        return filled

    return store.run_transaction(apply)


def _release(ledger: Ledger, order: CryptoOrder, now: datetime) -> None:
    refs = Refs(order_id=order.id)
    if order.side == OrderSide.BUY:
        ledger.post(
            order.user_id,
            Move.RELEASE,
            order.value + order.fee,
            asset=ZAR,
            type=LedgerType.REFUND,
            description=f"Released order {order.id}",
            refs=refs,
        )
    else:
        ledger.post(
            order.user_id,
            Move.RELEASE,
            order.quantity,
            asset=order.asset.value,
            type=LedgerType.REFUND,
            description=f"Released order {order.id}",
            refs=refs,
        )
    wallet = ledger.wallet(order.user_id)
    wallet.open_orders = max(0, wallet.open_orders - 1)
    # A listing that never traded does not count towards the weekly volume.
    if order.volume_day in wallet.crypto_volume:
        wallet.add_volume(order.volume_day, -order.value, now)


def _close(
    order_id: str, status: OrderStatus, now: datetime, owner: str | None
) -> CryptoOrder | None:
    def apply(txn: Transaction) -> CryptoOrder | None:
        order = _read_order(txn, order_id)
        if owner is not None and order.user_id != owner:
            raise NotFound(f"No order {order_id}.")
        if order.status != OrderStatus.OPEN:
            if owner is None:
                return None
            raise Conflict(
                f"A {order.status.value} order cannot be cancelled.", code="order_not_open"
            )
        if status == OrderStatus.EXPIRED and order.expires_at > now:
            return None
        ledger = Ledger(txn, now)
        ledger.read(order.user_id)
        _release(ledger, order, now)
        closed = order.model_copy(update={"status": status, "updated_at": now})
        ledger.write()
        txn.set(_orders().document(order.id), closed.to_doc())
        return closed

    return store.run_transaction(apply)


def cancel_order(uid: str, order_id: str, *, now: datetime | None = None) -> CryptoOrder:
    """The creator cancels an open listing; its lock is released."""
    closed = _close(order_id, OrderStatus.CANCELLED, now or utcnow(), owner=uid)
    assert closed is not None
    return closed


def expire_orders(now: datetime | None = None, *, limit: int = 500) -> int:
    """Open listings past expiresAt expire and release their locks. Idempotent."""
    now = now or utcnow()
    query = (
        _orders()
        .where(filter=FieldFilter("status", "==", OrderStatus.OPEN.value))
        .where(filter=FieldFilter("expiresAt", "<=", now))
        .limit(limit)
    )
    return sum(
        1 for snap in query.stream() if _close(snap.id, OrderStatus.EXPIRED, now, owner=None)
    )


def order_book(asset: Asset, *, limit: int = 50) -> dict[str, list[CryptoOrder]]:
    """Open listings of an asset: buys best (highest) price first, sells lowest first."""
    from google.cloud import firestore

    def side(s: OrderSide, direction: str) -> list[CryptoOrder]:
        q = (
            _orders()
            .where(filter=FieldFilter("asset", "==", asset.value))
            .where(filter=FieldFilter("side", "==", s.value))
            .where(filter=FieldFilter("status", "==", OrderStatus.OPEN.value))
            .order_by("price", direction=direction)
            .order_by("createdAt")
            .limit(limit)
        )
        return [CryptoOrder.from_doc(d.id, d.to_dict() or {}) for d in q.stream()]

    return {
        "bids": side(OrderSide.BUY, firestore.Query.DESCENDING),
        "asks": side(OrderSide.SELL, firestore.Query.ASCENDING),
    }
