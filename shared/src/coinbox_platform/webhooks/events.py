"""Domain events: derived from document changes, stored once, fanned out to deliveries.

A Firestore trigger hands `handle_change` the collection, the document id and its data before
and after the write. `transitions` says which event types that change means (a status
transition, or a repayment that increased `repaid`); each gets an id derived from the document
and the transition (`evt_` + hash), so a trigger delivered twice emits the event once.

`emit` writes the event and one delivery per matching active subscription in ONE atomic batch,
then enqueues the deliveries. If the batch finds the event already there (a redelivered
trigger, or a retry after a crash), the deliveries were committed with it; any of them never
attempted is enqueued again (the delivery task is idempotent, so a duplicate task is harmless).
A crash after the commit and before the enqueue leaves deliveries pending; `delivery.sweep`
re-enqueues them. So no event is lost between the domain write and its delivery.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ValidationError

from coinbox_platform import store
from coinbox_platform.clock import iso, utcnow
from coinbox_platform.domain.ledger import platform_wallet_ids
from coinbox_platform.domain.models import (
    CryptoOrder,
    Document,
    Investment,
    LedgerEntry,
    Loan,
    UserProfile,
)
from coinbox_platform.ids import ALPHABET
from coinbox_platform.webhooks import WEBHOOK_EVENTS, catalog

log = logging.getLogger("coinbox.webhooks.events")

LOANS, INVESTMENTS, TRANSACTIONS = store.LOANS, store.INVESTMENTS, store.TRANSACTIONS
CRYPTO_ORDERS, USERS = store.CRYPTO_ORDERS, store.USERS


class Event(Document):
    object_name: ClassVar[str] = "event"
    type: str
    created_at: datetime
    api_version: str = catalog.API_VERSION
    data: dict[str, Any]
    user_ids: list[str]
    source: str | None = None  # "loans/loan_…#status:approved": what emitted it
    test: bool = False
    expire_at: datetime | None = None  # TTL policy on webhookEvents.expireAt

    def for_user(self, uid: str) -> dict[str, Any]:
        """The event as the API and the endpoints of `uid` see it (redacted for them)."""
        return {
            "id": self.id,
            "object": "event",
            "type": self.type,
            "createdAt": iso(self.created_at),
            "apiVersion": self.api_version,
            "userId": uid,
            "data": redact_for(self.data, uid),
        }


# What a recipient who is not the object's owner may not see: an investment's investor, fee
# and expected return are the investor's business (GET /v1/investments/{id} is a 404 for the
# borrower); the borrower gets the event with those fields null.
PRIVATE_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "investment": ("investorId", ("investorId", "fee", "expectedReturn")),
}


def redact_for(data: dict[str, Any], uid: str) -> dict[str, Any]:
    """An event's data as recipient `uid` may see it."""
    obj = data.get("object")
    if not isinstance(obj, dict):
        return data
    rule = PRIVATE_FIELDS.get(str(obj.get("object")))
    if rule is None or obj.get(rule[0]) == uid:
        return data
    return {**data, "object": {**obj, **dict.fromkeys(rule[1])}}


def derived_id(prefix: str, *parts: str) -> str:
    """A deterministic id `prefix_<32 base62>` from its parts (sha-256)."""
    n = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest(), "big")
    body = []
    for _ in range(32):
        n, r = divmod(n, 62)
        body.append(ALPHABET[r])
    return f"{prefix}_" + "".join(body)


def event_id(source: str, event_type: str) -> str:
    return derived_id("evt", source, event_type)


# --- what a change means ---------------------------------------------------------------------

STATUS_EVENTS: dict[str, dict[str, str]] = {
    LOANS: {
        "approved": "loan.approved",
        "rejected": "loan.rejected",
        "disbursed": "loan.disbursed",
        "completed": "loan.completed",
        "cancelled": "loan.cancelled",
        "expired": "loan.expired",
        "defaulted": "loan.defaulted",
    },
    INVESTMENTS: {"completed": "investment.completed", "defaulted": "investment.defaulted"},
    TRANSACTIONS: {"completed": "transaction.completed", "failed": "transaction.failed"},
    CRYPTO_ORDERS: {
        "filled": "crypto.order_filled",
        "cancelled": "crypto.order_cancelled",
        "expired": "crypto.order_expired",
    },
}
CREATED_EVENTS = {
    LOANS: "loan.created",
    INVESTMENTS: "investment.created",
    TRANSACTIONS: "transaction.created",
    CRYPTO_ORDERS: "crypto.order_created",
}
# Amount fields whose increase is an event of its own; the new value keys the transition.
INCREASE_EVENTS = {
    LOANS: ("repaid", "loan.payment_received"),
    INVESTMENTS: ("received", "investment.dividend_paid"),
}
KYC_EVENTS = {"verified": "user.kyc_completed", "rejected": "user.kyc_rejected"}

MODELS: dict[str, type[Document]] = {
    LOANS: Loan,
    INVESTMENTS: Investment,
    TRANSACTIONS: LedgerEntry,
    CRYPTO_ORDERS: CryptoOrder,
    USERS: UserProfile,
}
WATCHED = tuple(MODELS)


