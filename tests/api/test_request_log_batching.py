"""Request logs are buffered per instance and committed in batches (requestlog.py, issue 12):
no log write on the request path, every log written once, readable within FLUSH_INTERVAL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from coinbox_platform import store
from coinbox_platform.access import requestlog, usage
from coinbox_platform.api.call import Outcome, Principal
from coinbox_platform.ids import new_id
from tests.support import make_profile

pytestmark = pytest.mark.stack


def _outcome(principal: Principal) -> Outcome:
    return Outcome(
        request_id=new_id("req"),
        route="/v1/me",
        method="GET",
        status=200,
        latency_ms=12.345,
        principal=principal,
        ip="127.0.0.1",
        user_agent="batch-test",
        timestamp=datetime.now(UTC),
    )


def _principal() -> Principal:
    return Principal(user=make_profile(), kind="api_key", key_id=new_id("key"))


def test_logs_are_committed_in_batches_and_none_is_lost() -> None:
    p = _principal()
    key_id = p.key_id
    outcomes = [_outcome(p) for _ in range(450)]
    requestlog.flush()
    with store.counting() as ops:
        started = time.perf_counter()
        for o in outcomes:
            requestlog.record(o)
        on_request_path = time.perf_counter() - started
        writes_on_path = ops.copy()
        requestlog.flush()
        total = ops.copy()
    # recording costs no store operation of its own: the background thread commits
    assert on_request_path < 1.0
    assert writes_on_path.commits <= 2  # at most the batches the thread committed meanwhile
    assert total.commits <= 4  # 400 logs per commit at most
    # each commit: its logs, the key's rollups of the hour and of the day (one more of each
    # if the batch straddles an hour or a day), and the batch's marker (usage.py)
    assert 450 + 3 * total.commits <= total.writes <= 450 + 5 * total.commits
    hour = usage.hour_of(outcomes[0].timestamp)
    rollups = usage.read_rollups(str(key_id), hour, hour + timedelta(hours=2))
    assert sum(r.total.requests for r in rollups) == 450
    ids = {o.request_id for o in outcomes}
    col = store.db().collection(requestlog.REQUEST_LOGS)
    got = {s.id: s.to_dict() or {} for s in store.db().get_all([col.document(i) for i in ids])}
    assert set(got) == ids  # every log, once (its id is the request id)
    assert all(d["keyId"] == key_id and d["latencyMs"] == 12.345 for d in got.values())


def test_a_single_log_is_readable_within_the_flush_interval() -> None:
    o = _outcome(_principal())
    requestlog.record(o)
    ref = store.db().collection(requestlog.REQUEST_LOGS).document(o.request_id)
    deadline = time.monotonic() + requestlog.FLUSH_INTERVAL + 5.0
    while not ref.get().exists:
        assert time.monotonic() < deadline, "a buffered log was never committed"
        time.sleep(0.05)
