"""Token-slot bucket math and the limiter's exactness, with an in-memory store and a clock
the test controls."""

from __future__ import annotations

import threading

import pytest

from coinbox_platform.access import ratelimit
from coinbox_platform.access.ratelimit import POLICIES, MemorySlots, RateLimiter, Window

MIN = Window("minute", 60, 10)


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_claimable_range_holds_capacity_slots_and_moves_one_slot_per_interval() -> None:
    t = 1_700_000_000_000
    lo, hi = ratelimit.claimable(t, MIN)
    assert hi - lo + 1 == 10
    lo2, hi2 = ratelimit.claimable(t + 6_000, MIN)  # one refill interval (60 s / 10)
    assert (lo2, hi2) == (lo + 1, hi + 1)
    assert ratelimit.slot_time(hi + 1, MIN) - t <= 6_000


def test_state_after_counts_remaining_and_full_time() -> None:
    t = 6_000 * 1000  # exactly on a slot boundary
    lo, hi = ratelimit.claimable(t, MIN)
    assert ratelimit.state_after(t, MIN, None).remaining == 10
    s = ratelimit.state_after(t, MIN, lo + 2)
    assert s.remaining == 7
    assert s.full_at_ms == ratelimit.slot_time(lo + 2 + 10, MIN)
    full = ratelimit.state_after(t, MIN, hi)
    assert full.remaining == 0 and full.next_token_ms == t + 6_000


def test_burst_admits_capacity_then_refills_continuously() -> None:
    clock = Clock(1_700_000_000.0)
    lim = RateLimiter(MemorySlots(), clock)
    windows = (MIN,)
    results = [lim.take("k", windows).allowed for _ in range(15)]
    assert results.count(True) == 10
    refused = lim.take("k", windows)
    assert not refused.allowed
    assert int(refused.headers(lim.now_ms())["Retry-After"]) <= 6
    clock.t += 6  # one token back
    assert lim.take("k", windows).allowed
    assert not lim.take("k", windows).allowed
    clock.t += 30  # five tokens back
    assert [lim.take("k", windows).allowed for _ in range(6)].count(True) == 5
    clock.t += 3600  # idle: full, never more than capacity
    assert [lim.take("k", windows).allowed for _ in range(12)].count(True) == 10


def test_concurrent_takers_never_exceed_capacity() -> None:
    clock = Clock(1_700_000_000.0)
    lim = RateLimiter(MemorySlots(), clock)
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        # each thread has its own hints, like separate instances
        own = RateLimiter(lim.store, clock)
        ok = own.take("k", POLICIES["basic"]).allowed
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(100)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count(True) == 10


def test_hour_and_day_windows_hold_with_a_controlled_clock() -> None:
    clock = Clock(1_700_000_000.0)
    lim = RateLimiter(MemorySlots(), clock)
    basic = POLICIES["basic"]  # 10/min, 100/h, 1000/day
    admitted = 0
    for _ in range(60):  # one hour in minute steps, 12 attempts a minute
        admitted += [lim.take("k", basic).allowed for _ in range(12)].count(True)
        clock.t += 60
    # minute allows 10 + 10 refills a minute, but the hour holds at 100 + refill (1 per 36 s)
    assert 100 <= admitted <= 100 + 3600 // 36
    before = admitted
    for _ in range(24 * 6):  # the rest of a day in 10-minute steps
        admitted += [lim.take("k", basic).allowed for _ in range(12)].count(True)
        clock.t += 600
    day_window = 25 * 3600
    assert admitted - before <= 1000 + day_window // 86  # never beyond day capacity + refill
    refused = lim.take("k", basic)
    assert refused.allowed or refused.refused_by is not None


def test_a_refusal_by_a_later_window_hands_back_earlier_tokens() -> None:
    clock = Clock(1_700_000_000.0)
    store = MemorySlots()
    lim = RateLimiter(store, clock)
    tiny = (Window("minute", 60, 10), Window("hour", 3600, 2))
    assert lim.take("k", tiny).allowed and lim.take("k", tiny).allowed
    refused = lim.take("k", tiny)
    assert not refused.allowed and refused.refused_by is not None
    assert refused.refused_by.window.name == "hour"
    lo, _ = ratelimit.claimable(lim.now_ms(), tiny[0])
    assert store.highest("k:minute", lo) == lo + 1  # the third minute token was handed back


def test_headers_describe_the_tightest_window() -> None:
    clock = Clock(1_700_000_000.0)
    lim = RateLimiter(MemorySlots(), clock)
    d = lim.take("k", POLICIES["basic"])
    h = d.headers(lim.now_ms())
    assert h["X-RateLimit-Limit"] == "10" and h["X-RateLimit-Remaining"] == "9"
    assert int(h["X-RateLimit-Reset"]) >= int(clock.t)
    assert h["RateLimit-Policy"] == '"minute";q=10;w=60, "hour";q=100;w=3600, "day";q=1000;w=86400'
    assert h["RateLimit"].startswith('"minute";r=9;t=')


