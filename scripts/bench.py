"""API latency and throughput against the running local stack, as ratios to two floors.

    make bench        (= scripts/stack.py exec -- python scripts/bench.py)

Measures, in one run, p50/p95/p99 latency and throughput at 1 and 20 concurrent clients of:
  firestore read     one document read with google-cloud-firestore (the bare emulator round trip)
  GET /v1/health     through Hosting → functions → one Firestore read (the API floor)
  GET /v1/loans      a signed-in user's loan list (ID token from the Auth emulator)
  POST /v1/loans     creating a loan (KYC-verified profile written directly, Idempotency-Key)
and prints each one's p50 as a multiple of the health floor and of the bare read. A fixed
number of requests per cell; only 127.0.0.1; stops by itself. Endpoints not deployed yet are
skipped with a line saying so. Absolute numbers depend on the machine (2 shared cores here):
compare ratios.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONCURRENCY = (1, 20)
REQUESTS = {1: int(os.environ.get("BENCH_N1", "60")), 20: int(os.environ.get("BENCH_N20", "200"))}
WARMUP = 40  # at 20 concurrent: the functions emulator starts one worker per concurrent call


@dataclass
class Cell:
    name: str
    concurrency: int
    latencies_ms: list[float]
    errors: int
    wall_s: float
    why: dict[str, int]

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        k = min(len(data) - 1, max(0, round(q / 100 * (len(data) - 1))))
        return data[k]

    @property
    def rps(self) -> float:
        return (len(self.latencies_ms) + self.errors) / self.wall_s if self.wall_s else 0.0


def require_local(url: str) -> None:
    host = urlsplit(url if "//" in url else f"http://{url}").hostname
    if host != "127.0.0.1":
        sys.exit(f"bench: refusing to run against {url}: only 127.0.0.1")


def run_cell(name: str, concurrency: int, n: int, op: Callable[[int], bool | int]) -> Cell:
    """`op(i)` returns True (or a 2xx status) on success, else False or the status."""
    latencies: list[float] = []
    errors = 0
    why: dict[str, int] = {}
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t0 = time.perf_counter()
            try:
                result: bool | int | str = op(i)
            except Exception as exc:
                result = type(exc).__name__
            dt = (time.perf_counter() - t0) * 1000
            ok = result is True or (type(result) is int and 200 <= result < 300)
            with lock:
                if ok:
                    latencies.append(dt)
                else:
                    errors += 1
                    why[str(result)] = why.get(str(result), 0) + 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(worker) for _ in range(concurrency)]:
            f.result()
    return Cell(name, concurrency, latencies, errors, time.perf_counter() - t0, why)


_local = threading.local()


def session() -> requests.Session:
    s = getattr(_local, "session", None)
    if s is None:
        s = _local.session = requests.Session()
    return s


def main() -> int:
    base = os.environ.get("COINBOX_API_BASE")
    fs_host = os.environ.get("FIRESTORE_EMULATOR_HOST")
    if not base or not fs_host or not os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"):
        sys.exit("bench: run inside the stack: scripts/stack.py exec -- python scripts/bench.py")
    for url in (base, fs_host, os.environ["FIREBASE_AUTH_EMULATOR_HOST"]):
        require_local(url)

    from coinbox_platform import store
    from coinbox_platform.tiers import MembershipTier
    from tests.support import make_api_user

    doc = requests.get(base + "/openapi.json", timeout=30).json()
    paths = doc.get("paths", {})
    ping = store.db().collection(store.HEALTH).document("ping")
    ping.set({"at": time.time()})

    # One user per concurrent client, so that per-user limits do not cap POST /v1/loans.
    users = [make_api_user(balance=0, tier=MembershipTier.BUSINESS) for _ in range(20)]

    def auth(i: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {users[i % len(users)].token}"}

    def firestore_read(i: int) -> bool:
        return bool(ping.get().exists)

    def health(i: int) -> int:
        return session().get(base + "/health", timeout=30).status_code

    def list_loans(i: int) -> int:
        return session().get(base + "/loans", headers=auth(i), timeout=30).status_code

    loan_example = (
        paths.get("/v1/loans", {})
        .get("post", {})
        .get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("examples", {})
        .get("valid", {})
        .get("value")
    )

    def create_loan(i: int) -> int:
        headers = auth(i) | {"Idempotency-Key": uuid.uuid4().hex}
        resp = session().post(base + "/loans", json=loan_example, headers=headers, timeout=30)
        return resp.status_code

    endpoints: list[tuple[str, Callable[[int], bool | int], bool]] = [
        ("firestore read", firestore_read, False),
        ("GET /v1/health", health, True),
    ]
    if "get" in paths.get("/v1/loans", {}):
        endpoints.append(("GET /v1/loans", list_loans, True))
    else:
        print("bench: skipping GET /v1/loans: not in /v1/openapi.json yet")
    if "post" in paths.get("/v1/loans", {}) and loan_example is not None:
        endpoints.append(("POST /v1/loans", create_loan, True))
    else:
        print("bench: skipping POST /v1/loans: not in /v1/openapi.json yet (or no example)")

    print(f"bench: warming up ({WARMUP} requests at 20 concurrent per endpoint)…", flush=True)
    for name, op, http in endpoints:
        if http:
            run_cell(name, 20, WARMUP, op)

    cells: list[Cell] = []
    for name, op, _ in endpoints:
        for c in CONCURRENCY:
            cell = run_cell(name, c, REQUESTS[c], op)
            cells.append(cell)
            print(
                f"bench: {name} c={c}: {len(cell.latencies_ms)} ok, {cell.errors} failed",
                flush=True,
            )

    floor = {c.concurrency: c for c in cells if c.name == "GET /v1/health"}
    bare = {c.concurrency: c for c in cells if c.name == "firestore read"}
    print()
    print(
        f"{'endpoint':<16} {'conc':>4} {'n':>4} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'req/s':>7} {'p50/health':>10} {'p50/read':>9}"
    )
    for cell in cells:
        h = floor.get(cell.concurrency)
        b = bare.get(cell.concurrency)
        p50 = cell.pct(50)
        print(
            f"{cell.name:<16} {cell.concurrency:>4} {len(cell.latencies_ms) + cell.errors:>4} "
            f"{cell.errors:>4} {p50:>8.1f} {cell.pct(95):>8.1f} {cell.pct(99):>8.1f} "
            f"{cell.rps:>7.1f} {_ratio(p50, h):>10} {_ratio(p50, b):>9}"
        )
    print(
        "\nratios: p50 of the row ÷ p50 of GET /v1/health (the API floor) and of the bare "
        "Firestore read, at the same concurrency."
    )
    return 0


def _ratio(value: float, ref: Any) -> str:
    if ref is None or not ref.latencies_ms:
        return "-"
    return f"{value / ref.pct(50):.1f}x"


if __name__ == "__main__":
    sys.exit(main())
