"""Money and crypto quantities. Never floats.

ZAR amounts are integer cents. Crypto quantities are decimal strings in the API (at most 8
decimal places, 6 for USDT/USDC) and integer atoms of 1e-8 in storage.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ATOMS_PER_UNIT = 100_000_000
LOAN_FUNDING_FEE = 1_000  # R10, paid by the investor to the platform
CRYPTO_FEE_BPS = 50  # 0.5 %
CRYPTO_FEE_MIN = 250  # R2.50
CRYPTO_FEE_MAX = 500_000  # R5,000
CRYPTO_MIN_VALUE = 1_000  # R10
# Documented upper bounds (docs/security.md): no wallet holds more, so no amount, sum or
# product of the ledger comes near Firestore's int64 (9.2e18); beyond them a move is a 422.
MAX_ZAR_BALANCE = 10**15  # cents: R10 trillion, available + locked, per wallet
MAX_CRYPTO_HOLDING = 10**17  # atoms: 1,000,000,000 units of an asset, per wallet


class Asset(StrEnum):
    BTC = "BTC"
    ETH = "ETH"
    USDT = "USDT"
    USDC = "USDC"


ZAR = "ZAR"
DECIMALS: dict[Asset, int] = {Asset.BTC: 8, Asset.ETH: 8, Asset.USDT: 6, Asset.USDC: 6}
# At most 10 integer digits: 1e10 units are 1e18 atoms, within Firestore's int64 (9.2e18).
_QUANTITY = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,8})?$")


def parse_quantity(text: str, asset: Asset) -> int:
    """'0.015' BTC → 1_500_000 atoms. Raises ValueError on anything but a plain positive decimal."""
    if not isinstance(text, str) or not _QUANTITY.match(text):
        raise ValueError('must be a decimal string such as "0.015"')
    places = len(text.split(".")[1]) if "." in text else 0
    if places > DECIMALS[asset]:
        raise ValueError(f"{asset} allows at most {DECIMALS[asset]} decimal places")
    atoms = int(Decimal(text) * ATOMS_PER_UNIT)
    if atoms <= 0:
        raise ValueError("must be greater than zero")
    return atoms


def format_quantity(atoms: int, asset: Asset | str) -> str:
    """1_500_000 atoms of BTC → '0.01500000' (the asset's number of decimals)."""
    places = DECIMALS[Asset(asset)]
    value = Decimal(atoms) / ATOMS_PER_UNIT
    return f"{value:.{places}f}"


def trade_value(quantity_atoms: int, price_cents: int) -> int:
    """Value in cents of `quantity` at `price` cents per unit, rounded half-up."""
    exact = Decimal(quantity_atoms) * Decimal(price_cents) / ATOMS_PER_UNIT
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def crypto_fee(value_cents: int) -> int:
    """0.5 % of the trade value, half-up, clamped to [R2.50, R5,000]."""
    raw = (Decimal(value_cents) * CRYPTO_FEE_BPS / 10_000).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return max(CRYPTO_FEE_MIN, min(CRYPTO_FEE_MAX, int(raw)))


def loan_interest(amount_cents: int, rate_percent: int) -> int:
    """round(amount × rate / 100), half-up."""
    exact = Decimal(amount_cents) * rate_percent / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rands(cents: int) -> str:
    """Human text for messages: 150000 → 'R1,500.00'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}R{whole:,}.{frac:02d}"
