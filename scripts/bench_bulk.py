"""Bulk batch time next to single creates, on the same stack in the same run.

Run inside the stack:
    COINBOX_PORT_OFFSET=<n> functions/venv/bin/python scripts/stack.py exec -- \
        functions/venv/bin/python scripts/bench_bulk.py [repetitions]

For each kind (loans, investments, crypto orders, messages) it times, through Hosting like any
client: one single create, a 20-item bulk request in independent mode and one in atomic mode
(median of the repetitions, after a warm-up call of each endpoint so no Python worker is cold).
Messages have no single-create endpoint: their "single" is a bulk request with one recipient.
The bare round trip (GET /v1/health) is the unit docs/product.md §9 asks ratios against.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coinbox_platform.domain import loans  # noqa: E402
from coinbox_platform.tiers import MembershipTier, Role  # noqa: E402
from tests.support import SESSION, ApiUser, api_base, make_api_user, make_profile  # noqa: E402

warnings.filterwarnings("ignore", message="Detected filter using positional arguments")
N = 20
LOAN = 10_000


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def expect(resp: Any, status: int) -> Any:
    if resp.status_code != status:
        raise SystemExit(
            f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
        )
    return resp


def open_loans(n: int) -> list[str]:
    borrower = make_profile()
    return [
        loans.create_loan(borrower, loans.LoanRequest(LOAN, 20, 30, "bench")).id for _ in range(n)
    ]


class Kind:
    name: str
    user: ApiUser

    def single(self) -> float:
        raise NotImplementedError

    def bulk(self, mode: str) -> float:
        raise NotImplementedError


class Loans(Kind):
    name = "loans"
    item = {"amount": 40_000, "interestRate": 18, "termDays": 30, "purpose": "bench"}

    def __init__(self) -> None:
        self.user = make_api_user()

    def single(self) -> float:
        return timed(lambda: expect(self.user.post("/loans", self.item), 201))

    def bulk(self, mode: str) -> float:
        body = {"mode": mode, "items": [self.item] * N}
        return timed(lambda: expect(self.user.post("/bulk/loans", body), 201))


class Investments(Kind):
    name = "investments"

    def __init__(self) -> None:
        self.user = make_api_user(balance=50_000_000, tier=MembershipTier.BUSINESS)

    def single(self) -> float:
        (loan_id,) = open_loans(1)
        body = {"loanId": loan_id, "amount": LOAN}
        return timed(lambda: expect(self.user.post("/investments", body), 201))

    def bulk(self, mode: str) -> float:
        body = {"mode": mode, "items": [{"loanId": i, "amount": LOAN} for i in open_loans(N)]}
        return timed(lambda: expect(self.user.post("/bulk/investments", body), 201))


class Orders(Kind):
    name = "crypto orders"
    item = {"asset": "USDT", "side": "buy", "quantity": "10", "price": 1_850}

    def __init__(self) -> None:
        self.user = make_api_user(balance=50_000_000, tier=MembershipTier.BUSINESS)

    def single(self) -> float:
        return timed(lambda: expect(self.user.post("/crypto/orders", self.item), 201))

    def bulk(self, mode: str) -> float:
        body = {"mode": mode, "items": [self.item] * N}
        return timed(lambda: expect(self.user.post("/bulk/crypto-orders", body), 201))


class Messages(Kind):
    name = "messages"

    def __init__(self) -> None:
        self.user = make_api_user(role=Role.SUPPORT)
        self.recipients = [make_profile().id for _ in range(N)]

    def _send(self, mode: str, recipients: list[str]) -> float:
        body = {
            "mode": mode,
            "title": "Bench",
            "body": "A benchmark message.",
            "items": [{"recipient": r} for r in recipients],
        }
        return timed(lambda: expect(self.user.post("/bulk/messages", body), 201))

    def single(self) -> float:
        return self._send("independent", self.recipients[:1])

    def bulk(self, mode: str) -> float:
        return self._send(mode, self.recipients)


def main(repetitions: int) -> None:
    health = [timed(lambda: SESSION.get(api_base() + "/health", timeout=30)) for _ in range(20)]
    rtt = statistics.median(health[5:])
    print(f"bare round trip (GET /v1/health, median): {rtt:.1f} ms; {repetitions} repetitions\n")
    head = (
        f"{'kind':<14}{'single ms':>10}{'20 × single':>12}{'bulk indep.':>12}{'bulk atomic':>12}"
        f"{'indep/item':>11}{'atomic/item':>12}{'speed-up':>9}{'atomic÷RTT':>11}"
    )
    print(head)
    print("-" * len(head))
    for kind in (Loans(), Investments(), Orders(), Messages()):
        kind.single(), kind.bulk("independent"), kind.bulk("atomic")  # warm the workers
        single = statistics.median(kind.single() for _ in range(repetitions))
        indep = statistics.median(kind.bulk("independent") for _ in range(repetitions))
        atomic = statistics.median(kind.bulk("atomic") for _ in range(repetitions))
        print(
            f"{kind.name:<14}{single:>10.1f}{single * N:>12.0f}{indep:>12.1f}{atomic:>12.1f}"
            f"{indep / N:>11.1f}{atomic / N:>12.1f}{single * N / atomic:>8.1f}×"
            f"{atomic / rtt:>11.1f}",
            flush=True,
        )
    print(
        "\nspeed-up: 20 single requests (sequential) ÷ one atomic bulk request of 20. "
        "The independent mode commits item by item (one transaction each), so its cost grows "
        "like the singles minus the per-request overhead (auth, rate limit, request log, "
        "idempotency)."
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
