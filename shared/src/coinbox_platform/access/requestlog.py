"""Request logs and usage analytics (docs/product.md §4.4).

Every request the API answers by a known caller becomes one `apiRequestLogs/{requestId}`
document, kept 90 days through a TTL policy on `expireAt`. The pipeline's outcome sink does
not write it on the request path: `record` puts it in the instance's buffer and a background
thread commits the buffer in batches (one commit of up to BATCH_MAX documents, at the latest
FLUSH_INTERVAL seconds after the first one was buffered; at exit the rest). So a request costs
no log write of its own, and an instance writes its logs at one commit per batch. The buffer is
bounded (BUFFER_MAX): when the store cannot keep up, the request that finds it full commits a
batch itself (back-pressure, never a dropped log). A log is readable at most about
FLUSH_INTERVAL (plus a commit) after its response; an instance killed without warning loses
at most the logs of its last interval (docs/scaling.md).

Usage for a key is computed from those documents: exact counts, exact percentiles (nearest
rank), no sampling. One indexed query per call (keyId, timestamp), reading only the fields it
needs.
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from coinbox_platform import retention, store
from coinbox_platform.clock import iso

if TYPE_CHECKING:
    from coinbox_platform.api.call import Outcome

REQUEST_LOGS = "apiRequestLogs"
RETENTION = retention.RETENTION[REQUEST_LOGS]  # 90 days (retention.py)
BATCH_MAX = 400  # documents per commit (Firestore allows 500 writes per commit)
BUFFER_MAX = 4000  # buffered documents before a request commits a batch itself
FLUSH_INTERVAL = 0.2  # seconds from the first buffered log to its commit
GRANULARITY = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_RANGE = {"hour": timedelta(days=31), "day": timedelta(days=90)}


def log_document(o: Outcome, limiter_ops: int | None = None) -> dict[str, Any]:
    p = o.principal
    return {
        "requestId": o.request_id,
        "keyId": p.key_id if p is not None else None,
        "userId": p.user.id if p is not None else None,
        "method": o.method,
        "route": o.route,
        "status": o.status,
        "errorCode": o.error_code,
        "latencyMs": round(o.latency_ms, 3),
        "ip": o.ip,
        "userAgent": (o.user_agent or "")[:512] or None,
        "timestamp": o.timestamp,
        "expireAt": retention.expire_at(REQUEST_LOGS, o.timestamp),
        # Firestore operations the rate limiter spent on this request (claims, lookups,
        # hand-backs): what the benchmark reports as the cost of limiting.
        "limiterOps": limiter_ops,
    }


def record(o: Outcome) -> None:
    """The outcome sink: buffer the request's log document (its id is the request id)."""
    from flask import g, has_request_context

    ops = g.get("coinbox_limiter_ops") if has_request_context() else None
    BUFFER.add(o.request_id, log_document(o, ops))


def flush() -> None:
    """Commit every buffered log now (tests, benchmarks, shutdown)."""
    BUFFER.flush()


log = logging.getLogger(__name__)


class LogBuffer:
    """The instance's buffered log documents and the thread that commits them."""

    def __init__(self) -> None:
        self._docs: list[tuple[str, dict[str, Any]]] = []
        self._first_at = 0.0
        self._cond = threading.Condition()
        self._commit_lock = threading.Lock()  # one commit at a time, in buffer order
        self._thread: threading.Thread | None = None

    def add(self, doc_id: str, doc: dict[str, Any]) -> None:
        with self._cond:
            if not self._docs:
                self._first_at = time.monotonic()
            self._docs.append((doc_id, doc))
            full = len(self._docs) >= BUFFER_MAX
            self._ensure_thread()
            if len(self._docs) >= BATCH_MAX or len(self._docs) == 1:
                self._cond.notify()
        if full:  # back-pressure: the store is behind; this request helps instead of dropping
            self.flush()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="requestlog", daemon=True)
            self._thread.start()

    def _take(self) -> list[tuple[str, dict[str, Any]]]:
        batch, self._docs = self._docs[:BATCH_MAX], self._docs[BATCH_MAX:]
        if self._docs:
            self._first_at = time.monotonic()
        return batch

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._docs:
                    self._cond.wait()
                due = self._first_at + FLUSH_INTERVAL
                while len(self._docs) < BATCH_MAX and time.monotonic() < due:
                    self._cond.wait(max(0.0, due - time.monotonic()))
            self._commit_some()

    def _commit_some(self) -> None:
        with self._commit_lock:
            with self._cond:
                batch = self._take()
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        for attempt in range(5):
            try:
                wb = store.db().batch()
                col = store.db().collection(REQUEST_LOGS)
                for doc_id, doc in batch:
                    wb.set(col.document(doc_id), doc)  # idempotent: a retried commit rewrites
                wb.commit(timeout=10)
                return
            except Exception:
                if attempt == 4:
                    log.exception("request logs: %d documents could not be written", len(batch))
                    return
                time.sleep(0.1 * 2**attempt)

    def flush(self) -> None:
        while True:
            with self._cond:
                if not self._docs:
                    break
            self._commit_some()
        with self._commit_lock:  # wait for a commit the thread had in flight
            pass


