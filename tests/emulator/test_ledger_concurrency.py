"""Ledger invariants under concurrency (docs/product.md §3.2), against the Firestore emulator.

About thirty fundings, repayments, crypto takes, creates, cancels and withdrawals run at once on
a handful of wallets, several of them racing for the same loan or order. Afterwards: nothing is
negative, money is conserved exactly (the wallets plus every platform fee shard change only by
the withdrawals), each wallet's ledger entries replay to the wallet with no gap or duplicate,
locks and counters match the open orders and active investments, and every contested loan or
order went to exactly one party.

Contention stays at what production Firestore accepts: 7 threads over 6 user wallets and the
8 platform shards (the emulator gives up on 10+ transactions fighting over one document).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.domain import crypto, loans, wallets
from coinbox_platform.domain.crypto import OrderRequest
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.domain.models import OrderSide, OrderStatus
from coinbox_platform.errors import CoinboxError
from coinbox_platform.money import Asset
from coinbox_platform.tiers import MembershipTier
from tests.invariants import (
    check_wallet,
    check_wallet_objects,
    money_totals,
    platform_wallets,
    read_wallet,
)
from tests.support import make_profile

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

THREADS = 7
PRICE = 100_000_000  # cents per BTC


def _run(ops: list[tuple[str, Callable[[], Any]]]) -> list[tuple[str, str, Any]]:
    """Run the operations on a thread pool; each result is (label, "ok" or the error code,
    the return value). Anything but a domain error propagates and fails the test."""

    def one(op: tuple[str, Callable[[], Any]]) -> tuple[str, str, Any]:
        label, fn = op
        try:
            value = fn()
        except CoinboxError as exc:
            return label, exc.code, None
        return label, "ok", value

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, ops))


def test_concurrent_operations_keep_the_ledger_invariants() -> None:
    users = [make_profile(balance=3_000_000, tier=MembershipTier.BUSINESS) for _ in range(6)]
    uids = [u.id for u in users]
    for uid in uids:
        wallets.deposit(uid, asset=Asset.BTC, quantity="1")

    def user(i: int) -> Any:
        return users[i % len(users)]

    # Loans open for funding; the first three each have two investors racing for them.
    open_loans = [
        loans.create_loan(user(i), LoanRequest(100_000 + i * 1_000, 20, 30, f"loan {i}"))
        for i in range(5)
    ]
    # Disbursed loans to repay: two repayments each that together pay everything.
    repayable = []
    for i in range(3):
        loan = loans.create_loan(user(i + 3), LoanRequest(50_000, 20, 30, "repay me"))
        loans.fund_loan(user(i + 4), loan.id, 50_000)
        repayable.append(loans.get_loan(loan.id))
    # Listings to take (the first two with two takers racing) and to cancel (one racing a take).
    listings = [
        crypto.create_order(user(i), OrderRequest(Asset.BTC, side, "0.002", PRICE + i * 1_000))
        for i, side in enumerate([OrderSide.BUY, OrderSide.SELL] * 3)
    ]

    involved = uids + platform_wallets()
    totals_before = money_totals(involved)

    ops: list[tuple[str, Callable[[], Any]]] = []
    for i, loan in enumerate(open_loans):
        investors = [user(i + 1), user(i + 2)] if i < 3 else [user(i + 1)]
        for investor in investors:
            ops.append(
                (
                    f"fund:{loan.id}",
                    lambda inv=investor, lo=loan: loans.fund_loan(inv, lo.id, lo.amount),
                )
            )
    for loan in repayable:
        assert loan is not None and loan.total_due == 60_000
        for part in (25_000, 35_000):
            ops.append(
                ("repay", lambda lo=loan, p=part: loans.repay_loan(lo.borrower_id, lo.id, p))
            )
    for i, listing in enumerate(listings[:5]):
        takers = [user(i + 1), user(i + 2)] if i < 2 else [user(i + 1)]
        for taker in takers:
            ops.append(
                (f"take:{listing.id}", lambda t=taker, o=listing: crypto.take_order(t, o.id))
            )
    ops.append(
        (f"take:{listings[4].id}", lambda: crypto.cancel_order(listings[4].user_id, listings[4].id))
    )
    ops.append(("cancel", lambda: crypto.cancel_order(listings[5].user_id, listings[5].id)))
    for i in range(6):
        side = OrderSide.BUY if i % 2 else OrderSide.SELL
        ops.append(
            (
                "create",
                lambda i=i, s=side: crypto.create_order(
                    user(i), OrderRequest(Asset.BTC, s, "0.001", PRICE)
                ),
            )
        )
    withdrawals = [(user(0), 10_000), (user(3), 20_013)]
    for u, amount in withdrawals:
        ops.append(("withdraw", lambda u=u, a=amount: wallets.request_withdrawal(u.id, a)))
    assert 28 <= len(ops) <= 34

    started = time.monotonic()
    results = _run(ops)
    elapsed = time.monotonic() - started

    outcomes = Counter(code for _, code, _ in results)
    assert set(outcomes) <= {"ok", "loan_not_open", "order_not_open"}, outcomes
    # Every contested loan and order went to exactly one party.
    by_label: dict[str, list[str]] = {}
    for label, code, _ in results:
        by_label.setdefault(label, []).append(code)
    for label, codes in by_label.items():
        if label.startswith(("fund:", "take:")):
            assert codes.count("ok") == 1, (label, codes)
    for loan in open_loans:
        invs = list(
            store.db()
            .collection(store.INVESTMENTS)
            .where(filter=FieldFilter("loanId", "==", loan.id))
            .stream()
        )
        assert len(invs) == 1
        stored = loans.get_loan(loan.id)
        assert stored is not None and stored.investment_id == invs[0].id
    for loan in repayable:
        assert loan is not None
        stored = loans.get_loan(loan.id)
        assert stored is not None and stored.status == "completed" and stored.repaid == 60_000
    for listing in listings[:4]:
        got = crypto.get_order(listing.id)
        assert got is not None and got.status == OrderStatus.FILLED
    contested = crypto.get_order(listings[4].id)
    assert contested is not None and contested.status in (OrderStatus.FILLED, OrderStatus.CANCELLED)

    # Money is conserved: only the withdrawals left the system.
    withdrawn = sum(amount for _, amount in withdrawals)
    assert money_totals(involved) == {**totals_before, "ZAR": totals_before["ZAR"] - withdrawn}

    # The payout job runs twice at once for each withdrawal (at-least-once delivery): the
    # one ending in 13 cents fails and is refunded exactly once.
    pending = [value.id for label, _, value in results if label == "withdraw"]
    settled = _run([("settle", lambda t=t: wallets.settle_withdrawal(t)) for t in pending * 3])
    assert {code for _, code, _ in settled} == {"ok"}
    statuses = {
        t: (store.db().collection(store.TRANSACTIONS).document(t).get().to_dict() or {})["status"]
        for t in pending
    }
    assert sorted(statuses.values()) == ["completed", "failed"]
    refunded = sum(amount for _, amount in withdrawals if amount % 100 == 13)
    assert money_totals(involved) == {
        **totals_before,
        "ZAR": totals_before["ZAR"] - withdrawn + refunded,
    }

    # Every wallet equals the replay of its ledger entries; locks and counters match objects.
    for uid in involved:
        wallet = check_wallet(uid)
        assert wallet.balance >= 0 and wallet.locked >= 0
    for uid in uids:
        check_wallet_objects(uid)
        assert read_wallet(uid).amounts("BTC")[0] >= 0
    print(f"{len(ops)} operations on {THREADS} threads in {elapsed:.1f} s: {dict(outcomes)}")
