"""Endpoint family `events` (functions/api/events.py): the caller's events and the catalog.

GET /v1/events          the caller's events, newest first (filter `type`), 30 days kept
GET /v1/events/{id}     one of them
GET /v1/event-types     every event type with its JSON Schema and an example
"""

from __future__ import annotations

from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import ListEnvelope
from coinbox_platform.api.schemas.events import EventListParams, EventOut
from coinbox_platform.errors import NotFound
from coinbox_platform.ids import has_prefix
from coinbox_platform.webhooks import catalog
from coinbox_platform.webhooks.event import Event, get_event, user_events


@TABLE.route(
    "GET",
    "/v1/events",
    "events",
    summary="List your events",
    description="Events about your objects, newest first, kept 30 days. Webhook endpoints "
    "receive the same objects (at least once, unordered).",
    scope="read:webhooks",
    query=EventListParams,
    response=ListEnvelope,
    errors=(400, 401, 403),
    tags=("Events",),
)
def list_events(call: Call[EventListParams]) -> Reply:
    params = call.query
    uid = call.uid

    def render(doc_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return Event.from_doc(doc_id, data).for_user(uid)

    return list_reply(user_events(uid, params.type), params, to_api=render)


@TABLE.route(
    "GET",
    "/v1/events/{eventId}",
    "events",
    summary="Get one of your events",
    scope="read:webhooks",
    response=EventOut,
    errors=(401, 403, 404),
    tags=("Events",),
)
def get_one_event(call: Call) -> Reply:
    event_id = call.params["eventId"]
    event = get_event(event_id) if has_prefix(event_id, "evt") else None
    if event is None or call.uid not in event.user_ids:
        raise NotFound(f"No event {event_id}.")
    return Reply(event.for_user(call.uid))


@TABLE.route(
    "GET",
    "/v1/event-types",
    "events",
    summary="The event catalog",
    description="Every event type with the JSON Schema of its payload and an example.",
    auth="none",
    response=ListEnvelope,
    tags=("Events",),
)
def event_types(call: Call) -> Reply:
    data = catalog.catalog()
    return Reply({"object": "list", "data": data, "hasMore": False, "nextCursor": None})
