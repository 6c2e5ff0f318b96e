"""Messages at the API boundary: a message as the API shows it (one definition, from the
stored `Notification`) and the caller's inbox list."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from coinbox_platform.api.schemas import ListParams, Page, resource_fields
from coinbox_platform.domain.models import Notification


class MessageStatus(StrEnum):
    UNREAD = "unread"
    READ = "read"


# How the API shows a stored message: its status as one of two values, times as ISO strings.
MESSAGE_DOCS = {
    "id": Field(examples=["msg_7Qf2kLp0XzT9bNc4Vw8yRa1M"]),
    "object": (str, Field("message")),
    "title": Field(examples=["Scheduled maintenance"]),
    "body": Field(examples=["The platform is read-only on Sunday 02:00–03:00 SAST."]),
    "status": (MessageStatus, Field()),
    "created_at": (str, Field()),
    "read_at": (str | None, Field()),
}


class MessageOut(resource_fields(Notification, MESSAGE_DOCS)):  # type: ignore[misc]
    """A message in the caller's inbox."""


class MessageListParams(ListParams):
    status: MessageStatus | None = Field(None, description="Only unread or only read messages.")


class MessageList(Page[MessageOut]):
    pass
