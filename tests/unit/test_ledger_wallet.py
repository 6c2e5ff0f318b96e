"""Wallet and Move arithmetic of the ledger, without Firestore (docs/product.md §3.2).

A `Ledger` only touches Firestore in `read` and `write`; `post` is pure, so wallets are placed
in it directly here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coinbox_platform.domain.ledger import Ledger, Move, Wallet, platform_wallet_ids
from coinbox_platform.domain.models import Direction, LedgerType
from coinbox_platform.errors import UnprocessableRule
from coinbox_platform.money import ZAR
from tests.invariants import check_replay_matches, replay

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def ledger_with(*wallets: Wallet) -> Ledger:
    ledger = Ledger(transaction=None, now=NOW)
    for wallet in wallets:
        ledger._wallets[wallet.uid] = wallet
    return ledger


@pytest.mark.parametrize(
    ("move", "after", "direction"),
    [
        (Move.CREDIT, (130, 50), Direction.CREDIT),
        (Move.DEBIT, (70, 50), Direction.DEBIT),
        (Move.LOCK, (70, 80), Direction.DEBIT),
        (Move.RELEASE, (130, 20), Direction.CREDIT),
        (Move.SPEND, (100, 20), Direction.DEBIT),
    ],
)
def test_each_move(move: Move, after: tuple[int, int], direction: Direction) -> None:
    wallet = Wallet("u1", balance=100, locked=50, version=4)
    ledger = ledger_with(wallet)
    entry = ledger.post("u1", move, 30, type=LedgerType.DEPOSIT)
    assert (wallet.balance, wallet.locked) == after
    assert (entry.balance_before, entry.locked_before) == (100, 50)
    assert (entry.balance_after, entry.locked_after) == after
    assert entry.direction == direction
    assert entry.wallet_version == wallet.version == 5
    assert wallet.dirty
    assert entry.created_at == NOW and entry.user_id == "u1" and entry.id.startswith("txn_")


@pytest.mark.parametrize(
    ("move", "amount"),
    [(Move.DEBIT, 101), (Move.LOCK, 101), (Move.RELEASE, 51), (Move.SPEND, 51)],
)
def test_overdraw_is_refused_and_changes_nothing(move: Move, amount: int) -> None:
    wallet = Wallet("u1", balance=100, locked=50, version=2)
    ledger = ledger_with(wallet)
    with pytest.raises(UnprocessableRule) as info:
        ledger.post("u1", move, amount, type=LedgerType.WITHDRAWAL, field_name="price")
    assert info.value.code == "insufficient_funds"
    assert info.value.errors[0].field == "price"
    assert (wallet.balance, wallet.locked, wallet.version, wallet.dirty) == (100, 50, 2, False)
    assert ledger.entries == []


@pytest.mark.parametrize("amount", [0, -1])
def test_amounts_are_positive(amount: int) -> None:
    ledger = ledger_with(Wallet("u1", balance=100))
    with pytest.raises(ValueError):
        ledger.post("u1", Move.CREDIT, amount, type=LedgerType.DEPOSIT)


def test_unknown_asset_is_refused() -> None:
    ledger = ledger_with(Wallet("u1"))
    with pytest.raises(ValueError):
        ledger.post("u1", Move.CREDIT, 1, asset="DOGE", type=LedgerType.DEPOSIT)


def test_crypto_moves_use_the_asset_bucket() -> None:
    wallet = Wallet("u1", balance=7, crypto={"BTC": {"available": 10, "locked": 0}})
    ledger = ledger_with(wallet)
    ledger.post("u1", Move.LOCK, 4, asset="BTC", type=LedgerType.CRYPTO_SELL)
    ledger.post("u1", Move.CREDIT, 3, asset="ETH", type=LedgerType.DEPOSIT)
    assert wallet.crypto == {
        "BTC": {"available": 6, "locked": 4},
        "ETH": {"available": 3, "locked": 0},
    }
    assert (wallet.balance, wallet.locked) == (7, 0)
    assert wallet.amounts("BTC") == (6, 4) and wallet.amounts("USDT") == (0, 0)
    assert wallet.version == 2


def test_wallet_document_round_trip() -> None:
    wallet = Wallet(
        "u1",
        balance=5,
        locked=6,
        crypto={"BTC": {"available": 1, "locked": 2}},
        active_invested=7,
        open_orders=1,
        crypto_volume={"2026-03-10": 100},
        version=9,
    )
    doc = wallet.to_doc(NOW)
    assert doc["userId"] == "u1" and doc["activeInvested"] == 7 and doc["updatedAt"] == NOW
    again = Wallet.from_doc("u1", doc)
    assert again == wallet
    assert Wallet.from_doc("x", None) == Wallet("x")


def test_weekly_volume_counts_the_seven_days_ending_today() -> None:
    wallet = Wallet("u1")
    for days_ago, cents in [(0, 1), (3, 10), (6, 100), (7, 1000), (30, 10000)]:
        wallet.crypto_volume[(NOW - timedelta(days=days_ago)).date().isoformat()] = cents
    assert wallet.weekly_volume(NOW) == 111
    wallet.add_volume(NOW.date().isoformat(), 5, NOW)
    assert wallet.weekly_volume(NOW) == 116
    # Buckets older than a week are forgotten, zero buckets dropped.
    assert (NOW - timedelta(days=30)).date().isoformat() not in wallet.crypto_volume
    wallet.add_volume(NOW.date().isoformat(), -6, NOW)
    assert NOW.date().isoformat() not in wallet.crypto_volume
    assert wallet.weekly_volume(NOW) == 110


def test_platform_wallets_are_sharded() -> None:
    ids = platform_wallet_ids()
    assert ids[0] == "platform" and len(ids) == len(set(ids)) > 1


ASSETS = [ZAR, "BTC", "USDT"]
posts = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(list(Move)),
        st.integers(1, 500),
        st.sampled_from(ASSETS),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(posts)
def test_any_sequence_of_posts_keeps_the_ledger_invariants(ops: list[Any]) -> None:
    """Random moves on two wallets: a refused post changes nothing, amounts never go negative,
    each wallet's entries are numbered 1..N, chain, and replay to the wallet."""
    wallets = {"a": Wallet("a"), "b": Wallet("b")}
    ledger = ledger_with(*wallets.values())
    expected: dict[tuple[str, str], tuple[int, int]] = {}
    for uid, move, amount, asset in ops:
        available, locked = expected.get((uid, asset), (0, 0))
        new = (available + move.value[0] * amount, locked + move.value[1] * amount)
        version = wallets[uid].version
        if min(new) < 0:
            with pytest.raises(UnprocessableRule):
                ledger.post(uid, move, amount, asset=asset, type=LedgerType.DEPOSIT)
            assert wallets[uid].version == version
        else:
            ledger.post(uid, move, amount, asset=asset, type=LedgerType.DEPOSIT)
            expected[(uid, asset)] = new
            assert wallets[uid].version == version + 1
        assert wallets[uid].amounts(asset) == expected.get((uid, asset), (0, 0))
    for uid, wallet in wallets.items():
        check_replay_matches(wallet, [e for e in ledger.entries if e.user_id == uid])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "p"]), st.integers(1, 10_000)), max_size=40))
