"""Endpoint family `messages` (docs/product.md §3.5): the caller's inbox.

    GET  /v1/messages                     newest first, ?status=unread|read, paginated
    POST /v1/messages/{messageId}/read    mark one read (the owner only; 404 otherwise)

Staff send messages through bulk operations (docs/product.md §6), not here. Index: notifications
(userId, createdAt desc) and (userId, status, createdAt desc).
"""

from __future__ import annotations

from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import shown_as
from coinbox_platform.api.schemas.messages import MessageList, MessageListParams, MessageOut
from coinbox_platform.domain import messages
from coinbox_platform.domain.models import Notification

TAGS = ("Messages",)


def render(message: Notification) -> dict[str, Any]:
    return shown_as(MessageOut, message.to_api())


@TABLE.route(
    "GET",
    "/v1/messages",
    "messages",
    summary="List your messages",
    scope="read:messages",
    query=MessageListParams,
    response=MessageList,
    errors=(400, 401, 403),
    tags=TAGS,
    description="Your inbox, newest first.",
)
def list_messages(call: Call[MessageListParams]) -> Reply:
    params = call.query
    return list_reply(
        messages.inbox(call.uid, params.status),
        params,
        to_api=lambda doc_id, data: render(Notification.from_doc(doc_id, data)),
    )


@TABLE.route(
    "POST",
    "/v1/messages/{messageId}/read",
    "messages",
    summary="Mark a message read",
    scope="write:messages",
    response=MessageOut,
    errors=(401, 403, 404),
    tags=TAGS,
    description="Idempotent: a message already read is returned unchanged.",
)
def mark_read(call: Call) -> Reply:
    return Reply(render(messages.mark_read(call.uid, call.params["messageId"], now=call.now)))
