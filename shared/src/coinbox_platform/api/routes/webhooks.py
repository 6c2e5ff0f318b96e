"""Endpoint family `webhooks` (functions/api/webhooks.py): subscriptions and their deliveries.

Deliveries are at least once and unordered; receivers deduplicate on `webhook-id`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import ListEnvelope, ListParams
from coinbox_platform.api.schemas.webhooks import (
    CreateWebhook,
    DeletedOut,
    DeliveryListParams,
    RecoverBody,
    RecoverOut,
    TestEventBody,
    UpdateWebhook,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointWithSecret,
)
from coinbox_platform.config import Secret
from coinbox_platform.errors import FieldError, InvalidRequest, NotFound
from coinbox_platform.ids import has_prefix
from coinbox_platform.webhooks import catalog
from coinbox_platform.webhooks import delivery as deliveries
from coinbox_platform.webhooks import subscriptions as subs

TAGS = ("Webhooks",)


def _sub_id(call: Call[Any, Any]) -> str:
    sub_id = call.params["webhookId"]
    if not has_prefix(sub_id, "whk"):
        raise NotFound(f"No webhook endpoint {sub_id}.")
    return sub_id


@TABLE.route(
    "GET",
    "/v1/webhooks",
    "webhooks",
    summary="List your webhook endpoints",
    scope="read:webhooks",
    query=ListParams,
    response=ListEnvelope,
    errors=(400, 401, 403),
    tags=TAGS,
)
def list_webhooks(call: Call[ListParams]) -> Reply:
    uid = call.uid
    return list_reply(
        subs.owned_subscriptions(uid),
        call.query,
        to_api=lambda i, d: subs.Subscription.from_doc(i, d).to_api(),
    )


@TABLE.route(
    "POST",
    "/v1/webhooks",
    "webhooks",
    summary="Create a webhook endpoint",
    description="The URL must be https:// and resolve to a public address. The "
    "response carries the signing secret, shown only this once.",
    scope="write:webhooks",
    body=CreateWebhook,
    response=WebhookEndpointWithSecret,
    status=201,
    errors=(400, 401, 403, 422),
    tags=TAGS,
    secrets=(Secret.WEBHOOK_SECRET_KEY,),
    codes=("limit_exceeded",),
)
def create_webhook(call: Call[None, CreateWebhook]) -> Reply:
    body = call.body
    sub, secret = subs.create_subscription(
        call.uid, body.url, body.events, description=body.description, now=call.now
    )
    return Reply(
        sub.to_api() | {"secret": secret},
        status=201,
        headers={"Location": f"/v1/webhooks/{sub.id}"},
    )


@TABLE.route(
    "GET",
    "/v1/webhooks/{webhookId}",
    "webhooks",
    summary="Get a webhook endpoint",
    scope="read:webhooks",
    response=WebhookEndpoint,
    errors=(401, 403, 404),
    tags=TAGS,
)
def get_webhook(call: Call) -> Reply:
    return Reply(subs.owned_subscription(call.uid, _sub_id(call)).to_api())


@TABLE.route(
    "PATCH",
    "/v1/webhooks/{webhookId}",
    "webhooks",
    summary="Update a webhook endpoint (url, events, description, status)",
    scope="write:webhooks",
    body=UpdateWebhook,
    response=WebhookEndpoint,
    errors=(400, 401, 403, 404),
    tags=TAGS,
)
def update_webhook(call: Call[None, UpdateWebhook]) -> Reply:
    body = call.body
    sub = subs.update_subscription(
        call.uid,
        _sub_id(call),
        url=body.url,
        events=body.events,
        description=body.description,
        status=body.status,
        now=call.now,
    )
    return Reply(sub.to_api())


@TABLE.route(
    "DELETE",
    "/v1/webhooks/{webhookId}",
    "webhooks",
    summary="Delete a webhook endpoint",
    scope="write:webhooks",
    response=DeletedOut,
    errors=(401, 403, 404),
    tags=TAGS,
)
def delete_webhook(call: Call) -> Reply:
    sub_id = _sub_id(call)
    subs.delete_subscription(call.uid, sub_id)
    return Reply({"id": sub_id, "object": "webhook_endpoint", "deleted": True})


@TABLE.route(
    "POST",
    "/v1/webhooks/{webhookId}/test",
    "webhooks",
    summary="Send a test event (the catalog's example of a type) to the endpoint",
    scope="write:webhooks",
    body=TestEventBody,
    response=WebhookDelivery,
    status=202,
    errors=(400, 401, 403, 404, 409),
    tags=TAGS,
    codes=("endpoint_not_active",),
)
def test_webhook(call: Call[None, TestEventBody]) -> Reply:
    body = call.body
    if not catalog.is_known(body.type):
        raise InvalidRequest(
            "Unknown event type.", errors=[FieldError("type", f"unknown {body.type!r}", "unknown")]
        )
    d = deliveries.send_test_event(call.uid, _sub_id(call), body.type)
    return Reply(d.to_api(), status=202)


@TABLE.route(
    "POST",
    "/v1/webhooks/{webhookId}/rotate-secret",
    "webhooks",
    summary="Rotate the signing secret",
    description="Returns the new secret once. For 24 h deliveries carry two "
    "signatures, with the new and the old secret.",
    scope="write:webhooks",
    response=WebhookEndpointWithSecret,
    errors=(401, 403, 404),
    tags=TAGS,
    secrets=(Secret.WEBHOOK_SECRET_KEY,),
)
def rotate_webhook_secret(call: Call) -> Reply:
    sub, secret = subs.rotate_secret(call.uid, _sub_id(call), now=call.now)
    return Reply(sub.to_api() | {"secret": secret})


@TABLE.route(
    "GET",
    "/v1/webhooks/{webhookId}/deliveries",
    "webhooks",
    summary="List the endpoint's deliveries with every attempt",
    scope="read:webhooks",
    query=DeliveryListParams,
    response=ListEnvelope,
    errors=(400, 401, 403, 404),
    tags=TAGS,
)
def list_deliveries(call: Call[DeliveryListParams]) -> Reply:
    sub = subs.owned_subscription(call.uid, _sub_id(call))
    params = call.query
    return list_reply(
        deliveries.endpoint_deliveries(sub.id, params.status),
        params,
        to_api=lambda i, d: deliveries.Delivery.from_doc(i, d).to_api(),
    )


def _owned_delivery(call: Call[Any, Any]) -> deliveries.Delivery:
    sub = subs.owned_subscription(call.uid, _sub_id(call))
    delivery_id = call.params["deliveryId"]
    d = deliveries.get_delivery(delivery_id) if has_prefix(delivery_id, "whd") else None
    if d is None or d.subscription_id != sub.id:
        raise NotFound(f"No delivery {delivery_id}.")
    return d


@TABLE.route(
    "GET",
    "/v1/webhooks/{webhookId}/deliveries/{deliveryId}",
    "webhooks",
    summary="Get one delivery",
    scope="read:webhooks",
    response=WebhookDelivery,
    errors=(401, 403, 404),
    tags=TAGS,
)
def get_delivery(call: Call) -> Reply:
    return Reply(_owned_delivery(call).to_api())


@TABLE.route(
    "POST",
    "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry",
    "webhooks",
    summary="Retry one delivery now (one attempt)",
    scope="write:webhooks",
    response=WebhookDelivery,
    status=202,
    errors=(401, 403, 404, 409),
    tags=TAGS,
    codes=("delivery_pending", "endpoint_not_active"),
)
def retry_delivery(call: Call) -> Reply:
    d = _owned_delivery(call)
    return Reply(deliveries.retry_delivery(call.uid, d.subscription_id, d.id).to_api(), status=202)


@TABLE.route(
    "POST",
    "/v1/webhooks/{webhookId}/recover",
    "webhooks",
    summary="Redeliver every failed delivery since a time (one attempt each)",
    scope="write:webhooks",
    body=RecoverBody,
    response=RecoverOut,
    status=202,
    errors=(400, 401, 403, 404, 409),
    tags=TAGS,
    codes=("endpoint_not_active",),
)
def recover_webhook(call: Call[None, RecoverBody]) -> Reply:
    body = call.body
    since: datetime = body.since
    count = deliveries.recover(call.uid, _sub_id(call), since)
    out: dict[str, Any] = {"object": "webhook_recovery", "recovered": count}
    return Reply(out, status=202)