class BrokenStore(MemorySlots):
    def claim(self, bucket: str, k: int, expire_at_ms: int) -> bool:
        raise ConnectionError("store unreachable")


def test_an_unreachable_store_fails_closed() -> None:
    lim = RateLimiter(BrokenStore(), Clock(1_700_000_000.0))
    with pytest.raises(ratelimit.ServiceUnavailable):
        lim.take("k", POLICIES["basic"])


def test_big_windows_are_sharded_and_still_exact_under_concurrency() -> None:
    """The one-token-per-document algorithm (what every window below LEASE_MIN runs, and a
    big window with leasing off)."""
    big = Window("minute", 60, 1000)
    assert ratelimit.shards_for(big) == 8 and ratelimit.shards_for(MIN) == 1
    assert len(set(ratelimit.bucket_ids("k", big, lease=False))) == 8
    clock = Clock(1_700_000_000.0)
    store = MemorySlots()
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        own = RateLimiter(store, clock, lease=False)  # an instance of its own, own hints
        for _ in range(30):
            ok = own.take("k", (big,)).allowed
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count(True) == 1000  # every slot in range, none twice
    lo, hi = ratelimit.claimable(int(clock.t * 1000), big)
    claimed = [
        k for b in ratelimit.bucket_ids("k", big, lease=False) for k in store._slots.get(b, set())
    ]
    assert sorted(claimed) == list(range(lo, hi + 1))
    refused = RateLimiter(store, clock, lease=False).take("k", (big,))
    assert not refused.allowed and refused.tightest.remaining == 0
    clock.t += 0.06  # one token per 60 ms
    assert RateLimiter(store, clock, lease=False).take("k", (big,)).allowed


def test_leased_windows_never_admit_beyond_capacity_and_write_one_document_per_block() -> None:
    """Big windows are claimed in blocks of lease_size tokens spent from memory: one instance
    gets the whole window (every in-range token once), 50 concurrent instances never more,
    and at most (lease_size - 1) tokens per instance are left unspent in their leases."""
    big = Window("minute", 60, 1000)
    size = ratelimit.lease_size(big)
    assert size == 20 and ratelimit.lease_size(MIN) == 1
    assert ratelimit.lease_size(POLICIES["basic"][1]) == 1  # a basic key's 100/h: no lease
    clock = Clock(1_700_000_000.02)  # not block-aligned: the lowest block is partly lapsed
    store = MemorySlots()
    one = RateLimiter(store, clock)
    results = [one.take("solo", (big,)) for _ in range(1100)]
    admitted = [d for d in results if d.allowed]
    lo, hi = ratelimit.claimable(int(clock.t * 1000), big)
    first, last = ratelimit.claimable_blocks(int(clock.t * 1000), big, size)
    spendable = sum(
        1 for b in range(first, last + 1) for k in range(b * size, b * size + size) if lo <= k <= hi
    )
    assert len(admitted) == spendable and 1000 - size < spendable <= 1000
    docs = store._slots[ratelimit.bucket_id("solo", big, lease=size)]
    assert len(docs) == last - first + 1  # one document per block, not per token
    assert sum(d.store_ops for d in results) <= 2 * len(docs) + 2
    assert not results[-1].allowed and results[-1].tightest.remaining == 0
    assert int(results[-1].headers(one.now_ms())["Retry-After"]) <= 2

    results_many: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        own = RateLimiter(store, clock)  # an instance of its own: its own leases
        for _ in range(30):
            ok = own.take("k", (big,)).allowed
            with lock:
                results_many.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert spendable - 50 * (size - 1) <= results_many.count(True) <= spendable
    # the window refills: a block is claimable again once it is fully minted
    clock.t += size * 0.06
    assert RateLimiter(store, clock).take("k", (big,)).allowed


def test_a_refused_request_hands_leased_tokens_back_to_the_instance() -> None:
    clock = Clock(1_700_000_000.0)
    store = MemorySlots()
    lim = RateLimiter(store, clock)
    big, tiny = Window("minute", 60, 1000), Window("hour", 3600, 2)
    assert lim.take("k", (big, tiny)).allowed and lim.take("k", (big, tiny)).allowed
    assert not lim.take("k", (big, tiny)).allowed  # the hour refuses: the minute token returns
    bucket = ratelimit.bucket_id("k", big, lease=ratelimit.lease_size(big))
    assert len(store._slots[bucket]) == 1  # still the one block
    lo, _ = ratelimit.claimable(lim.now_ms(), big)
    (block,) = store._slots[bucket]
    in_block = sum(1 for k in range(block * 20, block * 20 + 20) if k >= lo)
    spent = [lim.take("k", (big,)).allowed for _ in range(in_block - 2)]
    assert all(spent) and len(store._slots[bucket]) == 1  # the block's tokens, none lost
    assert lim.take("k", (big,)).allowed and len(store._slots[bucket]) == 2