def test_transfers_conserve_money(transfers: list[tuple[str, int]]) -> None:
    """Debit one wallet and credit another (as every domain operation does): the total never
    changes, whichever transfers are refused."""
    wallets = {u: Wallet(u, balance=5_000) for u in ("a", "b", "p")}
    ledger = ledger_with(*wallets.values())
    for i, (source, amount) in enumerate(transfers):
        target = ["a", "b", "p"][(i + 1) % 3]
        if target == source:
            continue
        try:
            ledger.post(source, Move.DEBIT, amount, type=LedgerType.INVESTMENT)
        except UnprocessableRule:
            continue
        ledger.post(target, Move.CREDIT, amount, type=LedgerType.DISBURSEMENT)
        assert sum(w.balance for w in wallets.values()) == 15_000
    assert all(w.balance >= 0 for w in wallets.values())


def test_replay_detects_a_missing_or_broken_entry() -> None:
    wallet = Wallet("a")
    ledger = ledger_with(wallet)
    for amount in (100, 50, 20):
        ledger.post("a", Move.CREDIT, amount, type=LedgerType.DEPOSIT)
    entries = ledger.entries
    check_replay_matches(wallet, entries)
    with pytest.raises(AssertionError):
        replay([entries[0], entries[2]])  # a gap
    with pytest.raises(AssertionError):
        replay([*entries, entries[1]])  # a duplicate
    broken = entries[1].model_copy(update={"balance_before": 99, "balance_after": 149})
    with pytest.raises(AssertionError):
        replay([entries[0], broken, entries[2]])  # does not chain
    wallet.balance += 1  # a change without an entry
    with pytest.raises(AssertionError):
        check_replay_matches(wallet, entries)
