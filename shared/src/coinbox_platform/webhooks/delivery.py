"""Delivering events: one `webhookDeliveries/{whd_…}` per (event, subscription) (docs/product.md
§5.3).

A delivery is worked by the task-queue function `deliverwebhook` calling `deliver(id)`:

1. **claim** (transaction on the delivery alone): skip it if it is finished or another task
   holds its lease; if its next attempt is due within MAX_INLINE_WAIT, take a lease (and wait
   out the rest in the task); if it is due later, enqueue a task for then and stop. Cloud Tasks
   honours schedule delays, so in production a task arrives on time and waits ~0 s; the Tasks
   emulator ignores delays, and the inline wait is what makes the schedule real there too.
2. **attempt**: check the URL again (SSRF guard, resolved address pinned), sign with every
   live secret (Standard Webhooks), POST with a 15 s timeout.
3. **finish** (transaction on the delivery, checked against the lease): log the attempt (time,
   status code, latency, first 1 KB of the response, error) and either succeed, fail for good
   (attempts exhausted, or 410 Gone) or schedule the next attempt after exponential backoff
   with jitter (no sooner than a 429/503 Retry-After) and enqueue it with that delay.
4. **endpoint health** (plain writes, no transaction, so that many deliveries to one endpoint
   do not contend): a success resets `consecutiveFailures`; a delivery that fails for good
   increments it; at DISABLE_AFTER, or at once on 410, the subscription is disabled and its
   owner gets a `webhook.endpoint_disabled` event and an inbox message.

Delivery is at least once and unordered. Duplicate tasks are harmless (the lease and the
status make `deliver` idempotent); a task lost between two steps leaves the delivery pending,
and `sweep` (run on a schedule) enqueues every pending delivery whose attempt is overdue.
"""

from __future__ import annotations

import json
import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import iso, utcnow
from coinbox_platform.config import settings
from coinbox_platform.domain.models import Document
from coinbox_platform.errors import Conflict, FieldError, InvalidRequest, NotFound
from coinbox_platform.tasks import TaskPayload, TaskQueue, prefixed
from coinbox_platform.webhooks import (
    WEBHOOK_DELIVERIES,
    WEBHOOK_EVENTS,
    WEBHOOK_SUBSCRIPTIONS,
    catalog,
    encryption,
    signing,
    subscriptions,
    urls,
)
from coinbox_platform.webhooks.event import (
    Event,
    derived_id,
    events_collection,
    new_event,
)
from coinbox_platform.webhooks.subscriptions import Subscription, SubscriptionStatus

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, Transaction

log = logging.getLogger("coinbox.webhooks.delivery")

