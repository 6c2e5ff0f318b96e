"""What one integrator sees: API throughput and latency per caller shape, as ratios to two floors.

    make bench        (= scripts/stack.py exec -- python scripts/bench.py)

One run measures, at 1 and 20 concurrent clients:

  firestore read       one document read with google-cloud-firestore (the bare emulator round trip)
  GET /v1/health       Hosting → functions → one Firestore read (the API floor; every ratio is to
                       this row at the same concurrency, from the same run)
  GET /v1/wallet       and
  POST /v1/loans       (KYC-verified profile written directly, a fresh Idempotency-Key each), each as
    one key            one enterprise API key shared by every client (the normal integration: one
                       key, a pool of workers)
    one user           one ID-token user shared by every client
    20 users           a different ID-token user per client (what the old benchmark measured)

and then the Firestore operations per request on each path, counted, not estimated: the same
requests are served in this process through the real pipeline (`api.app.handle`, real emulator,
real Auth tokens) with `store.counting()` wrapping the client's RPC stub, so transactions,
queries, rate-limit state and request-log flushes are all counted as they happen. Writes of
work that is batched (request logs) are amortised over the requests measured.

The counted table has a second half, "(per-request design)": the same paths counted with what
this code replaced, run by the same code (one token per slot document in every window,
`RateLimiter(lease=False)`, and the request log committed on the request path), so the before
and after operation counts come from one run. BENCH_OPS_ONLY=1 prints only the counted tables.

Each (case, path) gets fresh callers, so no case spends another's rate-limit budget. A fixed
number of requests per cell (BENCH_N1, BENCH_N20); only 127.0.0.1; stops by itself. The machine
is shared (2 cores): compare ratios from one run, not absolute numbers across runs.
"""

from __future__ import annotations

