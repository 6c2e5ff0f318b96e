"""money.py: quantities, trade values, fees and interest (docs/product.md §2, §3.1, §3.3, §3.4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinbox_platform import money
from coinbox_platform.money import (
    ATOMS_PER_UNIT,
    Asset,
    crypto_fee,
    format_quantity,
    loan_interest,
    parse_quantity,
    rands,
    trade_value,
)


@pytest.mark.parametrize(
    ("text", "asset", "atoms"),
    [
        ("0.015", Asset.BTC, 1_500_000),
        ("1", Asset.BTC, ATOMS_PER_UNIT),
        ("0.00000001", Asset.BTC, 1),
        ("0.00000001", Asset.ETH, 1),
        ("12.5", Asset.ETH, 1_250_000_000),
        ("0.000001", Asset.USDT, 100),
        ("100.123456", Asset.USDC, 10_012_345_600),
        ("0.10", Asset.BTC, 10_000_000),
    ],
)
def test_parse_quantity(text: str, asset: Asset, atoms: int) -> None:
    assert parse_quantity(text, asset) == atoms


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "0.0",
        "0.00000000",
        "-1",
        "+1",
        "1e-3",
        "01",
        "1.",
        ".5",
        " 1",
        "1 ",
        "1,5",
        "0.000000001",
        "abc",
        "NaN",
        "Infinity",
        "1.5.5",
    ],
)
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text, Asset.BTC)


def test_parse_quantity_rejects_non_strings() -> None:
    with pytest.raises(ValueError):
        parse_quantity(1.5, Asset.BTC)  # type: ignore[arg-type]


@pytest.mark.parametrize("asset", [Asset.USDT, Asset.USDC])
def test_stablecoins_allow_six_decimals_only(asset: Asset) -> None:
    assert parse_quantity("1.123456", asset) == 112_345_600
    with pytest.raises(ValueError, match="6 decimal places"):
        parse_quantity("1.1234567", asset)
    with pytest.raises(ValueError):
        parse_quantity("0.0000001", asset)


@pytest.mark.parametrize("asset", [Asset.BTC, Asset.ETH])
def test_btc_eth_allow_eight_decimals(asset: Asset) -> None:
    assert parse_quantity("1.12345678", asset) == 112_345_678
    with pytest.raises(ValueError):
        parse_quantity("1.123456789", asset)


def test_parse_quantity_fits_a_firestore_integer() -> None:
    """Atoms are stored as Firestore int64: the largest accepted quantity must fit."""
    largest = parse_quantity("9" * 10 + ".99999999", Asset.BTC)
    assert largest < 2**63
    with pytest.raises(ValueError):
        parse_quantity("1" + "0" * 11, Asset.BTC)


def test_format_quantity_uses_the_assets_decimals() -> None:
    assert format_quantity(1_500_000, Asset.BTC) == "0.01500000"
    assert format_quantity(1, "ETH") == "0.00000001"
    assert format_quantity(ATOMS_PER_UNIT * 3, Asset.BTC) == "3.00000000"
    assert format_quantity(112_345_600, Asset.USDT) == "1.123456"
    assert format_quantity(100, "USDC") == "0.000001"


@given(
    st.sampled_from(list(Asset)),
    st.integers(min_value=1, max_value=10**17),
)
def test_format_then_parse_round_trips(asset: Asset, raw: int) -> None:
    step = 10 ** (8 - money.DECIMALS[asset])  # atoms per smallest unit of the asset
    atoms = raw * step
    if atoms >= 10**18:
        return
    assert parse_quantity(format_quantity(atoms, asset), asset) == atoms


@pytest.mark.parametrize(
    ("atoms", "price", "value"),
    [
        (ATOMS_PER_UNIT, 100_000_000, 100_000_000),  # 1 BTC at R1m
        (1_500_000, 100_000_000, 1_500_000),  # 0.015 BTC at R1m → R15,000
        (1, 50_000_000, 1),  # 0.5 cent rounds half up to 1
        (1, 49_999_999, 0),  # 0.49999999 cent rounds down
        (3, 50_000_000, 2),  # 1.5 → 2 (half-up, not banker's 2)
        (5, 50_000_000, 3),  # 2.5 → 3 (banker's rounding would give 2)
        (0, 123, 0),
    ],
)
def test_trade_value_rounds_half_up(atoms: int, price: int, value: int) -> None:
    assert trade_value(atoms, price) == value


@given(st.integers(0, 10**18), st.integers(1, 10**12))
def test_trade_value_is_exact_half_up(atoms: int, price: int) -> None:
    numerator = atoms * price
    expected = (2 * numerator + ATOMS_PER_UNIT) // (2 * ATOMS_PER_UNIT)
    assert trade_value(atoms, price) == expected


@pytest.mark.parametrize(
    ("value", "fee"),
    [
        (1_000, 250),  # R10 → 5c, clamped up to R2.50
        (50_000, 250),  # R500 → exactly R2.50
        (49_999, 250),
        (50_100, 251),  # 250.5 → 251 half-up
        (50_300, 252),  # 251.5 → 252 half-up (banker's would give 252 too)
        (50_500, 253),  # 252.5 → 253 (banker's would give 252)
        (1_000_000, 5_000),
        (100_000_000, 500_000),  # R1m → R5,000 exactly
        (100_000_100, 500_000),  # just over: clamped to R5,000
        (10**12, 500_000),
    ],
)
def test_crypto_fee_is_half_a_percent_clamped(value: int, fee: int) -> None:
    assert crypto_fee(value) == fee


@given(st.integers(0, 10**14))
def test_crypto_fee_bounds(value: int) -> None:
    fee = crypto_fee(value)
    assert money.CRYPTO_FEE_MIN <= fee <= money.CRYPTO_FEE_MAX
    exact = Decimal(value) * Decimal("0.005")
    if money.CRYPTO_FEE_MIN + 1 <= exact <= money.CRYPTO_FEE_MAX - 1:
        assert abs(Decimal(fee) - exact) <= Decimal("0.5")


def test_fee_and_minimum_constants_match_the_spec() -> None:
    assert money.LOAN_FUNDING_FEE == 1_000
    assert money.CRYPTO_MIN_VALUE == 1_000
    assert money.CRYPTO_FEE_MIN == 250
    assert money.CRYPTO_FEE_MAX == 500_000


@pytest.mark.parametrize(
    ("amount", "rate", "interest"),
    [
        (50_000, 15, 7_500),
        (100_000, 25, 25_000),
        (10, 15, 2),  # 1.5 → 2
        (30, 15, 5),  # 4.5 → 5 (banker's would give 4)
        (13, 15, 2),  # 1.95 → 2
        (11, 15, 2),  # 1.65 → 2
        (3, 15, 0),  # 0.45 → 0
        (1, 20, 0),
    ],
)
def test_loan_interest_rounds_half_up(amount: int, rate: int, interest: int) -> None:
    assert loan_interest(amount, rate) == interest


@given(st.integers(1, 10**12), st.integers(15, 25))
def test_loan_interest_exact(amount: int, rate: int) -> None:
    assert loan_interest(amount, rate) == (2 * amount * rate + 100) // 200


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "R0.00"), (5, "R0.05"), (150_000, "R1,500.00"), (-1_234_567, "-R12,345.67")],
)
def test_rands(cents: int, text: str) -> None:
    assert rands(cents) == text
