"""The `Event` record, its ids and the one factory that builds an event (a leaf module).

Everything that makes an event (`events.emit_about` for a record's transition, the delivery
layer for `webhook.endpoint_disabled` and test events) builds it with `new_event`, so every
event carries its retention and, unless it is a test, an id derived from what it is about:
emitting the same thing twice emits it once. `events` (what a change means) and `delivery`
(fan-out and attempts) both import this module; it imports neither.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, ClassVar

from google.cloud.firestore import CollectionReference

from coinbox_platform import store
from coinbox_platform.clock import iso
from coinbox_platform.domain.models import Document
from coinbox_platform.ids import ALPHABET
from coinbox_platform.webhooks import WEBHOOK_EVENTS, catalog


class Event(Document):
    object_name: ClassVar[str] = "event"
    collection: ClassVar[str] = WEBHOOK_EVENTS
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


def new_event(
    event_type: str,
    *,
    source: str,
    data: dict[str, Any],
    user_ids: list[str],
    now: datetime,
    id: str | None = None,
    test: bool = False,
) -> Event:
    """An event of `event_type` from `source` ("collection/id#transition"). Its id is derived
    from source and type unless given (a test event has a fresh one)."""
    return Event(
        id=id or event_id(source, event_type),
        type=event_type,
        created_at=now,
        data=data,
        user_ids=user_ids,
        source=source,
        test=test,
        expire_at=now + catalog.EVENT_RETENTION,
    )


def get_event(event_id_: str) -> Event | None:
    return Event.fetch(event_id_)


def events_collection() -> CollectionReference:
    return store.db().collection(WEBHOOK_EVENTS)


def user_events(uid: str, event_type: str | None = None) -> store.Listing:
    """The events about the user's objects, newest first (GET /v1/events)."""
    owner = (store.Where("userIds", "array_contains", uid),)
    return store.Listing(WEBHOOK_EVENTS, owner).where("type", "==", event_type or None)
