"""API keys at the API boundary: the request models of creating, changing and rotating a key,
the key as the API shows it (from the stored `ApiKey`; never its hash) and its usage analytics."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from coinbox_platform.access import apikeys
from coinbox_platform.api.schemas import ApiModel, Page, resource_fields
from coinbox_platform.tiers import ApiTier

# How the API shows a stored key: never its hash or internal bookkeeping; its effective status
# (a key past its expiry or grace shows as such before a write records it); times as ISO strings.
API_KEY_DOCS = {
    "id": Field(examples=["key_4Jt0bW1sTqk2mZ8yXr5nVc3a"]),
    "object": (str, Field("api_key")),
    "display_prefix": Field(description="The first 12 characters of the key."),
    "scopes": (list[str], Field()),
    "status": (Literal["active", "revoked", "expired"], Field()),
    "created_at": (str, Field()),
    "expires_at": (str | None, Field()),
    "last_used_at": (str | None, Field(description="Updated at most once a minute.")),
    "revoked_at": (str | None, Field()),
    "grace_until": (str | None, Field()),
}
_KEY_INTERNALS = ("hash", "updated_at", "admin_grant", "parent_key_id")


class ApiKeyOut(resource_fields(apikeys.ApiKey, API_KEY_DOCS, hidden=_KEY_INTERNALS)):  # type: ignore[misc]
    pass


class ApiKeyWithSecret(ApiKeyOut):
    secret: str = Field(
        description="The key itself. Shown only in this response; store it now.",
        examples=["cb_live_" + "x" * 38],
    )


class RotationOut(ApiKeyWithSecret):
    previous_key: ApiKeyOut


class ApiKeyList(Page[ApiKeyOut]):
    pass


class ApiKeyCreate(ApiModel):
    name: str = Field(min_length=1, max_length=apikeys.MAX_NAME)
    tier: ApiTier | None = Field(
        None, description="Up to the API tier your membership allows; the highest by default."
    )
    scopes: list[str] | None = Field(
        None, max_length=30, description="Within the tier's allowance; the tier's by default."
    )
    expires_in_days: int | None = Field(None, ge=1, le=365)
    user_id: str | None = Field(
        None, max_length=128, description="Admins only: create the key for this user."
    )


class ApiKeyUpdate(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=apikeys.MAX_NAME)
    scopes: list[str] | None = Field(None, min_length=1, max_length=30)


class ApiKeyRotate(ApiModel):
    grace_period_seconds: int = Field(
        0, ge=0, le=7 * 86400, description="How long the old key keeps working (0 s to 7 days)."
    )


class UsageParams(ApiModel):
    start: datetime | None = Field(
        None, alias="from", description="Start (inclusive, ISO 8601). Default: 24 h or 30 days ago."
    )
    end: datetime | None = Field(None, alias="to", description="End (exclusive). Default: now.")
    granularity: Literal["hour", "day"] = "hour"


class UsageStats(ApiModel):
    requests: int
    by_status_class: dict[str, int]
    rate_limited: int
    latency_ms: dict[str, float | None]


class RouteUsage(UsageStats):
    route: str


class SeriesPoint(UsageStats):
    start: str
    end: str


class UsageOut(ApiModel):
    object: str = "api_key_usage"
    key_id: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    granularity: str
    totals: UsageStats
    by_route: list[RouteUsage]
    series: list[SeriesPoint]
