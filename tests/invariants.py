"""Ledger invariants (docs/product.md §3.2), reusable by any test that moves money.

Pure checks work on `LedgerEntry` lists and `Wallet` objects (unit tests use them); the
Firestore-reading helpers need the emulator:

    check_wallet(uid)             entries numbered 1..N, each a valid move, chained per asset,
                                  never negative, and the wallet equals their replay
    check_wallet_objects(uid)     locked amounts, open-order count and activeInvested agree
                                  with the user's open orders and active investments
    money_totals(uids)            sum of available + locked per asset over wallets
    platform_wallets()            every platform fee wallet shard (ledger.platform_wallet_ids)
    freeze(uids, docs)            a snapshot to prove that a refused operation changed nothing

Money conservation: `money_totals(wallets + platform_wallets())` changes only by deposits and
withdrawals (a refunded withdrawal gives its money back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.domain.ledger import Move, Wallet, platform_wallet_ids
from coinbox_platform.domain.models import LedgerEntry
from coinbox_platform.money import ZAR

Amounts = dict[str, tuple[int, int]]  # asset -> (available, locked)


def platform_wallets() -> list[str]:
    return platform_wallet_ids()


def wallet_amounts(wallet: Wallet) -> Amounts:
    """The wallet's non-zero (available, locked) per asset."""
    out: Amounts = {}
    if wallet.balance or wallet.locked:
        out[ZAR] = (wallet.balance, wallet.locked)
    for asset, held in wallet.crypto.items():
        pair = (int(held.get("available", 0)), int(held.get("locked", 0)))
        if pair != (0, 0):
            out[asset] = pair
    return out


def check_entry(entry: LedgerEntry) -> None:
    """One entry is a valid Move of a positive amount that leaves nothing negative."""
    assert entry.amount > 0, entry
    d_avail = entry.balance_after - entry.balance_before
    d_locked = entry.locked_after - entry.locked_before
    matches = [
        m
        for m in Move
        if (m.value[0] * entry.amount, m.value[1] * entry.amount) == (d_avail, d_locked)
        and m.value[2] == entry.direction
    ]
    assert matches, f"entry {entry.id} is no valid move: {entry}"
    for value in (entry.balance_before, entry.balance_after):
        assert value >= 0, f"negative balance in {entry.id}"
    for value in (entry.locked_before, entry.locked_after):
        assert value >= 0, f"negative locked amount in {entry.id}"


def replay(entries: list[LedgerEntry]) -> tuple[Amounts, int]:
    """Check a wallet's entries (versions 1..N, no gap or duplicate; each entry starts where
    the previous entry of its asset ended) and return the amounts they add up to and N."""
    ordered = sorted(entries, key=lambda e: e.wallet_version)
    versions = [e.wallet_version for e in ordered]
    assert versions == list(range(1, len(ordered) + 1)), f"wallet versions {versions}"
    assert len({e.user_id for e in ordered}) <= 1, "entries of several wallets"
    state: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for entry in ordered:
        check_entry(entry)
        assert state[entry.asset] == (entry.balance_before, entry.locked_before), (
            f"entry v{entry.wallet_version} ({entry.id}) does not chain: "
            f"{state[entry.asset]} != {(entry.balance_before, entry.locked_before)}"
        )
        state[entry.asset] = (entry.balance_after, entry.locked_after)
    return {a: v for a, v in state.items() if v != (0, 0)}, len(ordered)


def check_replay_matches(wallet: Wallet, entries: list[LedgerEntry]) -> None:
    """The wallet is exactly what its ledger entries add up to (pure; no Firestore)."""
    amounts, count = replay(entries)
    assert wallet.version == count, f"{wallet.uid}: version {wallet.version}, {count} entries"
    assert wallet_amounts(wallet) == amounts, (
        f"{wallet.uid}: wallet {wallet_amounts(wallet)} != replayed {amounts}"
    )
    assert wallet.balance >= 0 and wallet.locked >= 0
    for held in wallet.crypto.values():
        assert held.get("available", 0) >= 0 and held.get("locked", 0) >= 0


# ---- Firestore-reading helpers (emulator tests) ----


def read_wallet(uid: str) -> Wallet:
    snap = store.db().collection(store.WALLETS).document(uid).get()
    return Wallet.from_doc(uid, snap.to_dict() if snap.exists else None)


def entries_of(uid: str) -> list[LedgerEntry]:
    query = store.db().collection(store.TRANSACTIONS).where(filter=FieldFilter("userId", "==", uid))
    return [LedgerEntry.from_doc(s.id, s.to_dict() or {}) for s in query.stream()]


def check_wallet(uid: str) -> Wallet:
    """All ledger invariants of one wallet; returns the wallet."""
    wallet = read_wallet(uid)
    check_replay_matches(wallet, entries_of(uid))
    return wallet


def check_wallet_objects(uid: str) -> None:
    """The wallet's locks and counters agree with the user's open orders and investments:
    ZAR locked == Σ(value + fee) of open buys, crypto locked == Σ quantity of open sells,
    openOrders == number of open orders, activeInvested == Σ amount of active investments."""
    db = store.db()
    wallet = read_wallet(uid)
    open_orders = [
        s.to_dict() or {}
        for s in db.collection(store.CRYPTO_ORDERS)
        .where(filter=FieldFilter("userId", "==", uid))
        .where(filter=FieldFilter("status", "==", "open"))
        .stream()
    ]
    zar_locked = sum(o["value"] + o["fee"] for o in open_orders if o["side"] == "buy")
    crypto_locked: dict[str, int] = defaultdict(int)
    for o in open_orders:
        if o["side"] == "sell":
            crypto_locked[o["asset"]] += o["quantity"]
    assert wallet.locked == zar_locked, f"{uid}: locked {wallet.locked} != {zar_locked}"
    for asset, held in wallet.crypto.items():
        assert int(held.get("locked", 0)) == crypto_locked.get(asset, 0), f"{uid} {asset}"
    assert wallet.open_orders == len(open_orders), f"{uid}: openOrders"
    active = sum(
        (s.to_dict() or {})["amount"]
        for s in db.collection(store.INVESTMENTS)
        .where(filter=FieldFilter("investorId", "==", uid))
        .where(filter=FieldFilter("status", "==", "active"))
        .stream()
    )
    assert wallet.active_invested == active, f"{uid}: activeInvested {wallet.active_invested}"


def money_totals(uids: list[str]) -> dict[str, int]:
    """Σ (available + locked) per asset over the wallets."""
    totals: dict[str, int] = defaultdict(int)
    for uid in uids:
        for asset, (available, locked) in wallet_amounts(read_wallet(uid)).items():
            totals[asset] += available + locked
    return {a: v for a, v in totals.items() if v}


def freeze(uids: list[str], docs: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Wallets, their ledger entry ids, the platform's total and some documents
    (collection, id): compare before and after a refused operation."""
    db = store.db()
    out: dict[str, Any] = {}
    for uid in uids:
        snap = db.collection(store.WALLETS).document(uid).get()
        out[f"wallet/{uid}"] = snap.to_dict() if snap.exists else None
        out[f"entries/{uid}"] = sorted(e.id for e in entries_of(uid))
    out["platform"] = money_totals(platform_wallets())
    for collection, doc_id in docs:
        snap = db.collection(collection).document(doc_id).get()
        out[f"{collection}/{doc_id}"] = snap.to_dict() if snap.exists else None
    return out
