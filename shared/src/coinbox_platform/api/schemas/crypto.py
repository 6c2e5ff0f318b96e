"""Crypto listings at the API boundary: the request model of a new listing."""

from __future__ import annotations

from pydantic import Field, model_validator

from coinbox_platform.api.schemas import ApiModel
from coinbox_platform.domain.models import OrderSide
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