REQUEST_TIMEOUT = 15.0
RESPONSE_EXCERPT = 1024
MAX_INLINE_WAIT = 30.0  # seconds a task waits for its attempt instead of re-enqueueing
LEASE = timedelta(seconds=90)  # > inline wait + timeout: a live attempt keeps its lease
MAX_RETRY_AFTER = 24 * 3600
MAX_LOGGED_ATTEMPTS = 50
SUCCESS_WRITE_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with ±10 % jitter: attempt n+1 comes base·factorⁿ⁻¹ (≤ cap) after
    attempt n. Production: 8 attempts, 30 s · 4ⁿ capped at 10 h → about 21 h in all."""

    base: float
    factor: float
    cap: float
    max_attempts: int
    disable_after: int = 10  # consecutive deliveries failed for good

    def delay(self, attempts_made: int, rng: Callable[[], float] = random.random) -> float:
        raw = min(self.cap, self.base * self.factor ** (attempts_made - 1))
        return raw * (0.9 + 0.2 * rng())


PRODUCTION = RetryPolicy(base=30, factor=4, cap=36_000, max_attempts=8)
EMULATOR = RetryPolicy(base=0.25, factor=2, cap=2.0, max_attempts=8)


@cache
def policy() -> RetryPolicy:
    """From COINBOX_WEBHOOK_RETRY="base,factor,cap,max_attempts[,disable_after]" (seconds);
    default production, or seconds-scale under the emulator."""
    raw = settings().webhook_retry
    if raw:
        parts = [float(p) for p in raw.split(",")]
        return RetryPolicy(
            parts[0], parts[1], parts[2], int(parts[3]), int(parts[4]) if len(parts) > 4 else 10
        )
    return EMULATOR if settings().emulated else PRODUCTION


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Delivery(Document):
    object_name: ClassVar[str] = "webhook_delivery"
    collection: ClassVar[str] = WEBHOOK_DELIVERIES
    event_id: str
    event_type: str
    subscription_id: str
    user_id: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempt_count: int = 0
    max_attempts: int
    attempts: list[dict[str, Any]] = []
    next_attempt_at: datetime
    lease_until: datetime | None = None
    lease_token: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    last_delay_seconds: float | None = None
    created_at: datetime
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    expire_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        out = super().to_api()
        for key in ("leaseUntil", "leaseToken", "expireAt"):
            out.pop(key, None)
        out["attempts"] = [
            {**a, "at": iso(a["at"]) if isinstance(a.get("at"), datetime) else a.get("at")}
            for a in self.attempts
        ]
        return out


def collection() -> CollectionReference:
    return store.db().collection(WEBHOOK_DELIVERIES)


def endpoint_deliveries(subscription_id: str, status: str | None = None) -> store.Listing:
    """One endpoint's deliveries, newest first (GET /v1/webhooks/{id}/deliveries). The
    caller's ownership of the endpoint is checked before (`owned_subscription`); the list
    belongs to the endpoint."""
    return store.owned(WEBHOOK_DELIVERIES, "subscriptionId", subscription_id).where(
        "status", "==", status or None
    )


def new_delivery(event: Event, sub: Subscription, *, now: datetime) -> Delivery:
    return Delivery(
        id=derived_id("whd", event.id, sub.id),
        event_id=event.id,
        event_type=event.type,
        subscription_id=sub.id,
        user_id=sub.user_id,
        max_attempts=policy().max_attempts,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
        expire_at=now + catalog.EVENT_RETENTION,
    )


def get_delivery(delivery_id: str) -> Delivery | None:
    return Delivery.fetch(delivery_id)


class DeliveryTask(TaskPayload):
    delivery_id: Annotated[str, prefixed("whd")]
    # Hints, when the enqueuer knows them: the delivery's endpoint and event are then read in
    # the same round trip as the delivery (checked against it; a wrong hint costs a read).
    subscription_id: str | None = None
    event_id: str | None = None


def _delivery_task(task: DeliveryTask) -> str:
    hint = (task.subscription_id, task.event_id) if task.subscription_id and task.event_id else None
    return f"{task.delivery_id} {deliver(task.delivery_id, hint=hint)}"


DELIVER = TaskQueue("deliverwebhook", DeliveryTask, _delivery_task)
"""Queue `deliverwebhook` (functions/tasks/webhooks.py): one attempt of one delivery. The retry
schedule is ours (recorded on the delivery), so a handled failure acknowledges the task."""


def enqueue_attempt(
    delivery_id: str, delay_seconds: float = 0, *, hint: tuple[str, str] | None = None
) -> bool:
    """Ask the task queue to work the delivery (`hint`: its subscription and event ids, when
    the caller knows them, so the task reads them with the delivery). A failure is logged, not
    raised: the delivery stays pending and `sweep` enqueues it later."""
    sub_id, event_id_ = hint if hint is not None else (None, None)
    try:
        DELIVER.enqueue(
            DeliveryTask(delivery_id=delivery_id, subscription_id=sub_id, event_id=event_id_),
            delay_seconds=math.ceil(delay_seconds),
        )
    except Exception:
        log.exception("could not enqueue %s; the sweeper will", delivery_id)
        return False
    return True


def unattempted_for_event(event_id: str) -> list[str]:
    query = (
        collection()
        .where(filter=FieldFilter("eventId", "==", event_id))
        .where(filter=FieldFilter("status", "==", DeliveryStatus.PENDING.value))
        .where(filter=FieldFilter("attemptCount", "==", 0))
    )
    return [s.id for s in query.stream()]


# --- emitting: an event and its deliveries, atomically -----------------------------------------


@dataclass
class Emitted:
    event: Event
    created: bool  # False: it had been emitted before
    delivery_ids: list[str] = field(default_factory=list)


def emit(event: Event, *, enqueue: bool = True, only_subscription: str | None = None) -> Emitted:
    """Store the event and its deliveries atomically, then enqueue the deliveries.

    `only_subscription` sends the event to that subscription alone (a test event)."""
    from google.api_core.exceptions import AlreadyExists

    if only_subscription is not None:
        sub = subscriptions.get_subscription(only_subscription)
        subs = [sub] if sub is not None else []
    else:
        subs = subscriptions.active_for(event.user_ids, event.type)
    deliveries = [new_delivery(event, sub, now=event.created_at) for sub in subs]
    # At most 2 recipients x 20 endpoints: well within one batch's 500 writes.
    db = store.db()
    batch = db.batch()
    batch.create(db.collection(WEBHOOK_EVENTS).document(event.id), event.to_doc())
    for d in deliveries:
        batch.create(collection().document(d.id), d.to_doc())
    try:
        batch.commit()
    except AlreadyExists:
        # Emitted before: its deliveries were committed with it. Re-enqueue those never
        # attempted (the first run may have crashed before enqueueing them).
        pending = unattempted_for_event(event.id)
        if enqueue:
            for delivery_id in pending:
                enqueue_attempt(delivery_id)
        return Emitted(event, created=False, delivery_ids=pending)
    ids = [d.id for d in deliveries]
    if enqueue:
        for d in deliveries:
            enqueue_attempt(d.id, hint=(d.subscription_id, d.event_id))
    return Emitted(event, created=True, delivery_ids=ids)


# --- one attempt -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    latency_ms: float
    response: str | None
    error: str | None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


_pools: dict[tuple[str, str, int, str], Any] = {}
_pools_lock = threading.Lock()


def _pool(target: urls.Target) -> Any:
    """A keep-alive connection pool to the vetted address (not a fresh DNS lookup)."""
    import urllib3

    address = target.addresses[0]
    key = (target.scheme, address, target.port, target.host)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            if target.scheme == "https":
                import certifi

                pool = urllib3.HTTPSConnectionPool(
                    address,
                    target.port,
                    maxsize=8,
                    server_hostname=target.host,
                    assert_hostname=target.host,
                    cert_reqs="CERT_REQUIRED",
                    ca_certs=certifi.where(),
                )
            else:
                pool = urllib3.HTTPConnectionPool(address, target.port, maxsize=8)
            _pools[key] = pool
    return pool


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def send(sub: Subscription, event: Event, body: bytes, now: datetime) -> AttemptResult:
    """POST one signed attempt; never raises for the receiver's faults."""
    import urllib3

    try:
        target = urls.check_url(sub.url, sandbox=settings().sandbox, local_only=settings().emulated)
    except urls.UnsafeUrl as exc:
        return AttemptResult(None, 0.0, None, f"unsafe_url: {exc.detail}")
    headers = signing.headers(
        sub.signing_secrets(now), event.id, int(time.time()), body, event.type
    ) | {"Host": target.host_header}
    started = time.perf_counter()
    try:
        resp = _pool(target).urlopen(
            "POST",
            target.path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            timeout=urllib3.Timeout(total=REQUEST_TIMEOUT),
        )
        try:
            excerpt = resp.read(RESPONSE_EXCERPT, decode_content=True)
            rest = resp.read(64 * 1024)  # small remainders are drained to keep the connection
            reusable = len(rest) < 64 * 1024
        finally:
            if "reusable" in locals() and reusable:
                resp.release_conn()
            else:
                resp.close()
        latency = (time.perf_counter() - started) * 1000
        retry_after = (
            parse_retry_after(resp.headers.get("Retry-After"), utcnow())
            if resp.status in (429, 503)
            else None
        )
        return AttemptResult(
            resp.status,
            latency,
            excerpt[:RESPONSE_EXCERPT].decode("utf-8", "replace"),
            None if 200 <= resp.status < 300 else f"HTTP {resp.status}",
            retry_after,
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        latency = (time.perf_counter() - started) * 1000
        kind = "timeout" if "timed out" in str(exc).lower() else type(exc).__name__
        return AttemptResult(None, latency, None, f"{kind}: {str(exc)[:300]}")


# --- the task --------------------------------------------------------------------------------


def deliver(
    delivery_id: str,
    *,
    hint: tuple[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Work one delivery (the task-queue handler). Returns what happened, for logs and tests:
    missing, done, leased, early, skipped, stale, succeeded, failed, retrying.

    Three Firestore round trips on the common path, none of them a transaction: read the
    delivery (with its endpoint and event when the task carries their ids as a `hint`); lease
    it with a write conditional on the delivery as read (exactly one of two concurrent tasks
    wins); record the attempt with a write conditional on our lease write (if anything else
    touched the delivery meanwhile, the attempt is recorded by the transactional path instead,
    which re-reads it). Without a hint, or a wrong one, the endpoint and event are one more
    read."""
    from google.api_core import exceptions as gexc

    encryption.check_key()  # signing needs it: fail before leasing, not after
    db = store.db()
    ref = collection().document(delivery_id)
    token = secrets.token_hex(8)
    subs, events = subscriptions.collection(), events_collection()
    wanted = [ref]
    if hint is not None:
        wanted += [subs.document(hint[0]), events.document(hint[1])]
    found = store.get_all(wanted)
    snap = found[ref.path]
    if not snap.exists:
        return "missing"
    d = Delivery.from_doc(snap.id, snap.to_dict() or {})
    now = utcnow()
    if d.status != DeliveryStatus.PENDING:
        return "done"
    if d.lease_until and d.lease_until > now:
        return "leased"
    wait = (d.next_attempt_at - now).total_seconds()
    if wait > MAX_INLINE_WAIT:
        enqueue_attempt(delivery_id, wait)
        return "early"
    wait = max(0.0, wait)
    lease = {"leaseUntil": now + timedelta(seconds=wait) + LEASE, "leaseToken": token}
    try:
        leased = ref.update(lease, option=db.write_option(last_update_time=snap.update_time))
    except (gexc.FailedPrecondition, gexc.NotFound):
        return "leased"  # another task (or a requeue) changed it first; that one carries on
    if wait > 0:
        sleep(wait)
    if hint != (d.subscription_id, d.event_id):
        found = store.get_all([subs.document(d.subscription_id), events.document(d.event_id)])
    sub_snap = found.get(subs.document(d.subscription_id).path)
    event_snap = found.get(events.document(d.event_id).path)
    sub = (
        Subscription.from_doc(d.subscription_id, sub_snap.to_dict() or {})
        if sub_snap is not None and sub_snap.exists
        else None
    )
    event = (
        Event.from_doc(d.event_id, event_snap.to_dict() or {})
        if event_snap is not None and event_snap.exists
        else None
    )
    if sub is None or sub.status != SubscriptionStatus.ACTIVE or event is None:
        reason = (
            "event_expired"
            if event is None
            else "endpoint_deleted"
            if sub is None
            else f"endpoint_{sub.status.value}"
        )
        _finish_without_attempt(ref, token, reason)
        return "skipped"
    now = utcnow()
    body = json.dumps(event.for_user(d.user_id), separators=(",", ":"), ensure_ascii=False)
    result = send(sub, event, body.encode(), now)
    held = d.model_copy(update={"lease_until": lease["leaseUntil"], "lease_token": token})
    return _record(ref, token, sub, result, utcnow(), known=(held, leased.update_time))


def _finish_without_attempt(ref: Any, token: str, reason: str) -> None:
    def apply(txn: Transaction) -> None:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if data.get("leaseToken") != token or data.get("status") != DeliveryStatus.PENDING:
            return
        now = utcnow()
        txn.update(
            ref,
            {
                "status": DeliveryStatus.FAILED.value,
                "lastError": reason,
                "leaseUntil": None,
                "leaseToken": None,
                "completedAt": now,
                "updatedAt": now,
            },
        )

    store.run_transaction(apply)


def _attempt_changes(
    cur: Delivery, token: str, result: AttemptResult, now: datetime
) -> tuple[str, float, dict[str, Any]] | None:
    """The outcome, the retry delay and the delivery's changes for one attempt by the holder
    of `token`; None when the lease is no longer ours (it expired and another task took over)."""
    if cur.lease_token != token or cur.status != DeliveryStatus.PENDING:
        return None
    n = cur.attempt_count + 1
    attempt: dict[str, Any] = {
        "at": now,
        "number": n,
        "statusCode": result.status_code,
        "latencyMs": round(result.latency_ms, 1),
        "response": result.response,
        "error": result.error,
    }
    changes: dict[str, Any] = {
        "attemptCount": n,
        "leaseUntil": None,
        "leaseToken": None,
        "lastStatusCode": result.status_code,
        "lastError": result.error,
        "updatedAt": now,
    }
    delay = 0.0
    if result.ok:
        outcome = "succeeded"
    elif result.status_code == 410:
        outcome = "gone"
    elif n >= cur.max_attempts:
        outcome = "failed"
    else:
        outcome = "retrying"
        delay = policy().delay(n)
        if result.retry_after is not None:
            delay = max(delay, min(result.retry_after, MAX_RETRY_AFTER))
        attempt["retryInSeconds"] = round(delay, 3)
        changes |= {
            "nextAttemptAt": now + timedelta(seconds=delay),
            "lastDelaySeconds": round(delay, 3),
        }
    if outcome != "retrying":
        status = DeliveryStatus.SUCCEEDED if result.ok else DeliveryStatus.FAILED
        changes |= {"status": status.value, "completedAt": now}
    changes["attempts"] = [*cur.attempts, attempt][-MAX_LOGGED_ATTEMPTS:]
    return outcome, delay, changes


def _record(
    ref: Any,
    token: str,
    sub: Subscription,
    result: AttemptResult,
    now: datetime,
    *,
    known: tuple[Delivery, Any] | None = None,
) -> str:
    """Record the attempt. With `known` (the delivery as our lease wrote it, and that write's
    update time), one write conditional on nothing else having touched it since; otherwise,
    or when that condition fails, a transaction that re-reads it."""
    from google.api_core import exceptions as gexc

    hint = (known[0].subscription_id, known[0].event_id) if known is not None else None

    recorded: tuple[str, float, dict[str, Any]] | None = None
    if known is not None:
        held, stamp = known
        planned = _attempt_changes(held, token, result, now)
        if planned is not None:
            try:
                ref.update(planned[2], option=store.db().write_option(last_update_time=stamp))
                recorded = planned
            except (gexc.FailedPrecondition, gexc.NotFound):
                recorded = None  # changed meanwhile (a requeue, a sweep): decide on a fresh read

    def apply(txn: Transaction) -> tuple[str, float]:
        snap = ref.get(transaction=txn)
        planned = _attempt_changes(
            Delivery.from_doc(snap.id, snap.to_dict() or {}), token, result, now
        )
        if planned is None:
            return "stale", 0.0
        txn.update(ref, planned[2])
        return planned[0], planned[1]

    if recorded is not None:
        outcome, delay = recorded[0], recorded[1]
    else:
        outcome, delay = store.run_transaction(apply)
    if outcome == "retrying":
        enqueue_attempt(ref.id, delay, hint=hint)
    elif outcome == "succeeded":
        _endpoint_succeeded(sub, now)
    elif outcome == "gone":
        _endpoint_failed(sub, now, count=False)
        disable(sub.id, "endpoint_gone", now=now)
        outcome = "failed"
    elif outcome == "failed":
        _endpoint_failed(sub, now, count=True)
    return outcome


# --- endpoint health -------------------------------------------------------------------------


def _endpoint_succeeded(sub: Subscription, now: datetime) -> None:
    # Written at most once a minute per endpoint unless it had failures to reset: a busy
    # endpoint must not turn every delivery into a write on one document.
    if (
        sub.consecutive_failures == 0
        and sub.last_success_at is not None
        and now - sub.last_success_at < SUCCESS_WRITE_INTERVAL
    ):
        return
    ref = subscriptions.collection().document(sub.id)
    try:
        ref.update({"consecutiveFailures": 0, "lastSuccessAt": now})
    except Exception:  # deleted meanwhile
        log.warning("could not record success on %s", sub.id)


def _endpoint_failed(sub: Subscription, now: datetime, *, count: bool) -> None:
    from google.cloud import firestore

    ref = subscriptions.collection().document(sub.id)
    changes: dict[str, Any] = {"lastFailureAt": now}
    if count:
        changes["consecutiveFailures"] = firestore.Increment(1)
    try:
        ref.update(changes)
    except Exception:
        log.warning("could not record failure on %s", sub.id)
        return
    if count:
        data = ref.get().to_dict() or {}
        if int(data.get("consecutiveFailures", 0)) >= policy().disable_after:
            disable(sub.id, "consecutive_failures", now=now)


def disable(sub_id: str, reason: str, *, now: datetime | None = None) -> Subscription | None:
    """Disable an active endpoint; its owner gets a webhook.endpoint_disabled event and an
    inbox message. Returns None if it was not active (someone else disabled it first)."""
    now = now or utcnow()
    ref = subscriptions.collection().document(sub_id)

    def apply(txn: Transaction) -> Subscription | None:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if not snap.exists or data.get("status") != SubscriptionStatus.ACTIVE.value:
            return None
        changes = {
            "status": SubscriptionStatus.DISABLED.value,
            "disabledReason": reason,
            "disabledAt": now,
            "updatedAt": now,
        }
        txn.update(ref, changes)
        return Subscription.from_doc(sub_id, {**data, **changes})

    sub = store.run_transaction(apply)
    if sub is not None:
        notify_disabled(sub, now)
    return sub


def notify_disabled(sub: Subscription, now: datetime) -> None:
    from google.api_core.exceptions import AlreadyExists

    from coinbox_platform.domain.messages import build_message, send_message
    from coinbox_platform.domain.models import Priority

    source = f"{WEBHOOK_SUBSCRIPTIONS}/{sub.id}#disabled:{iso(sub.disabled_at or now)}"
    event = new_event(
        "webhook.endpoint_disabled",
        source=source,
        data={"object": sub.to_api()},
        user_ids=[sub.user_id],
        now=now,
    )
    emit(event)
    why = (
        "it answered 410 Gone"
        if sub.disabled_reason == "endpoint_gone"
        else f"{policy().disable_after} deliveries in a row failed"
    )
    message = build_message(
        sub.user_id,
        "Webhook endpoint disabled",
        f"We stopped sending events to {sub.url[:1500]} because {why}. Fix the endpoint, "
        "set it active again, and use recover to redeliver what it missed.",
        priority=Priority.HIGH,
        now=now,
    ).model_copy(update={"id": derived_id("msg", source)})
    try:
        send_message(message)
    except AlreadyExists:
        pass


# --- operator actions ------------------------------------------------------------------------


def retry_delivery(uid: str, sub_id: str, delivery_id: str) -> Delivery:
    """Send a finished delivery once more (one attempt), now."""
    sub = subscriptions.owned_subscription(uid, sub_id)
    subscriptions.require_active(sub)
    ref = collection().document(delivery_id)

    def apply(txn: Transaction) -> Delivery:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if not snap.exists or data.get("subscriptionId") != sub_id:
            raise NotFound(f"No delivery {delivery_id}.")
        d = Delivery.from_doc(snap.id, data)
        if d.status == DeliveryStatus.PENDING:
            raise Conflict("The delivery is still pending.", code="delivery_pending")
        now = utcnow()
        changes = _requeue_changes(d, now)
        txn.update(ref, changes)
        return Delivery.from_doc(snap.id, {**data, **changes})

    d = store.run_transaction(apply)
    enqueue_attempt(d.id)
    return d


def _requeue_changes(d: Delivery, now: datetime) -> dict[str, Any]:
    return {
        "status": DeliveryStatus.PENDING.value,
        "maxAttempts": d.attempt_count + 1,
        "nextAttemptAt": now,
        "leaseUntil": None,
        "leaseToken": None,
        "completedAt": None,
        "updatedAt": now,
    }


def recover(uid: str, sub_id: str, since: datetime, *, limit: int = 1000) -> int:
    """Redeliver (one attempt each) every failed delivery of the endpoint created since."""
    now = utcnow()
    if since > now or since < now - catalog.EVENT_RETENTION:
        raise InvalidRequest(
            "since must be within the last 30 days.",
            errors=[FieldError("since", "within the last 30 days", "out_of_range")],
        )
    sub = subscriptions.owned_subscription(uid, sub_id)
    subscriptions.require_active(sub)
    query = (
        collection()
        .where(filter=FieldFilter("subscriptionId", "==", sub_id))
        .where(filter=FieldFilter("status", "==", DeliveryStatus.FAILED.value))
        .where(filter=FieldFilter("createdAt", ">=", since))
        .limit(limit)
    )
    ids = []
    for chunk in store.chunked(query.stream(), 400):
        batch = store.db().batch()
        for snap in chunk:
            d = Delivery.from_doc(snap.id, snap.to_dict() or {})
            batch.update(snap.reference, _requeue_changes(d, now))
            ids.append(snap.id)
        batch.commit()
    for delivery_id in ids:
        enqueue_attempt(delivery_id)
    return len(ids)


def send_test_event(uid: str, sub_id: str, event_type: str) -> Delivery:
    """A sample event of `event_type` (the catalog's example) to this endpoint alone."""
    from coinbox_platform.ids import new_id

    sub = subscriptions.owned_subscription(uid, sub_id)
    subscriptions.require_active(sub)
    now = utcnow()
    example = catalog.example_event(event_type)
    event = new_event(
        event_type,
        source=f"test/{sub_id}",
        data=example["data"],
        user_ids=[uid],
        now=now,
        id=new_id("evt"),
        test=True,
    )
    emitted = emit(event, only_subscription=sub_id)
    d = get_delivery(emitted.delivery_ids[0])
    assert d is not None
    return d


def sweep(
    now: datetime | None = None, *, stale_after: timedelta = timedelta(minutes=2), limit: int = 500
) -> int:
    """Enqueue pending deliveries whose attempt is overdue by `stale_after` and that no task
    holds: the ones a crash left behind. Safe to run at any time (duplicates are harmless)."""
    now = now or utcnow()
    query = (
        collection()
        .where(filter=FieldFilter("status", "==", DeliveryStatus.PENDING.value))
        .where(filter=FieldFilter("nextAttemptAt", "<=", now - stale_after))
        .order_by("nextAttemptAt")
        .limit(limit)
    )
    count = 0
    for snap in query.stream():
        lease = (snap.to_dict() or {}).get("leaseUntil")
        if lease is not None and lease > now:
            continue
        count += enqueue_attempt(snap.id)
    return count
