"""One wallet, many clients (docs/scaling.md, "One wallet"): ten clients move money on one
wallet at once through the API — deposits, fundings of other members' loans, takes of other
members' listings — and every request succeeds (no 5xx), the wallet's ledger replays with no
gap, and money is conserved. Wallet gates (coinbox_platform/gates.py) queue the moves instead
of letting their transactions abort each other; they are also checked to be given back, and a
gate left by a holder that died to be taken over when its lease ends.

Throughput is measured by scripts/bench_wallet.py, not here.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coinbox_platform import gates, store
from coinbox_platform.domain import crypto, loans, wallets
from coinbox_platform.domain.crypto import OrderRequest
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.domain.models import OrderSide
from coinbox_platform.money import Asset
from coinbox_platform.tiers import MembershipTier
from tests.invariants import check_wallet, check_wallet_objects, money_totals, platform_wallets
from tests.support import make_api_user, make_profile

pytestmark = pytest.mark.stack

CLIENTS = 10
PRICE = 100_000_000  # cents per BTC


def _gate_docs(uid: str) -> bool:
    return store.db().collection(gates.GATES).document(gates.wallet_key(uid)).get().exists


def test_ten_clients_moving_money_on_one_wallet_all_succeed_and_keep_the_ledger() -> None:
    member = make_api_user(balance=2_000_000, tier=MembershipTier.VIP)
    borrowers = [make_profile(tier=MembershipTier.BUSINESS) for _ in range(5)]
    open_loans = [
        loans.create_loan(b, LoanRequest(50_000 + i * 1_000, 20, 30, "one wallet"))
        for i, b in enumerate(borrowers)
    ]
    sellers = [make_profile(tier=MembershipTier.BUSINESS) for _ in range(5)]
    listings = []
    for s in sellers:
        wallets.deposit(s.id, asset=Asset.BTC, quantity="0.01")
        listings.append(
            crypto.create_order(s, OrderRequest(Asset.BTC, OrderSide.SELL, "0.001", PRICE))
        )

    involved = [member.uid] + [b.id for b in borrowers] + [s.id for s in sellers]
    involved += platform_wallets()
    before = money_totals(involved)

    calls: list[tuple[str, str, dict[str, Any] | None]] = []
    calls += [("deposit", "/wallet/deposits", {"amount": 10_000}) for _ in range(10)]
    calls += [
        ("fund", "/investments", {"loanId": loan.id, "amount": loan.amount}) for loan in open_loans
    ]
    calls += [("take", f"/crypto/orders/{o.id}/take", None) for o in listings]

    def call(c: tuple[str, str, dict[str, Any] | None]) -> tuple[str, int, str]:
        label, path, body = c
        resp = member.post(path, body) if body is not None else member.post(path)
        return label, resp.status_code, resp.text[:300]

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(call, calls))

    failed = [r for r in results if r[1] not in (200, 201)]
    assert not failed, failed
    check_wallet(member.uid)
    check_wallet_objects(member.uid)
    for uid in involved:
        check_wallet(uid)
    # Only the deposits brought money in; BTC changed hands.
    assert money_totals(involved) == {**before, "ZAR": before["ZAR"] + 10 * 10_000}
    assert not _gate_docs(member.uid)  # every gate was given back


def test_a_refused_move_gives_its_gate_back() -> None:
    member = make_api_user(balance=1_000, tier=MembershipTier.VIP)
    resp = member.post("/wallet/withdrawals", {"amount": 5_000})
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "insufficient_funds"
    assert not _gate_docs(member.uid)


def test_a_gate_left_by_a_dead_holder_is_taken_over_when_its_lease_ends() -> None:
    member = make_api_user(balance=0, tier=MembershipTier.VIP)
    lease_end = datetime.now(UTC) + timedelta(seconds=1.5)
    store.db().collection(gates.GATES).document(gates.wallet_key(member.uid)).create(
        {"holder": "a crashed instance", "leaseUntil": lease_end}
    )
    started = time.monotonic()
    resp = member.post("/wallet/deposits", {"amount": 2_500})
    waited = time.monotonic() - started
    assert resp.status_code == 201, resp.text
    assert waited >= 1.0  # it queued behind the live lease instead of racing it
    assert check_wallet(member.uid).balance == 2_500
    assert not _gate_docs(member.uid)
