"""One wallet, many clients: money moves on ONE member's wallet, sent one at a time and then
from 10 concurrent clients, through the API (Hosting → functions → Firestore).

    make bench-wallet        (= scripts/stack.py exec -- python scripts/bench_wallet.py)

Each round is the same mix on a fresh VIP member (ID token): sandbox deposits, fundings of other
members' open loans (POST /v1/investments) and takes of other members' BTC listings, every one
of them a Firestore transaction on the member's wallet. Printed: moves per second, p50/p95, the
count of non-2xx answers (the goal is none), and the concurrent/sequential throughput ratio
(the goal is ≥ 1). After each round the member's ledger is replayed (gap-free versions, wallet
equals replay) and money is checked to be conserved. Only 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = int(os.environ.get("BENCH_WALLET_ROUNDS", "2"))
DEPOSITS, FUNDINGS, TAKES = 20, 10, 10
PRICE = 100_000_000  # cents per BTC


def setup() -> tuple[Any, list[tuple[str, dict[str, Any] | None]], list[str], int]:
    from coinbox_platform.domain import crypto, loans, wallets
    from coinbox_platform.domain.crypto import OrderRequest
    from coinbox_platform.domain.loans import LoanRequest
    from coinbox_platform.domain.models import OrderSide
    from coinbox_platform.money import Asset
    from coinbox_platform.tiers import MembershipTier
    from tests.invariants import money_totals, platform_wallets
    from tests.support import make_api_user, make_profile

    member = make_api_user(balance=5_000_000, tier=MembershipTier.VIP)
    calls: list[tuple[str, dict[str, Any] | None]] = [
        ("/wallet/deposits", {"amount": 1_000}) for _ in range(DEPOSITS)
    ]
    involved = [member.uid, *platform_wallets()]
    for i in range(FUNDINGS):
        borrower = make_profile(tier=MembershipTier.BUSINESS)
        loan = loans.create_loan(borrower, LoanRequest(20_000 + i, 20, 30, "bench"))
        calls.append(("/investments", {"loanId": loan.id, "amount": loan.amount}))
        involved.append(borrower.id)
    for _ in range(TAKES):
        seller = make_profile(tier=MembershipTier.BUSINESS)
        wallets.deposit(seller.id, asset=Asset.BTC, quantity="0.001")
        order = crypto.create_order(
            seller, OrderRequest(Asset.BTC, OrderSide.SELL, "0.0005", PRICE)
        )
        calls.append((f"/crypto/orders/{order.id}/take", None))
        involved.append(seller.id)
    return member, calls, involved, money_totals(involved)["ZAR"]


def run(clients: int) -> dict[str, Any]:
    from tests.invariants import check_wallet, money_totals

    member, calls, involved, zar_before = setup()

    def one(call: tuple[str, dict[str, Any] | None]) -> tuple[int, float]:
        path, body = call
        t0 = time.perf_counter()
        resp = member.post(path, body) if body is not None else member.post(path)
        return resp.status_code, (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, calls))
    wall = time.perf_counter() - t0
    check_wallet(member.uid)
    assert money_totals(involved)["ZAR"] == zar_before + DEPOSITS * 1_000, "money not conserved"
    lat = sorted(ms for _, ms in results)
    return {
        "rps": len(calls) / wall,
        "p50": lat[len(lat) // 2],
        "p95": lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))],
        "non2xx": sum(1 for status, _ in results if not 200 <= status < 300),
        "statuses": sorted({status for status, _ in results}),
    }


def main() -> int:
    base = os.environ.get("COINBOX_API_BASE", "")
    if not base.startswith("http://127.0.0.1:"):
        sys.exit("bench_wallet: run it on the local stack (make bench-wallet)")
    run(10)  # warm-up: the emulator starts a worker per concurrent call
    print(f"{DEPOSITS} deposits + {FUNDINGS} fundings + {TAKES} takes on one wallet, per round")
    print(f"{'clients':>8} {'moves/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'non-2xx':>8}")
    best: dict[int, float] = {}
    bad = 0
    for _ in range(ROUNDS):
        for clients in (1, 10):
            r = run(clients)
            best[clients] = max(best.get(clients, 0.0), r["rps"])
            bad += r["non2xx"]
            print(
                f"{clients:>8} {r['rps']:>8.1f} {r['p50']:>8.0f} {r['p95']:>8.0f} "
                f"{r['non2xx']:>8}  {r['statuses']}"
            )
    ratio = best[10] / best[1]
    print(f"10 clients / 1 client (best of {ROUNDS}): {ratio:.2f}x; non-2xx answers: {bad}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
