"""Rate limits (docs/product.md §4.3) on the real stack: exact under a simultaneous burst, sustained
enterprise traffic without 5xx, hour and day windows with a controlled clock, and failing
closed when the limiter's store is unreachable."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.access import apikeys, ratelimit
from coinbox_platform.access.ratelimit import POLICIES, FirestoreSlots, RateLimiter, Window
from coinbox_platform.domain.users import get_profile
from coinbox_platform.tiers import MembershipTier
from tests.api.apikey_helpers import create_key, new_session, warm_up
from tests.support import api_base, make_api_user, wait_for_logs

pytestmark = pytest.mark.stack

RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
)


def _burst(secret: str, n: int) -> tuple[list[Any], float, float]:
    """n simultaneous GET /v1/me (threads released together by a barrier)."""
    barrier = threading.Barrier(n)
    headers = {"X-API-Key": secret}
    sessions = [new_session() for _ in range(n)]

    def one(i: int) -> Any:
        barrier.wait()
        return sessions[i].get(api_base() + "/me", headers=headers, timeout=120)

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(one, i) for i in range(n)]
        time.sleep(0.5)
        started = time.time()
        results = [f.result() for f in futures]
    return results, started - 0.5, time.time()


def test_a_simultaneous_burst_on_a_fresh_basic_key_admits_exactly_ten() -> None:
    # Warm-up: the functions emulator starts one worker per concurrent request; let it start
    # them for `me` gradually (unauthenticated requests: no rate-limit bucket involved).
    warm_up("/me", 100)
    user = make_api_user()
    secret = create_key(user)["secret"]
    results, started, ended = _burst(secret, 100)
    statuses = Counter(r.status_code for r in results)
    minute = POLICIES["basic"][0]
    # tokens the minute bucket minted while the burst ran (slots are minted every 6 s)
    refilled = ratelimit.slot_at(int(ended * 1000), minute) - ratelimit.slot_at(
        int(started * 1000), minute
    )
    assert set(statuses) <= {200, 429}, statuses
    assert 10 <= statuses[200] <= 10 + refilled, (statuses, refilled)
    assert statuses[429] == 100 - statuses[200]
    for r in results:
        for h in RATE_HEADERS:
            assert h in r.headers, (h, r.status_code)
        assert r.headers["X-RateLimit-Limit"] == "10"
        assert (
            r.headers["RateLimit-Policy"]
            == '"minute";q=10;w=60, "hour";q=100;w=3600, "day";q=1000;w=86400'
        )
        assert int(r.headers["X-RateLimit-Reset"]) >= int(started)
        if r.status_code == 429:
            body = r.json()
            assert r.headers["Content-Type"].startswith("application/problem+json")
            assert body["code"] == "rate_limited" and body["window"] == "minute"
            assert 1 <= int(r.headers["Retry-After"]) <= 6
            assert r.headers["X-RateLimit-Remaining"] == "0"
            assert r.headers["RateLimit"].startswith('"minute";r=0;t=')
    # Remaining is the tightest of the key's and the owner's buckets (docs/product.md §4.3),
    # each claimed in its own order, so it need not be a permutation of 0..9; but at least
    # j+1 admitted requests hold one of the key's last j+1 tokens (the slot documents below
    # prove each token was handed out once).
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in results if r.ok)
    assert all(left <= j for j, left in enumerate(remaining[:10])) or refilled, remaining
    # nothing beyond the admitted requests holds a minute token
    slots = (
        store.db()
        .collection(ratelimit.RATE_LIMITS)
        .document(f"{apikeys.key_id(secret)}:minute")
        .collection(ratelimit.SLOTS)
        .stream()
    )
    assert len(list(slots)) == statuses[200]


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_hour_and_day_windows_hold_on_firestore_with_a_controlled_clock() -> None:
    clock = Clock(1_800_000_000.0)
    limiter = RateLimiter(FirestoreSlots(), clock)
    subject = f"test-{os.urandom(6).hex()}"
    basic = POLICIES["basic"]  # 10/min, 100/h, 1,000/day
    t0 = clock.t
    admitted: list[float] = []
    first_refusal: dict[str, float] = {}
    # 20 simulated hours: every hour, 12 bursts of 12 requests one minute apart, then quiet.
    for _hour in range(20):
        for _minute in range(12):
            for _ in range(12):
                d = limiter.take(subject, basic)
                if d.allowed:
                    admitted.append(clock.t)
                else:
                    assert d.refused_by is not None
                    first_refusal.setdefault(d.refused_by.window.name, clock.t)
            clock.t += 60
        clock.t += 48 * 60
    assert set(first_refusal) == {"minute", "hour", "day"}, first_refusal

    def before(t: float) -> int:
        return len([a for a in admitted if a <= t])

    # A window refuses only once its capacity is spent, and never admits beyond capacity
    # plus what it minted meanwhile (hour: one token per 36 s; day: one per 86.4 s).
    th, td = first_refusal["hour"], first_refusal["day"]
    assert 100 <= before(th) <= 100 + int((th - t0) / 36) + 1
    assert 1000 <= before(td) <= 1000 + int((td - t0) / 86.4) + 1

    def most_in(window_s: float, capacity: int, interval_s: float) -> None:
        j = 0
        for i, t in enumerate(admitted):
            while admitted[j] <= t - window_s:
                j += 1
            assert i - j + 1 <= capacity + int(window_s / interval_s) + 1

    most_in(60, 10, 6)
    most_in(3600, 100, 36)
    most_in(86400, 1000, 86.4)
    # After a quiet day every window is full again.
    clock.t += 86400
    assert [limiter.take(subject, basic).allowed for _ in range(11)].count(True) == 10


def test_the_limiter_fails_closed_when_its_store_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flask import Flask, request
    from google.cloud import firestore

    from coinbox_platform.api import app as api_app
    from coinbox_platform.api.routes import load_all

    load_all()
    user = make_api_user()
    profile = get_profile(user.uid)
    assert profile is not None
    _, secret = apikeys.create_api_key(profile, "closed")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # nothing listens there
    dead = firestore.Client(project="demo-coinbox")
    monkeypatch.undo()
    monkeypatch.setattr(ratelimit, "STORE_TIMEOUT", 2.0)
    ratelimit.set_limiter(RateLimiter(FirestoreSlots(lambda: dead)))
    try:
        flask_app = Flask("t")
        with flask_app.test_request_context("/v1/me", headers={"X-API-Key": secret}):
            started = time.monotonic()
            resp = api_app.handle(request, "me")
    finally:
        ratelimit.set_limiter(None)
    assert resp.status_code == 503
    assert resp.content_type.startswith("application/problem+json")
    assert resp.get_json()["code"] == "service_unavailable"
    assert resp.headers["Retry-After"]
    assert time.monotonic() - started < 30


def test_an_enterprise_key_sustains_its_rate_from_20_clients_without_5xx() -> None:
    user = make_api_user(tier=MembershipTier.BUSINESS)
    key = create_key(user, name="bench")
    secret, key_id = key["secret"], key["id"]
    total, clients = int(os.environ.get("COINBOX_BENCH_REQUESTS", "1100")), 20
    warm_up("/me", clients)
    sent = iter(range(total))
    lock = threading.Lock()
    statuses: Counter[int] = Counter()
    latencies: list[float] = []

    def client() -> None:
        s = new_session()
        while True:
            with lock:
                if next(sent, None) is None:
                    return
            t0 = time.perf_counter()
            r = s.get(api_base() + "/me", headers={"X-API-Key": secret}, timeout=120)
            with lock:
                statuses[r.status_code] += 1
                latencies.append(time.perf_counter() - t0)

    started = time.time()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.time() - started
    minute: Window = POLICIES["enterprise"][0]
    refill = int(elapsed * minute.limit / minute.seconds) + 1
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 429}
    assert statuses[200] == min(total, statuses[200]) >= min(total, minute.limit)
    assert statuses[200] <= minute.limit + refill

    wait_for_logs("keyId", key_id, total, timeout=60)  # logs are committed in batches
    logs = [
        d.to_dict() or {}
        for d in store.db()
        .collection("apiRequestLogs")
        .where(filter=FieldFilter("keyId", "==", key_id))
        .select(["status", "limiterOps"])
        .stream()
    ]
    assert len(logs) == total

    def docs(subject: str, w: Window) -> int:
        return sum(
            len(
                list(
                    store.db()
                    .collection(ratelimit.RATE_LIMITS)
                    .document(bucket)
                    .collection(ratelimit.SLOTS)
                    .select([])
                    .stream()
                )
            )
            for bucket in ratelimit.bucket_ids(subject, w)
        )

    # The key's windows and its owner's (across all of their keys): leased in blocks.
    owner = f"apiuser:{user.uid}:enterprise"
    per_window = {(s, w.name): docs(s, w) for s in (key_id, owner) for w in POLICIES["enterprise"]}
    slot_docs = sum(per_window.values())
    ops = sum(int(d.get("limiterOps") or 0) for d in logs)
    latencies.sort()
    report = {
        "requests": total,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests_per_s": round(total / elapsed, 1),
        "admitted": statuses[200],
        "refused": statuses[429],
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "slot_docs_per_admitted": round(slot_docs / max(1, statuses[200]), 2),
        "limiter_store_ops_per_request": round(ops / total, 2),
        "writes_per_request": round((slot_docs + len(logs)) / total, 2),
    }
    print("\nenterprise sustain:", report)
    # Every admitted request held a token of every window: the claimed blocks cover them.
    for (_subject, name), n in per_window.items():
        w = next(w for w in POLICIES["enterprise"] if w.name == name)
        assert n * ratelimit.lease_size(w) >= statuses[200], (name, n)
    # caller state written per admitted request, amortised (issue 12: at most 0.2)
    assert slot_docs / statuses[200] <= 0.2, per_window