import os
import random
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
REQUESTS = {1: int(os.environ.get("BENCH_N1", "40")), 20: int(os.environ.get("BENCH_N20", "200"))}
OPS_N = int(os.environ.get("BENCH_OPS_N", "60"))  # in-process requests per counted path
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
    def ok_rps(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


def require_local(url: str) -> None:
    host = urlsplit(url if "//" in url else f"http://{url}").hostname
    if host != "127.0.0.1":
        sys.exit(f"bench: refusing to run against {url}: only 127.0.0.1")


def run_cell(name: str, concurrency: int, n: int, op: Callable[[int, int], bool | int]) -> Cell:
    """`op(i, client)` returns True (or a 2xx status) on success, else False or the status."""
    latencies: list[float] = []
    errors = 0
    why: dict[str, int] = {}
    lock = threading.Lock()
    counter = iter(range(n))

    def worker(client: int) -> None:
        nonlocal errors
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t0 = time.perf_counter()
            try:
                result: bool | int | str = op(i, client)
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
        for f in [pool.submit(worker, c) for c in range(concurrency)]:
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
    from tests.support import ApiUser, make_api_user

    doc = requests.get(base + "/openapi.json", timeout=30).json()
    ping = store.db().collection(store.HEALTH).document("ping")
    ping.set({"at": time.time()})
    loan_example = doc["paths"]["/v1/loans"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]["valid"]["value"]

    def business_user() -> ApiUser:
        return make_api_user(balance=0, tier=MembershipTier.BUSINESS)

    def enterprise_key() -> str:
        owner = business_user()
        resp = owner.post("/api-keys", json={"name": "bench", "tier": "enterprise"})
        resp.raise_for_status()
        return str(resp.json()["secret"])

    def health(i: int, c: int) -> int:
        # A public route is limited per client IP (120 a minute): each client has an address
        # of its own (benchmarking space; the trusted hop is the right-most
        # X-Forwarded-For entry locally, docs/security.md), so the floor is not refused.
        n = first_address + c  # one client address per client, like one caller per client
        ip = f"198.{18 + (n >> 16)}.{(n >> 8) & 0xFF}.{n & 0xFF}"
        headers = {"X-Forwarded-For": ip}
        return session().get(base + "/health", headers=headers, timeout=60).status_code

    first_address = random.randrange(1, 2**17 - 64)

    # Callers: fresh per (case, path), so that no case spends another's rate-limit budget.
    Caller = Callable[[int], dict[str, str]]

    def one_key() -> Caller:
        secret = enterprise_key()
        return lambda client: {"X-API-Key": secret}

    def one_user() -> Caller:
        token = business_user().token
        return lambda client: {"Authorization": f"Bearer {token}"}

    def many_users() -> Caller:
        tokens = [business_user().token for _ in range(20)]
        return lambda client: {"Authorization": f"Bearer {tokens[client % 20]}"}

    def get_wallet(who: Caller) -> Callable[[int, int], int]:
        return lambda i, c: session().get(base + "/wallet", headers=who(c), timeout=60).status_code

    def post_loan(who: Caller) -> Callable[[int, int], int]:
        def op(i: int, c: int) -> int:
            headers = who(c) | {"Idempotency-Key": uuid.uuid4().hex}
            url = base + "/loans"
            return session().post(url, json=loan_example, headers=headers, timeout=60).status_code

        return op

    print("bench: preparing callers…", flush=True)
    cases: list[tuple[str, Callable[[int, int], bool | int]]] = [
        ("firestore read", lambda i, c: bool(ping.get().exists)),
        ("GET /v1/health", health),
    ]
    cells: list[Cell] = []
    if os.environ.get("BENCH_OPS_ONLY"):  # only the counted operations (no HTTP cells)
        ops = count_ops(loan_example, one_key, one_user)
        before = count_ops(loan_example, one_key, one_user, per_request=True)
        print_tables(cells, ops, before)
        return 0
    for path, make in (("GET /v1/wallet", get_wallet), ("POST /v1/loans", post_loan)):
        for label, who in (("one key", one_key), ("one user", one_user), ("20 users", many_users)):
            cases.append((f"{path}, {label}", make(who())))

    print(f"bench: warming up ({WARMUP} requests at 20 concurrent)…", flush=True)
    warm_key, warm_user = one_key(), one_user()
    run_cell("warm", 20, WARMUP, health)
    run_cell("warm", 20, WARMUP, get_wallet(warm_key))
    run_cell("warm", 20, WARMUP, get_wallet(warm_user))
    run_cell("warm", 20, WARMUP, post_loan(warm_key))

    for name, op in cases:
        for c in CONCURRENCY:
            cell = run_cell(name, c, REQUESTS[c], op)
            cells.append(cell)
            why = f" ({cell.why})" if cell.why else ""
            print(f"bench: {name} c={c}: {len(cell.latencies_ms)} ok, {cell.errors} failed{why}")

    print_tables(cells, [], [])  # the HTTP table first (the counts take a while)
    ops = count_ops(loan_example, one_key, one_user)
    before = count_ops(loan_example, one_key, one_user, per_request=True)
    print_tables([], ops, before)
    return 0


def count_ops(
    loan_example: Any,
    one_key: Callable[[], Any],
    one_user: Callable[[], Any],
    *,
    per_request: bool = False,
) -> list[tuple[str, dict[str, float]]]:
    """Firestore operations per request on each path, counted at the RPC while the real
    pipeline serves OPS_N requests in this process, sequentially.

    per_request=True counts the design this branch replaced, with the same code: one token per
    slot document in every window (`RateLimiter(lease=False)`, the old algorithm) and the
    request log committed on the request path (a flush after every request: one commit of
    one document, what `record` used to do)."""
    from flask import Flask

    from coinbox_platform import store
    from coinbox_platform.access import ratelimit, requestlog
    from coinbox_platform.api import app as api_app
    from coinbox_platform.api.routes import load_all

    load_all()
    batched: Callable[[], None] | None = getattr(requestlog, "flush", None)
    if batched is None and per_request:  # a checkout from before batching and leases: its
        return []  # own counts are the per-request design already
    if batched is not None:
        ratelimit.set_limiter(ratelimit.RateLimiter(lease=not per_request))  # type: ignore[call-arg,unused-ignore]
    flask_app = Flask("bench")

    def flush() -> None:
        if batched is not None:
            batched()

    out: list[tuple[str, dict[str, float]]] = []
    paths: list[tuple[str, str, str, Any]] = [
        ("GET /v1/health", "GET", "/v1/health", None),
        ("GET /v1/wallet", "GET", "/v1/wallet", None),
        ("POST /v1/loans", "POST", "/v1/loans", loan_example),
    ]
    for name, method, path, body in paths:
        for label, who in (("one key", one_key), ("one user", one_user)):
            if path == "/v1/health" and label == "one user":
                continue
            headers = {} if path == "/v1/health" else who()(0)
            statuses: dict[int, int] = {}
            args = {
                "flask_app": flask_app,
                "api_app": api_app,
                "method": method,
                "path": path,
                "body": body,
                "headers": headers,
                "statuses": statuses,
            }
            _serve_in_process(**args)  # warm: caches, first lease, client channel
            flush()
            with store.counting() as c:
                for _ in range(OPS_N):
                    _serve_in_process(**args)
                    if per_request:
                        flush()
                flush()
                got = c.copy()
            row = {k: v / OPS_N for k, v in vars(got).items()}
            row["status"] = max(statuses, key=lambda s: statuses[s])
            out.append((f"{name}, {label}" if path != "/v1/health" else name, row))
    return out


def _serve_in_process(
    *,
    flask_app: Any,
    api_app: Any,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    statuses: dict[int, int],
) -> None:
    from flask import request

    extra = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {}
    with flask_app.test_request_context(path, method=method, json=body, headers=headers | extra):
        resp = api_app.handle(request, path.split("/")[2])
    statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1


def print_tables(
    cells: list[Cell],
    ops: list[tuple[str, dict[str, float]]],
    before: list[tuple[str, dict[str, float]]],
) -> None:
    if cells:
        _print_http(cells)
    if ops or before:
        _print_ops(ops, before)


def _print_http(cells: list[Cell]) -> None:
    floor = {c.concurrency: c for c in cells if c.name == "GET /v1/health"}
    print(f"\nload average: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}\n")
    print(
        "| case | clients | ok | refused/failed | p50 ms | p95 ms | req/s | req/s ÷ health "
        "| p50 ÷ health |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for cell in cells:
        h = floor.get(cell.concurrency)
        rps_ratio = f"{cell.ok_rps / h.ok_rps:.2f}×" if h and h.ok_rps else "-"
        p50_ratio = f"{cell.pct(50) / h.pct(50):.2f}×" if h and h.latencies_ms else "-"
        print(
            f"| {cell.name} | {cell.concurrency} | {len(cell.latencies_ms)} | {cell.errors} | "
            f"{cell.pct(50):.1f} | {cell.pct(95):.1f} | {cell.ok_rps:.1f} | {rps_ratio} | "
            f"{p50_ratio} |"
        )


def _print_ops(
    ops: list[tuple[str, dict[str, float]]], before: list[tuple[str, dict[str, float]]]
) -> None:
    print(f"\nFirestore operations per request (counted, {OPS_N} sequential requests each):\n")
    print("| path | status | doc reads | doc writes | queries | commits | transactions |")
    print("|---|---|---|---|---|---|---|")
    for label, rows in (("", ops), (" (per-request design)", before)):
        for name, row in rows:
            print(
                f"| {name}{label} | {int(row['status'])} | {row['reads']:.2f} | "
                f"{row['writes']:.2f} | {row['queries']:.2f} | {row['commits']:.2f} | "
                f"{row['transactions']:.2f} |"
            )


if __name__ == "__main__":
    sys.exit(main())
