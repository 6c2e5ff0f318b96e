"""The notifications inbox (docs/product.md §3.5). Only staff send; users read their own."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.models import Notification, Priority
from coinbox_platform.errors import FieldError, InvalidRequest, NotFound
from coinbox_platform.ids import new_id

if TYPE_CHECKING:
    from google.cloud.firestore import Transaction

MAX_TITLE, MAX_BODY = 200, 2_000


def inbox(uid: str, status: str | None = None) -> store.Listing:
    """The user's messages, newest first (GET /v1/messages); `status` is "unread" or "read"."""
    return store.owned(store.NOTIFICATIONS, "userId", uid).where("status", "==", status)


def build_message(
    user_id: str,
    title: str,
    body: str,
    *,
    priority: Priority = Priority.NORMAL,
    sender_id: str | None = None,
    batch_id: str | None = None,
    now: datetime | None = None,
) -> Notification:
    errors = []
    if not title.strip() or len(title) > MAX_TITLE:
        errors.append(FieldError("title", f"1 to {MAX_TITLE} characters", "invalid"))
    if not body.strip() or len(body) > MAX_BODY:
        errors.append(FieldError("body", f"1 to {MAX_BODY} characters", "invalid"))
    if errors:
        raise InvalidRequest("The message is invalid.", errors=errors)
    return Notification(
        id=new_id("msg"),
        user_id=user_id,
        title=title,
        body=body,
        priority=priority,
        sender_id=sender_id,
        batch_id=batch_id,
        created_at=now or utcnow(),
    )


def send_message(message: Notification) -> Notification:
    store.db().collection(store.NOTIFICATIONS).document(message.id).create(message.to_doc())
    return message


def mark_read(uid: str, message_id: str, *, now: datetime | None = None) -> Notification:
    now = now or utcnow()
    ref = store.db().collection(store.NOTIFICATIONS).document(message_id)

    def apply(txn: Transaction) -> Notification:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if not snap.exists or data.get("userId") != uid:
            raise NotFound(f"No message {message_id}.")
        message = Notification.from_doc(snap.id, data)
        if message.status == "read":
            return message
        txn.update(ref, {"status": "read", "readAt": now})
        return message.model_copy(update={"status": "read", "read_at": now})

    return store.run_transaction(apply)