BUFFER = LogBuffer()
atexit.register(flush)


# --- usage --------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def counted_percentile(counts: Counter[int], total: int, p: float) -> float | None:
    """Nearest-rank percentile of values kept as a histogram {hundredths: count}."""
    if not total:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value / 100
    return None


@dataclass
class Tally:
    """Counts and a latency histogram in hundredths of a millisecond (what the API reports):
    memory grows with the distinct latencies, never with the number of logs read, and the
    percentiles are exact at the reported precision (rounding is monotonic)."""

    requests: int = 0
    by_class: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    latencies: Counter[int] = field(default_factory=Counter)

    def add(self, status: int, latency: float, code: str | None) -> None:
        self.requests += 1
        self.by_class[f"{status // 100}xx"] += 1
        if status == 429 and code in (None, "rate_limited"):
            self.rate_limited += 1
        self.latencies[round(round(latency, 2) * 100)] += 1

    def to_api(self) -> dict[str, Any]:
        p50 = counted_percentile(self.latencies, self.requests, 50)
        p95 = counted_percentile(self.latencies, self.requests, 95)
        return {
            "requests": self.requests,
            "byStatusClass": {c: self.by_class.get(c, 0) for c in ("2xx", "3xx", "4xx", "5xx")},
            "rateLimited": self.rate_limited,
            "latencyMs": {
                "p50": round(p50, 2) if p50 is not None else None,
                "p95": round(p95, 2) if p95 is not None else None,
            },
        }


def floor_to(t: datetime, granularity: str) -> datetime:
    t = t.astimezone(UTC)
    if granularity == "day":
        return t.replace(hour=0, minute=0, second=0, microsecond=0)
    return t.replace(minute=0, second=0, microsecond=0)


def summarise(
    rows: Iterable[dict[str, Any]], start: datetime, end: datetime, granularity: str
) -> dict[str, Any]:
    """Totals, per route and per time bucket (every bucket of [start, end), zeros included)."""
    step = GRANULARITY[granularity]
    total = Tally()
    routes: dict[str, Tally] = defaultdict(Tally)
    series: dict[datetime, Tally] = {}
    b = floor_to(start, granularity)
    while b < end:
        series[b] = Tally()
        b += step
    for row in rows:
        status, latency = int(row["status"]), float(row.get("latencyMs") or 0.0)
        code = row.get("errorCode")
        total.add(status, latency, code)
        routes[f"{row.get('method')} {row.get('route')}"].add(status, latency, code)
        bucket = floor_to(row["timestamp"], granularity)
        series.setdefault(bucket, Tally()).add(status, latency, code)
    return {
        "totals": total.to_api(),
        "byRoute": [
            {"route": r, **t.to_api()}
            for r, t in sorted(routes.items(), key=lambda kv: (-kv[1].requests, kv[0]))
        ],
        "series": [
            {"start": iso(s), "end": iso(s + step), **t.to_api()} for s, t in sorted(series.items())
        ],
    }


def usage(key_id: str, start: datetime, end: datetime, granularity: str) -> dict[str, Any]:
    """Usage of one key in [start, end), from its request logs."""
    from google.cloud.firestore import FieldFilter

    q = (
        store.db()
        .collection(REQUEST_LOGS)
        .where(filter=FieldFilter("keyId", "==", key_id))
        .where(filter=FieldFilter("timestamp", ">=", start))
        .where(filter=FieldFilter("timestamp", "<", end))
        .order_by("timestamp")
        .select(["method", "route", "status", "errorCode", "latencyMs", "timestamp"])
    )
    rows = (snap.to_dict() or {} for snap in q.stream())
    return {
        "object": "api_key_usage",
        "keyId": key_id,
        "from": iso(start),
        "to": iso(end),
        "granularity": granularity,
        **summarise(rows, start, end, granularity),
    }
