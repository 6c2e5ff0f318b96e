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

Each batch also folds its requests into hourly usage rollups, in the same commit (usage.py):
usage analytics read the rollups, never the logs.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from coinbox_platform import retention, store
from coinbox_platform.access import usage
from coinbox_platform.ids import new_id

if TYPE_CHECKING:
    from coinbox_platform.api.call import Outcome

REQUEST_LOGS = "apiRequestLogs"
RETENTION = retention.RETENTION[REQUEST_LOGS]  # 90 days (retention.py)
BATCH_MAX = 400  # documents per commit (Firestore allows 500 writes per commit)
BUFFER_MAX = 4000  # buffered documents before a request commits a batch itself
FLUSH_INTERVAL = 0.2  # seconds from the first buffered log to its commit


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
        from google.api_core import exceptions as gexc

        batch_id = new_id("ulb")
        for attempt in range(5):
            try:
                wb = store.db().batch()
                col = store.db().collection(REQUEST_LOGS)
                for doc_id, doc in batch:
                    wb.set(col.document(doc_id), doc)
                # The usage rollups, and the marker that makes a retried commit apply once.
                usage.stage(wb, [doc for _, doc in batch], batch_id)
                wb.commit(timeout=10)
                return
            except gexc.AlreadyExists:
                # Only our fresh marker can exist already: an earlier attempt was applied.
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
