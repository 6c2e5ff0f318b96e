"""Domain events: derived from document changes, stored once, fanned out to deliveries.

The `Event` record, its ids and its factory are in `event` (a leaf); storing an event with its
deliveries (`emit`) is in `delivery`. This module says what a change means.

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

import logging
from datetime import datetime
from typing import Any

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
from coinbox_platform.webhooks.delivery import Emitted, emit
from coinbox_platform.webhooks.event import (
    Event,
    derived_id,
    event_id,
    events_collection,
    get_event,
    new_event,
    redact_for,
)

__all__ = [
    "Emitted",
    "Event",
    "derived_id",
    "emit",
    "emit_about",
    "event_id",
    "events_collection",
    "get_event",
    "handle_change",
    "recipients",
    "redact_for",
    "transitions",
]

log = logging.getLogger("coinbox.webhooks.events")

LOANS, INVESTMENTS, TRANSACTIONS = store.LOANS, store.INVESTMENTS, store.TRANSACTIONS
CRYPTO_ORDERS, USERS = store.CRYPTO_ORDERS, store.USERS


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
    event = new_event(event_type, source=source, data={"object": obj}, user_ids=user_ids, now=now)
    return emit(event, enqueue=enqueue)
