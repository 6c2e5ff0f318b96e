"""Webhook delivery benchmark on the local stack.

    COINBOX_PORT_OFFSET=N functions/venv/bin/python scripts/stack.py exec -- \
        functions/venv/bin/python scripts/bench_webhooks.py [--burst 200] [--loans 40]

1. Throughput: `--burst` events to one endpoint on a fast local receiver, committed with their
   deliveries first; then every delivery task is enqueued at once (16 threads) and the
   deliveries per second are counted from the first enqueue to the last POST received.
2. End-to-end latency: `--loans` loans created one by one (domain write → Firestore trigger →
   event + delivery → task → signed POST); p50/p95 from the write's return to the receiver.
Reference round trips (bare Firestore read, bare HTTP POST to the receiver) give the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import loans
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.webhooks import catalog, subscriptions
from coinbox_platform.webhooks.delivery import enqueue_attempt
from coinbox_platform.webhooks.events import Event, emit, event_id
from tests.api.webhook_receiver import start_receiver
from tests.support import put_profile, unique


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--loans", type=int, default=40)
    args = ap.parse_args()
    rec = start_receiver()

    # Reference round trips.
    ref = store.db().collection("health").document("bench")
    ref.set({"x": 1})
    fs = []
    for _ in range(50):
        t = time.perf_counter()
        ref.get()
        fs.append((time.perf_counter() - t) * 1000)
    http = []
    with requests.Session() as s:
        for _ in range(50):
            t = time.perf_counter()
            s.post(rec.base + "/ok/ref", data=b"{}", timeout=5)
            http.append((time.perf_counter() - t) * 1000)
    print(
        f"reference: firestore get p50 {pct(fs, 50):.1f} ms; receiver POST p50 "
        f"{pct(http, 50):.1f} ms"
    )

    # Warm the function workers (first call of a worker costs ~0.7 s).
    user = put_profile(unique("bench"))
    path = f"/ok/{unique('burst')}"
    sub_id = subscriptions.create_subscription(user.id, rec.base + path, ["loan.created"])[0].id

    def make_event(i: int) -> Event:
        now = utcnow()
        return Event(
            id=event_id(f"bench/{path}/{i}", "loan.created"),
            type="loan.created",
            created_at=now,
            data=catalog.example_event("loan.created")["data"],
            user_ids=[user.id],
            expire_at=now + catalog.EVENT_RETENTION,
        )

    # The queue dispatches up to 100 deliveries at once and the functions emulator starts one
    # worker per concurrent call: warm as many as the burst will use, so the throughput below
    # is the steady state, not worker start-up.
    warm = min(args.burst, 100)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: emit(make_event(-1 - i)), range(warm)))
    deadline = time.time() + 180
    while len(rec.on(path)) < warm and time.time() < deadline:
        time.sleep(0.1)

    # 1. Throughput of the delivery tasks: the events and their deliveries are committed
    # first (not timed: emitting from one Python process is the bottleneck, not delivery),
    # then every delivery task is enqueued at once; from the first enqueue to the last POST
    # received.
    before = len(rec.on(path))
    with ThreadPoolExecutor(8) as pool:
        emitted = list(pool.map(lambda i: emit(make_event(i), enqueue=False), range(args.burst)))
    # What emit() enqueues: each delivery with its endpoint and event ids.
    tasks = [(d, (sub_id, e.event.id)) for e in emitted for d in e.delivery_ids]
    t0 = time.time()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda t: enqueue_attempt(t[0], hint=t[1]), tasks))
    enqueued_s = time.time() - t0
    deadline = time.time() + 300
    while len(rec.on(path)) < before + args.burst and time.time() < deadline:
        time.sleep(0.05)
    got = rec.on(path)[before:]
    last = max(r.at for r in got)
    print(
        f"throughput: {len(got)}/{args.burst} deliveries in {last - t0:.2f} s = "
        f"{len(got) / (last - t0):.1f} deliveries/s (enqueueing took {enqueued_s:.2f} s)"
    )

    # 2. End-to-end latency from the domain write.
    borrower = put_profile(unique("lat"))
    lpath = f"/ok/{unique('latency')}"
    subscriptions.create_subscription(borrower.id, rec.base + lpath, ["loan.created"])
    time.sleep(1.5)  # the profile's own trigger has passed
    written: dict[str, float] = {}
    for _ in range(args.loans):
        loan = loans.create_loan(borrower, LoanRequest(10_000, 20, 30, "bench"))
        written[event_id(f"loans/{loan.id}#created", "loan.created")] = time.time()
        time.sleep(0.25)
    deadline = time.time() + 120
    while len(rec.on(lpath)) < args.loans and time.time() < deadline:
        time.sleep(0.1)
    lat = [
        (r.at - written[json.loads(r.body)["id"]]) * 1000
        for r in rec.on(lpath)
        if json.loads(r.body)["id"] in written
    ]
    print(
        f"latency domain write → receiver ({len(lat)}/{args.loans}): p50 {pct(lat, 50):.0f} ms, "
        f"p95 {pct(lat, 95):.0f} ms, max {max(lat):.0f} ms, mean {statistics.mean(lat):.0f} ms"
    )
    print(
        f"ratios: p50 / firestore get = {pct(lat, 50) / pct(fs, 50):.0f}x; "
        f"p50 / receiver POST = {pct(lat, 50) / pct(http, 50):.0f}x"
    )
    rec.stop()


if __name__ == "__main__":
    main()
