"""Webhook subscriptions (endpoints): `webhookSubscriptions/{whk_…}` (docs/product.md §5.2).

The signing secret (`whsec_…`) is shown once, at creation and at rotation, and stored
encrypted. After a rotation the previous secret keeps signing for 24 h beside the new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.config import settings
from coinbox_platform.domain.models import Document
from coinbox_platform.errors import (
    Conflict,
    FieldError,
    InvalidRequest,
    NotFound,
    UnprocessableRule,
)
from coinbox_platform.ids import new_id
from coinbox_platform.webhooks import WEBHOOK_SUBSCRIPTIONS, catalog, encryption, signing, urls

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, Transaction

ROTATION_GRACE = timedelta(hours=24)
MAX_SUBSCRIPTIONS = 20
MAX_EVENT_FILTERS = 50
MAX_DESCRIPTION = 500


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


class Subscription(Document):
    object_name: ClassVar[str] = "webhook_endpoint"
    collection: ClassVar[str] = WEBHOOK_SUBSCRIPTIONS
    user_id: str
    url: str
    events: list[str]
    description: str | None = None
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE
    secret: str  # encrypted
    previous_secret: str | None = None  # encrypted; signs until previous_secret_expires_at
    previous_secret_expires_at: datetime | None = None
    consecutive_failures: int = 0
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    secret_rotated_at: datetime | None = None
    created_at: datetime
    updated_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        out = super().to_api()
        for key in ("secret", "previousSecret"):
            out.pop(key, None)
        return out

    def signing_secrets(self, now: datetime) -> list[str]:
        """The plaintext secrets that sign a delivery now: the current one, and the previous
        one while its rotation grace lasts."""
        out = [encryption.decrypt(self.secret, self.id)]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            out.append(encryption.decrypt(self.previous_secret, self.id))
        return out

    def wants(self, event_type: str) -> bool:
        return any(catalog.matches(p, event_type) for p in self.events)


def collection() -> CollectionReference:
    return store.db().collection(WEBHOOK_SUBSCRIPTIONS)


def owned_subscriptions(uid: str) -> store.Listing:
    """The user's webhook endpoints, newest first (GET /v1/webhooks)."""
    return store.owned(WEBHOOK_SUBSCRIPTIONS, "userId", uid)


def validate_events(events: list[str]) -> list[str]:
    if not events or len(events) > MAX_EVENT_FILTERS:
        raise InvalidRequest(
            "Give 1 to 50 event types.",
            errors=[FieldError("events", f"1 to {MAX_EVENT_FILTERS} entries", "invalid")],
        )
    bad = [e for e in events if not catalog.valid_pattern(e)]
    if bad:
        raise InvalidRequest(
            "Unknown event types.",
            errors=[
                FieldError(f"events.{events.index(b)}", f"unknown event type {b!r}", "unknown")
                for b in bad
            ],
        )
    return list(dict.fromkeys(events))


def _check_description(description: str | None) -> None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidRequest(
            "The description is too long.",
            errors=[FieldError("description", f"at most {MAX_DESCRIPTION} characters", "invalid")],
        )


def create_subscription(
    uid: str,
    url: str,
    events: list[str],
    *,
    description: str | None = None,
    now: datetime | None = None,
) -> tuple[Subscription, str]:
    """A new active subscription and its plaintext secret (to show once)."""
    now = now or utcnow()
    events = validate_events(events)
    _check_description(description)
    urls.check_url(url, sandbox=settings().sandbox, local_only=settings().emulated)
    sub_id = new_id("whk")
    secret = signing.new_secret()
    sub = Subscription(
        id=sub_id,
        user_id=uid,
        url=url,
        events=events,
        description=description,
        secret=encryption.encrypt(secret, sub_id),
        created_at=now,
        updated_at=now,
    )
    mine = collection().where(filter=FieldFilter("userId", "==", uid)).limit(MAX_SUBSCRIPTIONS)

    def apply(txn: Transaction) -> None:
        # The count and the create are one transaction on the user's quota document: two
        # parallel creates serialise on it, so the 21st endpoint can never be written.
        quota = store.hold_user_quota(txn, uid)
        if len(list(mine.get(transaction=txn))) >= MAX_SUBSCRIPTIONS:
            raise UnprocessableRule(
                f"At most {MAX_SUBSCRIPTIONS} webhook endpoints per user.",
                code="limit_exceeded",
                errors=[FieldError("url", "too many endpoints", "limit_exceeded")],
            )
        txn.create(collection().document(sub_id), sub.to_doc())
        txn.set(quota, {"userId": uid, "webhooksChangedAt": now}, merge=True)

    store.run_transaction(apply)
    return sub, secret