def _time_key(value: Any) -> str:
    return iso(value) or "" if isinstance(value, datetime) else str(value or "")


def transitions(
    collection: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str]]:
    """The (event type, transition key) pairs a write means, in the order they happened."""
    if after is None:  # deletions emit nothing
        return []
    out: list[tuple[str, str]] = []
    if collection == USERS:
        old = (before or {}).get("kycStatus") or "pending"
        new = after.get("kycStatus")
        if new != old and new in KYC_EVENTS:
            # KYC may be verified, rejected and verified again: the change's time keys it.
            when = _time_key(after.get("updatedAt") or after.get("createdAt"))
            out.append((KYC_EVENTS[new], f"kyc:{new}:{when}"))
        return out
    if before is None:
        out.append((CREATED_EVENTS[collection], "created"))
    if collection in INCREASE_EVENTS:
        fld, event_type = INCREASE_EVENTS[collection]
        old_amount = int((before or {}).get(fld) or 0)
        new_amount = int(after.get(fld) or 0)
        if new_amount > old_amount:
            out.append((event_type, f"{fld}:{new_amount}"))
    old_status = (before or {}).get("status")
    new_status = after.get("status")
    if new_status != old_status and new_status in STATUS_EVENTS[collection]:
        # The lifecycles never revisit a status, so the target status keys the transition.
        out.append((STATUS_EVENTS[collection][new_status], f"status:{new_status}"))
    return out


def recipients(collection: str, doc_id: str, data: dict[str, Any]) -> list[str]:
    """Every user the object belongs to."""
    users: list[Any]
    if collection == USERS:
        users = [doc_id]
    elif collection in (LOANS, INVESTMENTS):
        users = [data.get("borrowerId"), data.get("investorId")]
    elif collection == CRYPTO_ORDERS:
        users = [data.get("userId"), data.get("takerId")]
    else:
        users = [data.get("userId")]
    platform = set(platform_wallet_ids())
    return [u for u in dict.fromkeys(users) if isinstance(u, str) and u and u not in platform]


@dataclass
class Emitted:
    event: Event
    created: bool  # False: it had been emitted before
    delivery_ids: list[str] = field(default_factory=list)


def handle_change(
    collection: str,
    doc_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    now: datetime | None = None,
    enqueue: bool = True,
) -> list[Emitted]:
    """What every domain trigger calls: emit the events a document write means. Idempotent."""
    pairs = transitions(collection, before, after)
    if not pairs or after is None:
        return []
    users = recipients(collection, doc_id, after)
    if not users:
        return []
    try:
        obj = MODELS[collection].from_doc(doc_id, after).to_api()
    except ValidationError:
        log.exception("cannot render %s/%s for its events", collection, doc_id)
        return []
    now = now or utcnow()
    out = []
    for event_type, key in pairs:
        out.append(
            emit_about(
                collection,
                doc_id,
                key,
                event_type,
                obj=obj,
                user_ids=users,
                now=now,
                enqueue=enqueue,
            )
        )
    return out


def emit_about(
    collection: str,
    doc_id: str,
    key: str,
    event_type: str,
    *,
    obj: dict[str, Any],
    user_ids: list[str],
    now: datetime | None = None,
    enqueue: bool = True,
) -> Emitted:
    """Emit `event_type` about record `collection/doc_id` (a domain document, a bulk batch, an
    export). `key` names the transition; the id is derived from record, key and type, so
    emitting twice emits once."""
    now = now or utcnow()
    source = f"{collection}/{doc_id}#{key}"
    return emit(
        Event(
            id=event_id(source, event_type),
            type=event_type,
            created_at=now,
            data={"object": obj},
            user_ids=user_ids,
            source=source,
            expire_at=now + catalog.EVENT_RETENTION,
        ),
        enqueue=enqueue,
    )


def emit(event: Event, *, enqueue: bool = True, only_subscription: str | None = None) -> Emitted:
    """Store the event and its deliveries atomically, then enqueue the deliveries.

    `only_subscription` sends the event to that subscription alone (a test event)."""
    from google.api_core.exceptions import AlreadyExists

    from coinbox_platform.webhooks import subscriptions
    from coinbox_platform.webhooks.delivery import (
        collection as delivery_collection,
    )
    from coinbox_platform.webhooks.delivery import (
        enqueue_attempt,
        new_delivery,
        unattempted_for_event,
    )

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
        batch.create(delivery_collection().document(d.id), d.to_doc())
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
        for delivery_id in ids:
            enqueue_attempt(delivery_id)
    return Emitted(event, created=True, delivery_ids=ids)


def get_event(event_id_: str) -> Event | None:
    snap = store.db().collection(WEBHOOK_EVENTS).document(event_id_).get()
    return Event.from_doc(snap.id, snap.to_dict() or {}) if snap.exists else None


def events_collection() -> Any:
    return store.db().collection(WEBHOOK_EVENTS)
