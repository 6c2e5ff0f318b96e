"""Events at the API boundary: the query of the caller's event list and an event as the API
shows it to one user."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from coinbox_platform.api.schemas import ApiModel, ListParams


class EventListParams(ListParams):
    type: str | None = Field(
        None, max_length=64, description="Only events of this type, e.g. loan.approved."
    )


class EventOut(ApiModel):
    id: str
    object: str = "event"
    type: str
    created_at: str
    api_version: str
    user_id: str
    data: dict[str, Any]