def get_subscription(sub_id: str) -> Subscription | None:
    return Subscription.fetch(sub_id)


def owned_subscription(uid: str, sub_id: str) -> Subscription:
    return Subscription.require_owned(sub_id, uid, label="webhook endpoint")


def update_subscription(
    uid: str,
    sub_id: str,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Change an endpoint. `status` may be active or paused; setting active re-enables a
    disabled endpoint and resets its failure count."""
    now = now or utcnow()
    changes: dict[str, Any] = {"updatedAt": now}
    if url is not None:
        urls.check_url(url, sandbox=settings().sandbox, local_only=settings().emulated)
        changes["url"] = url
    if events is not None:
        changes["events"] = validate_events(events)
    if description is not None:
        _check_description(description)
        changes["description"] = description
    if status is not None:
        if status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED):
            raise InvalidRequest(
                "status may be active or paused.",
                errors=[FieldError("status", "active or paused", "invalid")],
            )
        changes["status"] = status
        if status == SubscriptionStatus.ACTIVE:
            changes |= {"consecutiveFailures": 0, "disabledReason": None, "disabledAt": None}
    ref = collection().document(sub_id)

    def apply(txn: Transaction) -> Subscription:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if not snap.exists or data.get("userId") != uid:
            raise NotFound(f"No webhook endpoint {sub_id}.")
        txn.update(ref, changes)
        return Subscription.from_doc(sub_id, {**data, **changes})

    return store.run_transaction(apply)


def delete_subscription(uid: str, sub_id: str) -> None:
    owned_subscription(uid, sub_id)
    collection().document(sub_id).delete()


def rotate_secret(
    uid: str, sub_id: str, *, now: datetime | None = None
) -> tuple[Subscription, str]:
    """A new secret; the current one keeps signing (as a second signature) for 24 h."""
    now = now or utcnow()
    secret = signing.new_secret()
    ref = collection().document(sub_id)

    def apply(txn: Transaction) -> Subscription:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if not snap.exists or data.get("userId") != uid:
            raise NotFound(f"No webhook endpoint {sub_id}.")
        changes = {
            "secret": encryption.encrypt(secret, sub_id),
            "previousSecret": data["secret"],
            "previousSecretExpiresAt": now + ROTATION_GRACE,
            "secretRotatedAt": now,
            "updatedAt": now,
        }
        txn.update(ref, changes)
        return Subscription.from_doc(sub_id, {**data, **changes})

    return store.run_transaction(apply), secret


def require_active(sub: Subscription) -> None:
    if sub.status != SubscriptionStatus.ACTIVE:
        raise Conflict(
            f"The endpoint is {sub.status.value}; set status active first.",
            code="endpoint_not_active",
        )


def active_for(user_ids: list[str], event_type: str) -> list[Subscription]:
    """Active subscriptions of these users whose filters match `event_type`."""
    if not user_ids:
        return []
    query = (
        collection()
        .where(filter=FieldFilter("userId", "in", list(dict.fromkeys(user_ids))[:30]))
        .where(filter=FieldFilter("status", "==", SubscriptionStatus.ACTIVE.value))
    )
    subs = [Subscription.from_doc(s.id, s.to_dict() or {}) for s in query.stream()]
    return [s for s in subs if s.wants(event_type)]
