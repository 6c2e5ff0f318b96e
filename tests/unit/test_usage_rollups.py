"""Usage rollups (coinbox_platform/access/usage.py): the histogram's bounds, folding logs per key and
hour, and that a summary of rollups equals the summary of the raw logs they came from."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from coinbox_platform.access.usage import (
    BUCKET_GROWTH,
    Rollup,
    Tally,
    bucket_edge,
    bucket_of,
    reported,
    rollups_of,
    summarise,
    whole,
    with_days,
)

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("ms", [0.001, 0.01, 0.0101, 1.0, 3.3, 12.345, 99.99, 150.129, 60_000.0])
def test_a_latency_lies_in_its_bucket_and_is_reported_at_most_5_percent_above(ms: float) -> None:
    b = bucket_of(ms)
    assert ms <= bucket_edge(b)
    if b > 0:
        assert bucket_edge(b - 1) < ms
    assert ms <= reported(ms) + 0.005 and reported(ms) <= max(ms, 0.01) * BUCKET_GROWTH + 0.005


def test_the_histogram_percentile_is_the_bucket_of_the_exact_nearest_rank() -> None:
    rng = random.Random(7)
    values = [round(rng.lognormvariate(3, 1), 3) for _ in range(5_000)]
    tally = Tally()
    for v in values:
        tally.add(200, v, None)
    ordered = sorted(values)
    for p in (50, 95, 99):
        exact = ordered[max(1, math.ceil(p / 100 * len(values))) - 1]
        assert tally.percentile(p) == reported(exact)


def _log(key: str | None, minute: int, status: int = 200, ms: float = 10.0) -> dict[str, object]:
    return {
        "keyId": key,
        "method": "GET",
        "route": "/v1/me" if status != 201 else "/v1/loans",
        "status": status,
        "errorCode": "rate_limited" if status == 429 else None,
        "latencyMs": ms,
        "timestamp": T0 + timedelta(minutes=minute),
    }


def test_logs_fold_per_key_and_hour_and_session_traffic_is_left_out() -> None:
    logs = [_log("k1", 5), _log("k1", 50, 429), _log("k1", 65, 201), _log("k2", 1), _log(None, 2)]
    rollups = {r.doc_id: r for r in rollups_of(logs)}
    assert set(rollups) == {"k1:h:2026120110", "k1:h:2026120111", "k2:h:2026120110"}
    first = rollups["k1:h:2026120110"]
    assert first.total.requests == 2 and first.total.rate_limited == 1
    assert first.total.classes == {"2xx": 1, "4xx": 1}
    assert set(first.routes) == {"GET /v1/me"}
    assert rollups["k1:h:2026120111"].routes["GET /v1/loans"].classes == {"2xx": 1}
    days = {r.doc_id: r for r in with_days(rollups.values()) if r.span == "day"}
    assert set(days) == {"k1:d:20261201", "k2:d:20261201"}
    assert days["k1:d:20261201"].total.requests == 3
    assert days["k1:d:20261201"].routes["GET /v1/me"].rate_limited == 1


def test_a_tally_survives_its_stored_form() -> None:
    t = Tally()
    for status, ms in ((200, 1.5), (429, 3.0), (503, 900.0), (200, 1.5)):
        t.add(status, ms, None)
    back = Tally.from_doc(t.to_doc())
    assert back == t


def test_summarising_rollups_equals_summarising_every_log_by_hand() -> None:
    rng = random.Random(3)
    logs = [
        _log("k", rng.randrange(0, 300), rng.choice([200, 201, 404, 429, 500]), rng.uniform(1, 900))
        for _ in range(2_000)
    ]
    start, end = T0, T0 + timedelta(hours=5)
    out = summarise(rollups_of(logs), start, end, "hour")
    assert out["totals"]["requests"] == 2_000
    assert [p["requests"] for p in out["series"]] == [
        sum(
            1
            for lg in logs
            if T0 + timedelta(hours=h) <= lg["timestamp"] < T0 + timedelta(hours=h + 1)
        )  # type: ignore[operator]
        for h in range(5)
    ]
    by_hand = Tally()
    for lg in logs:
        by_hand.add(int(lg["status"]), float(lg["latencyMs"]), lg["errorCode"])  # type: ignore[arg-type]
    assert out["totals"] == by_hand.to_api()
    daily = summarise(rollups_of(logs), start, end, "day")
    assert len(daily["series"]) == 1 and daily["series"][0]["requests"] == 2_000
    # the day rollups say the same as the hours they add up
    days = [r for r in with_days(rollups_of(logs)) if r.span == "day"]
    assert summarise(days, start, end, "day")["totals"] == out["totals"]
    assert isinstance(rollups_of(logs)[0], Rollup)


def test_ranges_are_widened_to_whole_hours_or_days() -> None:
    assert whole(T0 + timedelta(minutes=5), T0 + timedelta(minutes=6), "hour") == (
        T0,
        T0 + timedelta(hours=1),
    )
    assert whole(T0, T0 + timedelta(hours=2), "hour") == (T0, T0 + timedelta(hours=2))
    midnight = T0.replace(hour=0)
    assert whole(T0, T0 + timedelta(days=2), "day") == (midnight, midnight + timedelta(days=3))
    assert whole(midnight, midnight + timedelta(days=1), "day") == (
        midnight,
        midnight + timedelta(days=1),
    )
