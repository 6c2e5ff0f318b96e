"""Crypto listings at the API boundary: the request model of a new listing, the listing as the
API shows it (one definition, from the stored `CryptoOrder`), the order list and the order book."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from coinbox_platform.api.schemas import ApiModel, ListParams, Page, resource_fields
from coinbox_platform.domain.models import CryptoOrder, OrderSide, OrderStatus
from coinbox_platform.money import Asset, parse_quantity, trade_value

# Ten integer digits keep a quantity's atoms (1e-8) inside Firestore's int64.
QUANTITY_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,8})?$"


MAX_PRICE = 10_000_000_000  # R100,000,000 per unit


MAX_VALUE = 1_000_000_000_000_000  # cents; keeps value and fee far inside int64


class OrderCreate(ApiModel):
    """A new listing. `price` is ZAR cents per one unit of the asset."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"asset": "BTC", "side": "sell", "quantity": "0.015", "price": 120000000}]
        }
    }

    asset: Asset = Field(description="BTC, ETH, USDT or USDC.")
    side: OrderSide = Field(description="`buy`: you buy the asset; `sell`: you sell it.")
    quantity: str = Field(
        pattern=QUANTITY_PATTERN,
        description="A decimal string, at most 8 decimal places (6 for USDT/USDC).",
        examples=["0.015"],
    )
    price: int = Field(
        gt=0,
        le=MAX_PRICE,
        strict=True,
        description="ZAR cents per one unit of the asset.",
        examples=[120000000],
    )

    @model_validator(mode="after")
    def _value_in_range(self) -> OrderCreate:
        try:
            atoms = parse_quantity(self.quantity, self.asset)
        except ValueError:
            return self  # the service names the quantity error with its field
        if trade_value(atoms, self.price) > MAX_VALUE:
            raise ValueError("quantity × price is too large")
        return self


# How the API shows a stored order: the quantity (atoms) as a decimal string, times as ISO
# strings, and `userId` null when the caller is neither creator nor taker. `volumeDay` is
# internal (the volume bucket the order counts in).
ORDER_DOCS = {
    "id": Field(examples=["ord_4Zb8qk2LxV0mYw7nT1aPq9Rs"]),
    "object": (str, Field("crypto_order")),
    "user_id": (str | None, Field()),
    "quantity": (str, Field(examples=["0.01500000"])),
    "price": Field(description="ZAR cents per unit.", examples=[120000000]),
    "value": Field(description="ZAR cents, quantity × price rounded half-up."),
    "fee": Field(description="ZAR cents the creator pays when the order fills."),
    "created_at": (str, Field()),
    "expires_at": (str, Field()),
    "filled_at": (str | None, Field()),
    "updated_at": (str | None, Field()),
}


class OrderOut(resource_fields(CryptoOrder, ORDER_DOCS, hidden=("volume_day",))):  # type: ignore[misc]
    """A crypto listing. `userId` is null when the caller is neither its creator nor taker."""


class OrderRole(StrEnum):
    CREATOR = "creator"
    TAKER = "taker"


class OrderListParams(ListParams):
    role: OrderRole = Field(
        OrderRole.CREATOR, description="`creator`: orders you posted; `taker`: orders you took."
    )
    status: OrderStatus | None = None
    asset: Asset | None = None
    side: OrderSide | None = None


class OrderList(Page[OrderOut]):
    pass


class BookEntry(ApiModel):
    """One open listing in the order book (its creator is not shown)."""

    id: str
    side: OrderSide
    quantity: str
    price: int
    value: int
    created_at: str
    expires_at: str


class OrderBook(ApiModel):
    object: str = "order_book"
    asset: Asset
    bids: list[BookEntry] = Field(description="Buy listings, highest price first.")
    asks: list[BookEntry] = Field(description="Sell listings, lowest price first.")


class OrderBookParams(ApiModel):
    limit: int = Field(50, ge=1, le=100, description="Listings per side (1–100).")
