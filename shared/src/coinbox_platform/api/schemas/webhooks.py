"""Webhooks at the API boundary: the request models of an endpoint, a test event and a
recovery, and the endpoint and its deliveries as the API shows them."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from coinbox_platform.api.schemas import ApiModel, ListParams


class CreateWebhook(ApiModel):
    url: str = Field(max_length=2048, examples=["https://example.com/coinbox/webhooks"])
    events: list[str] = Field(
        default_factory=lambda: ["*"],
        max_length=50,
        description='Event types, "loan.*" or "*" (default).',
    )
    description: str | None = Field(None, max_length=500)


class UpdateWebhook(ApiModel):
    url: str | None = Field(None, max_length=2048)
    events: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=500)
    status: Literal["active", "paused"] | None = Field(
        None, description="active re-enables a disabled endpoint and resets its failure count."
    )


class TestEventBody(ApiModel):
    type: str = Field("loan.created", max_length=64, description="Any type of the catalog.")


class RecoverBody(ApiModel):
    since: AwareDatetime = Field(description="Redeliver failed deliveries created since then.")


class DeliveryListParams(ListParams):
    status: Literal["pending", "succeeded", "failed"] | None = None


class WebhookEndpoint(ApiModel):
    id: str
    object: str = "webhook_endpoint"
    user_id: str
    url: str
    events: list[str]
    description: str | None
    status: str
    consecutive_failures: int
    last_success_at: str | None
    last_failure_at: str | None
    disabled_reason: str | None
    disabled_at: str | None
    secret_rotated_at: str | None
    previous_secret_expires_at: str | None
    created_at: str
    updated_at: str | None


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="whsec_…: shown once; sign-check deliveries with it.")


class DeletedOut(ApiModel):
    id: str
    object: str = "webhook_endpoint"
    deleted: bool = True


class DeliveryAttempt(ApiModel):
    at: str
    number: int
    status_code: int | None
    latency_ms: float
    response: str | None
    error: str | None
    retry_in_seconds: float | None = None


class WebhookDelivery(ApiModel):
    id: str
    object: str = "webhook_delivery"
    event_id: str
    event_type: str
    subscription_id: str
    user_id: str
    status: str
    attempt_count: int
    max_attempts: int
    attempts: list[DeliveryAttempt]
    next_attempt_at: str
    last_status_code: int | None
    last_error: str | None
    last_delay_seconds: float | None
    created_at: str
    updated_at: str | None
    completed_at: str | None


class RecoverOut(ApiModel):
    object: str = "webhook_recovery"
    recovered: int
