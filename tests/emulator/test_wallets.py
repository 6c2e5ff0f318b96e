"""Sandbox deposits and withdrawals (docs/product.md §3.2) against the Firestore emulator."""

from __future__ import annotations

import dataclasses

import pytest

from coinbox_platform import store
from coinbox_platform.config import settings
from coinbox_platform.domain import wallets
from coinbox_platform.domain.models import LedgerStatus, LedgerType
from coinbox_platform.errors import CoinboxError
from coinbox_platform.money import Asset
from tests.invariants import check_wallet, entries_of, freeze, read_wallet
from tests.support import make_profile

pytestmark = pytest.mark.emulator


def refused_unchanged(code: str, uids: list[str], fn: object, *args: object, **kw: object) -> None:
    before = freeze(uids)
    with pytest.raises(CoinboxError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    assert info.value.code == code, info.value
    assert freeze(uids) == before


def transaction_doc(txn_id: str) -> dict[str, object]:
    snap = store.db().collection(store.TRANSACTIONS).document(txn_id).get()
    assert snap.exists
    return snap.to_dict() or {}


def test_sandbox_deposit_of_rands_and_crypto() -> None:
    user = make_profile()
    entry = wallets.deposit(user.id, amount=12_345)
    assert (entry.type, entry.status, entry.amount, entry.asset) == (
        LedgerType.DEPOSIT,
        LedgerStatus.COMPLETED,
        12_345,
        "ZAR",
    )
    wallets.deposit(user.id, asset=Asset.USDT, quantity="1.5")
    wallet = check_wallet(user.id)
    assert wallet.balance == 12_345 and wallet.amounts("USDT") == (150_000_000, 0)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"amount": 0},
        {"amount": -1},
        {"amount": wallets.MAX_SANDBOX_DEPOSIT + 1},
        {"amount": 100, "asset": Asset.BTC, "quantity": "1"},
        {"asset": Asset.BTC},
        {"asset": Asset.USDC, "quantity": "0.0000001"},
        {"asset": Asset.BTC, "quantity": "-1"},
    ],
)
def test_invalid_deposits_change_nothing(kw: dict[str, object]) -> None:
    user = make_profile(balance=500)
    refused_unchanged("invalid_request", [user.id], wallets.deposit, user.id, **kw)


def test_deposits_are_sandbox_only(monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_profile(balance=500)
    production = dataclasses.replace(settings(), sandbox=False)
    monkeypatch.setattr(wallets, "settings", lambda: production)
    refused_unchanged("forbidden", [user.id], wallets.deposit, user.id, amount=1_000)
    refused_unchanged(
        "forbidden", [user.id], wallets.deposit, user.id, asset=Asset.BTC, quantity="1"
    )


def test_withdrawal_debits_at_once_and_settles() -> None:
    user = make_profile(balance=10_000)
    pending = wallets.request_withdrawal(user.id, 4_000)
    assert pending.status == LedgerStatus.PENDING and pending.type == LedgerType.WITHDRAWAL
    assert transaction_doc(pending.id)["status"] == "pending"
    assert read_wallet(user.id).balance == 6_000

    settled = wallets.settle_withdrawal(pending.id)
    assert settled.status == LedgerStatus.COMPLETED
    assert transaction_doc(pending.id)["status"] == "completed"
    assert read_wallet(user.id).balance == 6_000
    before = freeze([user.id], [(store.TRANSACTIONS, pending.id)])
    assert wallets.settle_withdrawal(pending.id).status == LedgerStatus.COMPLETED  # idempotent
    assert freeze([user.id], [(store.TRANSACTIONS, pending.id)]) == before
    check_wallet(user.id)


def test_a_payout_ending_in_13_cents_fails_and_refunds_once() -> None:
    user = make_profile(balance=10_000)
    pending = wallets.request_withdrawal(user.id, 1_213)
    assert read_wallet(user.id).balance == 10_000 - 1_213
    failed = wallets.settle_withdrawal(pending.id)
    assert failed.status == LedgerStatus.FAILED
    doc = transaction_doc(pending.id)
    assert doc["status"] == "failed" and doc["failureReason"]
    assert read_wallet(user.id).balance == 10_000
    refunds = [e for e in entries_of(user.id) if e.type == LedgerType.REFUND]
    assert len(refunds) == 1 and refunds[0].amount == 1_213
    assert refunds[0].related_transaction_id == pending.id
    before = freeze([user.id], [(store.TRANSACTIONS, pending.id)])
    wallets.settle_withdrawal(pending.id)  # a repeated job refunds nothing more
    assert freeze([user.id], [(store.TRANSACTIONS, pending.id)]) == before
    check_wallet(user.id)


def test_only_13_cents_fails() -> None:
    user = make_profile(balance=10_000)
    for amount in (1_300, 113 + 1, 3, 1_312):
        entry = wallets.request_withdrawal(user.id, amount)
        assert wallets.settle_withdrawal(entry.id).status == LedgerStatus.COMPLETED
    check_wallet(user.id)


def test_withdrawal_beyond_balance_changes_nothing() -> None:
    user = make_profile(balance=1_000)
    refused_unchanged("insufficient_funds", [user.id], wallets.request_withdrawal, user.id, 1_001)
    refused_unchanged("invalid_request", [user.id], wallets.request_withdrawal, user.id, 0)
    wallets.request_withdrawal(user.id, 1_000)
    assert read_wallet(user.id).balance == 0


def test_locked_money_cannot_be_withdrawn() -> None:
    from coinbox_platform.domain import crypto
    from coinbox_platform.domain.crypto import OrderRequest
    from coinbox_platform.domain.models import OrderSide

    user = make_profile(balance=101_000)
    crypto.create_order(user, OrderRequest(Asset.BTC, OrderSide.BUY, "0.001", 100_000_000))
    assert read_wallet(user.id).balance == 500  # R1,005 locked
    refused_unchanged("insufficient_funds", [user.id], wallets.request_withdrawal, user.id, 501)


def test_settling_something_else_is_refused() -> None:
    user = make_profile(balance=1_000)
    deposit = entries_of(user.id)[0]
    refused_unchanged("invalid_state", [user.id], wallets.settle_withdrawal, deposit.id)
    with pytest.raises(CoinboxError) as info:
        wallets.settle_withdrawal("txn_doesnotexist")
    assert info.value.code == "not_found"
