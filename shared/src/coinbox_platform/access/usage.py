"""Usage analytics from hourly rollups (docs/product.md §4.4, docs/scaling.md "Usage").

`GET /v1/api-keys/{id}/usage` used to scan the key's request logs: at an enterprise key's
100,000 requests a day, a 30-day question read 3 million documents. Now every batch of request
logs (requestlog.py) also folds its requests into rollup documents per key, one for the hour
(`apiUsageRollups/{keyId}:h:{YYYYMMDDHH}`) and one for the UTC day (`{keyId}:d:{YYYYMMDD}`),
with server-side increments in the SAME commit as the logs. An hourly question reads the hour
rollups (at most 24 a day of range), a daily one the day rollups (31 for 30 days), whatever the
traffic.

A rollup holds, for the hour and for each route: requests, requests per status class,
rate-limit refusals, and a latency histogram in log-spaced buckets (each 5 % wider than the
last, from 0.01 ms). Counts are exact. Percentiles are nearest-rank over the histogram and
reported as the upper edge of the bucket holding that rank: never below the exact value and at
most 5 % above it.

Exactly once: a commit that fails ambiguously (a timeout after the server applied it) is
retried, and increments must not count twice. So each batch also creates a marker document
`apiUsageBatches/{batchId}` with an exists=false precondition: a retry of an applied batch fails
on the marker, and the whole retried commit (logs, rollups, marker) is rejected.

Ranges are whole buckets of the granularity: `from` is rounded down and `to` up to the hour
(or the UTC day); the response says which range it counted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from coinbox_platform import retention, store
from coinbox_platform.clock import iso

ROLLUPS = "apiUsageRollups"
BATCHES = "apiUsageBatches"
GRANULARITY = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_RANGE = {"hour": timedelta(days=31), "day": timedelta(days=90)}
BUCKET_BASE_MS = 0.01
BUCKET_GROWTH = 1.05
CLASSES = ("2xx", "3xx", "4xx", "5xx")


# --- latency buckets ------------------------------------------------------------------------


def bucket_of(latency_ms: float) -> int:
    """The histogram bucket of a latency: bucket b holds (edge(b-1), edge(b)]."""
    if latency_ms <= BUCKET_BASE_MS:
        return 0
    b = math.ceil(math.log(latency_ms / BUCKET_BASE_MS) / math.log(BUCKET_GROWTH) - 1e-9)
    while bucket_edge(b) < latency_ms:  # floating point at an edge
        b += 1
    return b


def bucket_edge(b: int) -> float:
    """The upper edge (ms) of bucket b: what a percentile in that bucket is reported as."""
    return BUCKET_BASE_MS * BUCKET_GROWTH**b


def reported(latency_ms: float) -> float:
    """How a latency is reported once it has gone through the histogram."""
    return round(bucket_edge(bucket_of(latency_ms)), 2)


# --- tallies --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Requests, per status class, rate-limit refusals and the latency histogram."""

    requests: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    latency: Counter[int] = field(default_factory=Counter)  # bucket -> requests

    def add(self, status: int, latency_ms: float, code: str | None) -> None:
        self.requests += 1
        self.classes[f"{status // 100}xx"] += 1
        if status == 429 and code in (None, "rate_limited"):
            self.rate_limited += 1
        self.latency[bucket_of(latency_ms)] += 1

    def merge(self, other: Tally) -> None:
        self.requests += other.requests
        self.classes.update(other.classes)
        self.rate_limited += other.rate_limited
        self.latency.update(other.latency)

    def percentile(self, p: float) -> float | None:
        """Nearest rank over the histogram; the upper edge of the bucket holding it."""
        if not self.requests:
            return None
        rank = max(1, math.ceil(p / 100 * self.requests))
        seen = 0
        for b in sorted(self.latency):
            seen += self.latency[b]
            if seen >= rank:
                return round(bucket_edge(b), 2)
        return None

    def to_api(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "byStatusClass": {c: self.classes.get(c, 0) for c in CLASSES},
            "rateLimited": self.rate_limited,
            "latencyMs": {"p50": self.percentile(50), "p95": self.percentile(95)},
        }

    # stored form: {"requests", "classes": {"2xx": n}, "rateLimited", "latency": {"b37": n}}
    def to_doc(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "classes": dict(self.classes),
            "rateLimited": self.rate_limited,
            "latency": {f"b{b}": n for b, n in self.latency.items()},
        }

    @classmethod
    def from_doc(cls, d: Mapping[str, Any]) -> Tally:
        return cls(
            requests=int(d.get("requests", 0)),
            classes=Counter({k: int(v) for k, v in (d.get("classes") or {}).items()}),
            rate_limited=int(d.get("rateLimited", 0)),
            latency=Counter({int(k[1:]): int(v) for k, v in (d.get("latency") or {}).items()}),
        )


@dataclass
class Rollup:
    """One key's hour or UTC day (`span`): the totals and one tally per route ("GET /v1/me")."""

    key_id: str
    start: datetime
    span: str = "hour"
    total: Tally = field(default_factory=Tally)
    routes: dict[str, Tally] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return rollup_id(self.key_id, self.start, self.span)

    def merge(self, other: Rollup) -> None:
        self.total.merge(other.total)
        for route, t in other.routes.items():
            self.routes.setdefault(route, Tally()).merge(t)

    def add(self, log: Mapping[str, Any]) -> None:
        status, latency = int(log["status"]), float(log.get("latencyMs") or 0.0)
        code = log.get("errorCode")
        self.total.add(status, latency, code)
        route = f"{log.get('method')} {log.get('route')}"
        self.routes.setdefault(route, Tally()).add(status, latency, code)


