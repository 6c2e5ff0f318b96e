"""Endpoint family `messages` (docs/product.md §3.5): the caller's inbox.

    GET  /v1/messages                     newest first, ?status=unread|read, paginated
    POST /v1/messages/{messageId}/read    mark one read (the owner only; 404 otherwise)

Staff send messages through bulk operations (docs/product.md §6), not here. Index: notifications
(userId, createdAt desc) and (userId, status, createdAt desc).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import ApiModel, ListParams, Page
from coinbox_platform.domain import messages
from coinbox_platform.domain.models import Notification, Priority

TAGS = ("Messages",)


class MessageStatus(StrEnum):
    UNREAD = "unread"
    READ = "read"


class MessageOut(ApiModel):
    """A message in the caller's inbox."""

    id: str = Field(examples=["msg_7Qf2kLp0XzT9bNc4Vw8yRa1M"])
    object: str = "message"
    user_id: str
    title: str = Field(examples=["Scheduled maintenance"])
    body: str = Field(examples=["The platform is read-only on Sunday 02:00–03:00 SAST."])
    priority: Priority
    status: MessageStatus
    sender_id: str | None
    batch_id: str | None
    created_at: str
    read_at: str | None


class MessageListParams(ListParams):
    status: MessageStatus | None = Field(None, description="Only unread or only read messages.")


class MessageList(Page[MessageOut]):
    pass


def render(message: Notification) -> dict[str, Any]:
    return MessageOut.model_validate(message.to_api()).model_dump(by_alias=True, mode="json")


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
