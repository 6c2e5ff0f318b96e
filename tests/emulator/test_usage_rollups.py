"""Usage rollups against the Firestore emulator (usage.py): increments add up across batches,
and a retried commit of a batch that was applied counts nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.api_core import exceptions as gexc

from coinbox_platform import store
from coinbox_platform.access import usage
from coinbox_platform.ids import new_id

pytestmark = pytest.mark.emulator

HOUR = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _logs(key: str, n: int, status: int = 200) -> list[dict[str, object]]:
    return [
        {
            "keyId": key,
            "method": "GET",
            "route": "/v1/openapi.json",  # a dot in a route: still one map key
            "status": status,
            "errorCode": None,
            "latencyMs": 5.0 + i,
            "timestamp": HOUR + timedelta(seconds=i),
        }
        for i in range(n)
    ]


def _commit(logs: list[dict[str, object]], batch_id: str) -> None:
    wb = store.db().batch()
    usage.stage(wb, logs, batch_id)
    wb.commit()


def test_batches_add_up_and_a_replayed_batch_is_refused_whole() -> None:
    key = new_id("key")
    first = new_id("ulb")
    _commit(_logs(key, 3), first)
    _commit(_logs(key, 2, status=500), new_id("ulb"))
    with pytest.raises(gexc.AlreadyExists):  # the retry of an applied commit
        _commit(_logs(key, 3), first)

    rollups = usage.read_rollups(key, HOUR, HOUR + timedelta(hours=1))
    assert len(rollups) == 1
    r = rollups[0]
    assert r.total.requests == 5 and r.total.classes == {"2xx": 3, "5xx": 2}
    assert set(r.routes) == {"GET /v1/openapi.json"}
    assert r.routes["GET /v1/openapi.json"].requests == 5
    out = usage.usage(key, HOUR + timedelta(minutes=1), HOUR + timedelta(minutes=2), "hour")
    assert out["from"] == "2026-11-30T09:00:00.000Z" and out["to"] == "2026-11-30T10:00:00.000Z"
    assert out["totals"]["requests"] == 5
    assert out["totals"]["latencyMs"]["p50"] == usage.reported(6.0)  # of 5, 5, 6, 6, 7
    # a daily question over whole days reads the day rollup, and it says the same
    days = usage.read_rollups(
        key, HOUR.replace(hour=0), HOUR.replace(hour=0) + timedelta(days=1), "day"
    )
    assert len(days) == 1 and days[0].total == r.total
    daily = usage.usage(key, HOUR - timedelta(days=2), HOUR + timedelta(days=2), "day")
    assert daily["from"] == "2026-11-28T00:00:00.000Z" and daily["to"] == "2026-12-03T00:00:00.000Z"
    assert daily["totals"] == out["totals"] and len(daily["series"]) == 5