def hour_of(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def rollup_id(key_id: str, start: datetime, span: str = "hour") -> str:
    return f"{key_id}:h:{start:%Y%m%d%H}" if span == "hour" else f"{key_id}:d:{start:%Y%m%d}"


def rollups_of(logs: Iterable[Mapping[str, Any]]) -> list[Rollup]:
    """The request logs of API keys, folded per key and hour (session traffic has no key)."""
    out: dict[tuple[str, datetime], Rollup] = {}
    for log in logs:
        key_id = log.get("keyId")
        if not key_id:
            continue
        hour = hour_of(log["timestamp"])
        out.setdefault((key_id, hour), Rollup(key_id, hour)).add(log)
    return list(out.values())


def with_days(hours: Iterable[Rollup]) -> list[Rollup]:
    """Hour rollups and the day rollups they add up to."""
    out = list(hours)
    days: dict[tuple[str, datetime], Rollup] = {}
    for r in out:
        start = floor_to(r.start, "day")
        days.setdefault((r.key_id, start), Rollup(r.key_id, start, "day")).merge(r)
    return out + list(days.values())


def to_doc(r: Rollup, count: Any = int) -> dict[str, Any]:
    """A rollup as stored; `count` wraps every count (an increment when staged)."""

    def wrap(value: Any) -> Any:
        return {k: wrap(v) for k, v in value.items()} if isinstance(value, dict) else count(value)

    return {
        "keyId": r.key_id,
        "span": r.span,
        "start": r.start,
        "expireAt": retention.expire_at(ROLLUPS, r.start),
        **wrap(r.total.to_doc()),
        "routes": {route: wrap(t.to_doc()) for route, t in r.routes.items()},
    }


def stage(batch: Any, logs: list[Mapping[str, Any]], batch_id: str) -> None:
    """Add to a write batch: one increment per rollup touched by `logs`, and the batch's
    marker (so the commit applies once, see the module docstring)."""
    from google.cloud.firestore import Increment

    db = store.db()
    for r in with_days(rollups_of(logs)):
        batch.set(db.collection(ROLLUPS).document(r.doc_id), to_doc(r, Increment), merge=True)
    marker = {"logs": len(logs), "expireAt": retention.expire_at(BATCHES, datetime.now(UTC))}
    batch.create(db.collection(BATCHES).document(batch_id), marker)


# --- the usage endpoint ---------------------------------------------------------------------


def floor_to(t: datetime, granularity: str) -> datetime:
    t = hour_of(t)
    return t.replace(hour=0) if granularity == "day" else t


def whole(start: datetime, end: datetime, granularity: str) -> tuple[datetime, datetime]:
    """[start, end) widened to whole hours or whole UTC days."""
    s, e = floor_to(start, granularity), floor_to(end, granularity)
    return s, (e if e == end.astimezone(UTC) else e + GRANULARITY[granularity])


def summarise(
    rollups: Iterable[Rollup], start: datetime, end: datetime, granularity: str
) -> dict[str, Any]:
    """Totals, per route and per time bucket (every bucket of [start, end), zeros included)."""
    step = GRANULARITY[granularity]
    total = Tally()
    routes: dict[str, Tally] = {}
    series: dict[datetime, Tally] = {}
    b = floor_to(start, granularity)
    while b < end:
        series[b] = Tally()
        b += step
    for r in rollups:
        total.merge(r.total)
        for route, t in r.routes.items():
            routes.setdefault(route, Tally()).merge(t)
        series.setdefault(floor_to(r.start, granularity), Tally()).merge(r.total)
    return {
        "totals": total.to_api(),
        "byRoute": [
            {"route": route, **t.to_api()}
            for route, t in sorted(routes.items(), key=lambda kv: (-kv[1].requests, kv[0]))
        ],
        "series": [
            {"start": iso(s), "end": iso(s + step), **t.to_api()} for s, t in sorted(series.items())
        ],
    }


def read_rollups(key_id: str, start: datetime, end: datetime, span: str = "hour") -> list[Rollup]:
    """The key's `span` rollups starting in [start, end): one indexed query."""
    from google.cloud.firestore import FieldFilter

    q = (
        store.db()
        .collection(ROLLUPS)
        .where(filter=FieldFilter("keyId", "==", key_id))
        .where(filter=FieldFilter("span", "==", span))
        .where(filter=FieldFilter("start", ">=", start))
        .where(filter=FieldFilter("start", "<", end))
    )
    out = []
    for snap in q.stream():
        d = snap.to_dict() or {}
        routes = {route: Tally.from_doc(t) for route, t in (d.get("routes") or {}).items()}
        out.append(Rollup(key_id, d["start"], span, Tally.from_doc(d), routes))
    return out


def usage(key_id: str, start: datetime, end: datetime, granularity: str) -> dict[str, Any]:
    """Usage of one key over the whole hours (or UTC days) covering [start, end)."""
    s, e = whole(start, end, granularity)
    return {
        "object": "api_key_usage",
        "keyId": key_id,
        "from": iso(s),
        "to": iso(e),
        "granularity": granularity,
        **summarise(read_rollups(key_id, s, e, granularity), s, e, granularity),
    }
