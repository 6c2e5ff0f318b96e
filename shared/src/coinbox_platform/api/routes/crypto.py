"""Endpoint family `crypto` (docs/product.md §3.4): P2P listings, taking them, the order book.

    GET  /v1/crypto/orders                   the caller's orders (?role=taker: ones they took)
    POST /v1/crypto/orders                   post a listing (locks funds)
    GET  /v1/crypto/orders/{orderId}         creator, taker, or anyone while it is open
    POST /v1/crypto/orders/{orderId}/take    take it whole
    POST /v1/crypto/orders/{orderId}/cancel  creator only; releases the lock
    GET  /v1/crypto/orderbook/{asset}        open listings by price

Firestore indexes (firestore.indexes.json): the order list filters `userId` (or `takerId`) with
optional `status`, `asset`, `side` equalities, ordered by `createdAt desc, __name__ desc`; one
composite index per equality field with that order lets Firestore merge them for any
combination. The order book uses (asset, side, status, price asc|desc, createdAt asc).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import shown_as
from coinbox_platform.api.schemas.crypto import (
    BookEntry,
    OrderBook,
    OrderBookParams,
    OrderCreate,
    OrderList,
    OrderListParams,
    OrderOut,
    OrderRole,
)
from coinbox_platform.domain import crypto
from coinbox_platform.domain.models import CryptoOrder
from coinbox_platform.errors import FieldError, InvalidRequest
from coinbox_platform.money import Asset

TAGS = ("Crypto",)


def render(order: CryptoOrder, viewer: str) -> dict[str, Any]:
    data = order.to_api()
    if viewer not in (order.user_id, order.taker_id):
        data["userId"] = None  # an open listing is public; who posted it is not
    return shown_as(OrderOut, data)


def _render_doc(viewer: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def to_api(doc_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return render(CryptoOrder.from_doc(doc_id, data), viewer)

    return to_api


@TABLE.route(
    "GET",
    "/v1/crypto/orders",
    "crypto",
    summary="List your crypto orders",
    scope="read:crypto",
    query=OrderListParams,
    response=OrderList,
    errors=(400, 401, 403),
    tags=TAGS,
    description="Newest first. `role=taker` lists the orders you took instead of posted.",
)
def list_orders(call: Call[OrderListParams]) -> Reply:

    params = call.query
    orders = crypto.user_orders(
        call.uid,
        as_taker=params.role == OrderRole.TAKER,
        status=params.status,
        asset=params.asset,
        side=params.side,
    )
    return list_reply(orders, params, to_api=_render_doc(call.uid))


@TABLE.route(
    "POST",
    "/v1/crypto/orders",
    "crypto",
    summary="Post a crypto listing",
    scope="write:crypto",
    body=OrderCreate,
    response=OrderOut,
    status=201,
    errors=(400, 401, 403, 409, 422),
    tags=TAGS,
    description=(
        "A buy listing locks value + fee in rands; a sell listing locks the quantity. Minimum "
        "value R10; the tier's max per trade, weekly volume and open orders apply. Errors: "
        "`insufficient_funds`, `limit_exceeded`, `below_minimum` (422)."
    ),
    codes=("insufficient_funds", "limit_exceeded", "below_minimum"),
)
def create_order(call: Call[None, OrderCreate]) -> Reply:
    body = call.body
    order = crypto.create_order(
        call.user,
        crypto.OrderRequest(
            asset=body.asset, side=body.side, quantity=body.quantity, price=body.price
        ),
        now=call.now,
    )
    return Reply(
        render(order, call.uid), status=201, headers={"Location": f"/v1/crypto/orders/{order.id}"}
    )


@TABLE.route(
    "GET",
    "/v1/crypto/orders/{orderId}",
    "crypto",
    summary="Get a crypto order",
    scope="read:crypto",
    response=OrderOut,
    errors=(401, 403, 404),
    tags=TAGS,
    description="Yours, one you took, or any open listing; anything else is a 404.",
)
def get_order(call: Call) -> Reply:
    order = crypto.visible_order(call.uid, call.params["orderId"])
    return Reply(render(order, call.uid))


@TABLE.route(
    "POST",
    "/v1/crypto/orders/{orderId}/take",
    "crypto",
    summary="Take a crypto listing",
    scope="write:crypto",
    response=OrderOut,
    errors=(401, 403, 404, 409, 422),
    tags=TAGS,
    description=(
        "Takes the whole listing: money and crypto change hands between the two wallets and "
        "the creator's fee goes to the platform. Errors: `order_not_open` (409), "
        "`self_trade`, `insufficient_funds`, `limit_exceeded` (422)."
    ),
    codes=(
        "order_not_open",
        "self_trade",
        "insufficient_funds",
        "limit_exceeded",
        "balance_limit_exceeded",
    ),
)
def take_order(call: Call) -> Reply:
    # The order is read again inside the take's transaction; this read keeps orders the caller
    # may not know about (filled or cancelled ones of others) a 404 rather than a 409.
    crypto.visible_order(call.uid, call.params["orderId"])
    order = crypto.take_order(call.user, call.params["orderId"], now=call.now)
    return Reply(render(order, call.uid))


@TABLE.route(
    "POST",
    "/v1/crypto/orders/{orderId}/cancel",
    "crypto",
    summary="Cancel your crypto listing",
    scope="write:crypto",
    response=OrderOut,
    errors=(401, 403, 404, 409),
    tags=TAGS,
    description="Creator only; releases the locked funds. A closed order is `order_not_open`.",
    codes=("order_not_open",),
)
def cancel_order(call: Call) -> Reply:
    order = crypto.cancel_order(call.uid, call.params["orderId"], now=call.now)
    return Reply(render(order, call.uid))


@TABLE.route(
    "GET",
    "/v1/crypto/orderbook/{asset}",
    "crypto",
    summary="The order book of an asset",
    scope="read:crypto",
    query=OrderBookParams,
    response=OrderBook,
    errors=(400, 401, 403),
    tags=TAGS,
    description="Open listings: bids highest price first, asks lowest first (then oldest).",
    codes=("unknown_asset",),
)
def order_book(call: Call[OrderBookParams]) -> Reply:
    raw = call.params["asset"]
    try:
        asset = Asset(raw.upper())
    except ValueError:
        raise InvalidRequest(
            f"Unknown asset {raw!r}.",
            code="unknown_asset",
            errors=[FieldError("asset", f"one of {', '.join(Asset)}", "unknown_asset")],
        ) from None
    params = call.query
    book = crypto.order_book(asset, limit=params.limit)

    def entries(orders: list[CryptoOrder]) -> list[dict[str, Any]]:
        # Listings past expiresAt stay `open` until the expiry job runs; they cannot be taken.
        live = [o for o in orders if o.expires_at > call.now]
        keys = {f.alias for f in BookEntry.model_fields.values()}
        return [
            BookEntry.model_validate({k: v for k, v in o.to_api().items() if k in keys}).model_dump(
                by_alias=True, mode="json"
            )
            for o in live
        ]

    body = OrderBook(asset=asset, bids=[], asks=[]).model_dump(by_alias=True, mode="json")
    body["bids"], body["asks"] = entries(book["bids"]), entries(book["asks"])
    return Reply(body)
