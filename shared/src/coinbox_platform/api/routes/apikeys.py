"""Endpoint family `apikeys` (see functions/api/apikeys.py): API keys and their usage
(docs/product.md §4.2, §4.4). The keys themselves, rate limits and request logs live in the
access layer (coinbox_platform.access); the pipeline (api/app.py) verifies keys, limits and
logs every request.

Keys are managed by their owner: with a Firebase ID token, or with a key that holds
`admin:api_keys` (which can only hand out scopes and tiers it has itself).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from coinbox_platform.access import apikeys, usage
from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import ListParams
from coinbox_platform.api.schemas.apikeys import (
    ApiKeyCreate,
    ApiKeyList,
    ApiKeyOut,
    ApiKeyRotate,
    ApiKeyUpdate,
    ApiKeyWithSecret,
    RotationOut,
    UsageOut,
    UsageParams,
)
from coinbox_platform.clientip import request_ip
from coinbox_platform.errors import FieldError, Forbidden, InvalidRequest, NotFound
from coinbox_platform.tiers import API_TIER_ORDER, ApiTier, Role

FAMILY = "apikeys"
SCOPE = apikeys.ADMIN_API_KEYS
KEY_ID_PATTERN = r"^key_[0-9A-Za-z]{1,64}$"
TAGS = ("API keys",)


# ---------------------------------------------------------------- helpers


def _actor(call: Call[Any, Any]) -> apikeys.Actor:
    p = call.principal
    assert p is not None
    return apikeys.Actor(
        user_id=p.user.id,
        key_id=p.key_id,
        ip=request_ip(call.request),
        user_agent=call.request.headers.get("User-Agent"),
    )


def _key_id(call: Call[Any, Any]) -> str:
    key_id = call.params["keyId"]
    if not re.match(KEY_ID_PATTERN, key_id):
        raise NotFound(f"No API key {key_id}.")
    return key_id


def _within_caller(
    call: Call[Any, Any], tier: ApiTier, scopes: list[str] | tuple[str, ...]
) -> None:
    """A key may only hand out (or manage) what it holds: no scope or tier beyond its own
    effective ones. People act with their role's permissions (the tier rules still apply)."""
    p = call.principal
    if p is None or p.scopes is None:
        return
    beyond = [s for s in scopes if not apikeys.covers(p.scopes, s)]
    if beyond:
        raise Forbidden(
            "An API key cannot grant scopes it does not hold.",
            code="insufficient_scope",
            errors=[FieldError("scopes", f"not held: {', '.join(beyond)}", "insufficient_scope")],
        )
    if p.api_tier and API_TIER_ORDER.index(tier) > API_TIER_ORDER.index(ApiTier(p.api_tier)):
        raise Forbidden(
            "An API key cannot create a key of a higher tier than its own.",
            code="tier_not_allowed",
            errors=[FieldError("tier", f"above {p.api_tier}", "tier_not_allowed")],
        )


def _manageable(call: Call[Any, Any], key_id: str) -> apikeys.ApiKey:
    """The caller's key `key_id`, if the caller may change it: a key may patch, rotate or
    revoke only keys whose scopes and tier it holds itself (itself included)."""
    key = apikeys.get_api_key(call.uid, key_id)
    p = call.principal
    if p is not None and p.key_id != key.id:
        tier, scopes = apikeys.effective(key, call.user)
        _within_caller(call, tier, sorted(scopes))
    return key


def _not_after(call: Call[Any, Any]) -> datetime | None:
    """When a key created by the caller must stop at the latest: the calling key's own end."""
    p = call.principal
    return p.key_expires_at if p is not None and p.kind == "api_key" else None


def _with_secret(key: apikeys.ApiKey, secret: str, now: datetime) -> dict[str, Any]:
    return key.to_api(now) | {"secret": secret}


# ---------------------------------------------------------------- routes


@TABLE.route(
    "POST",
    "/v1/api-keys",
    FAMILY,
    summary="Create an API key",
    scope=SCOPE,
    body=ApiKeyCreate,
    response=ApiKeyWithSecret,
    status=201,
    errors=(400, 401, 403, 404, 429),
    tags=TAGS,
    description="Creates a key for you (admins: for `userId`). The tier is limited by your "
    "membership (basic and ambassador: basic; vip: pro; business: enterprise); admins may "
    "grant any tier. Scopes default to the tier's: basic `read:*`; pro `read:*`, "
    "`write:loans`, `write:investments`, `write:crypto`, `write:exports`; enterprise `*`. "
    "The `secret` is in this response only.",
    codes=("tier_not_allowed", "insufficient_scope"),
)
def create_key(call: Call[None, ApiKeyCreate]) -> Reply:
    from coinbox_platform.domain.users import require_profile

    body = call.body
    caller = call.user
    owner = caller
    if body.user_id is not None and body.user_id != caller.id:
        if caller.role != Role.ADMIN:
            raise Forbidden("Only admins create keys for other users.")
        owner = require_profile(body.user_id)
    tier = body.tier
    if tier is None:
        tier = apikeys.max_tier(owner)
        if call.principal is not None and call.principal.api_tier:
            own = ApiTier(call.principal.api_tier)
            tier = min(tier, own, key=API_TIER_ORDER.index)
    scopes = list(body.scopes) if body.scopes is not None else sorted(apikeys.TIER_SCOPES[tier])
    _within_caller(call, tier, scopes)
    record, secret = apikeys.create_api_key(
        owner,
        body.name,
        tier,
        scopes,
        expires_in_days=body.expires_in_days,
        actor=_actor(call),
        actor_role=caller.role,
        not_after=_not_after(call),
        parent_key_id=call.principal.key_id if call.principal is not None else None,
        now=call.now,
    )
    return Reply(
        _with_secret(record, secret, call.now),
        status=201,
        headers={"Location": f"/v1/api-keys/{record.id}"},
    )


@TABLE.route(
    "GET",
    "/v1/api-keys",
    FAMILY,
    summary="List your API keys",
    scope=SCOPE,
    query=ListParams,
    response=ApiKeyList,
    errors=(400, 401, 403, 429),
    tags=TAGS,
    description="Your keys, newest first, with their status. Secrets are never shown again.",
)
def list_keys(call: Call[ListParams]) -> Reply:
    uid = call.uid

    now = call.now
    return list_reply(
        apikeys.owned_keys(uid),
        call.query,
        to_api=lambda i, d: apikeys.ApiKey.from_doc(i, d).to_api(now),
    )


@TABLE.route(
    "GET",
    "/v1/api-keys/{keyId}",
    FAMILY,
    summary="Get an API key",
    scope=SCOPE,
    response=ApiKeyOut,
    errors=(401, 403, 404, 429),
    tags=TAGS,
)
def get_key(call: Call) -> Reply:
    return Reply(apikeys.get_api_key(call.uid, _key_id(call)).to_api(call.now))


@TABLE.route(
    "PATCH",
    "/v1/api-keys/{keyId}",
    FAMILY,
    summary="Rename an API key or change its scopes",
    scope=SCOPE,
    body=ApiKeyUpdate,
    response=ApiKeyOut,
    errors=(400, 401, 403, 404, 409, 429),
    tags=TAGS,
    description="Scopes must stay within the key's tier. Takes effect within 30 s "
    "everywhere (instances cache verified keys that long).",
    codes=("insufficient_scope", "conflict"),
)
def update_key(call: Call[None, ApiKeyUpdate]) -> Reply:
    body = call.body
    key_id = _key_id(call)
    current = _manageable(call, key_id)
    if body.scopes is not None:
        _within_caller(call, current.tier, list(body.scopes))
    record = apikeys.update_api_key(
        call.uid, key_id, name=body.name, scopes=body.scopes, actor=_actor(call), now=call.now
    )
    return Reply(record.to_api(call.now))


@TABLE.route(
    "POST",
    "/v1/api-keys/{keyId}/revoke",
    FAMILY,
    summary="Revoke an API key",
    scope=SCOPE,
    response=ApiKeyOut,
    errors=(401, 403, 404, 409, 429),
    tags=TAGS,
    description="The key stops working at once on the instance that revoked it and within "
    "30 s everywhere.",
    codes=("already_revoked",),
)
def revoke_key(call: Call) -> Reply:
    key_id = _manageable(call, _key_id(call)).id
    record = apikeys.revoke_api_key(call.uid, key_id, actor=_actor(call), now=call.now)
    return Reply(record.to_api(call.now))


@TABLE.route(
    "POST",
    "/v1/api-keys/{keyId}/rotate",
    FAMILY,
    summary="Rotate an API key",
    scope=SCOPE,
    body=ApiKeyRotate,
    response=RotationOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 429),
    tags=TAGS,
    description="Issues a new key with the same name, tier and scopes (its `secret` is in this "
    "response only). The old key keeps working until `graceUntil` (now + "
    "`gracePeriodSeconds`, 0 s to 7 days), then counts as revoked.",
    codes=("tier_not_allowed", "conflict"),
)
def rotate_key(call: Call[None, ApiKeyRotate]) -> Reply:
    body = call.body
    key_id = _manageable(call, _key_id(call)).id
    old, new, secret = apikeys.rotate_api_key(
        call.user,
        key_id,
        grace=timedelta(seconds=body.grace_period_seconds),
        actor=_actor(call),
        not_after=_not_after(call),
        now=call.now,
    )
    return Reply(
        _with_secret(new, secret, call.now) | {"previousKey": old.to_api(call.now)},
        status=201,
        headers={"Location": f"/v1/api-keys/{new.id}"},
    )


@TABLE.route(
    "GET",
    "/v1/api-keys/{keyId}/usage",
    FAMILY,
    summary="Usage analytics of an API key",
    scope=SCOPE,
    query=UsageParams,
    response=UsageOut,
    errors=(400, 401, 403, 404, 429),
    tags=TAGS,
    description="Requests made with the key in the whole hours covering [from, to) (the "
    "answer's `from` and `to` give the range counted): counts by status class and by route, "
    "latency p50/p95 (nearest rank over a histogram of 5 % buckets, reported as the bucket's "
    "upper edge: at most 5 % above the exact value, milliseconds inside the API) and "
    "rate-limit refusals, in total and per hour or day. Read from hourly rollups kept 90 "
    "days (at most 24 documents a day of range). "
    "`granularity=hour` covers at most 31 days, `day` at most 90.",
)
def key_usage(call: Call[UsageParams]) -> Reply:
    params = call.query
    key = apikeys.get_api_key(call.uid, _key_id(call))
    end = params.end or call.now
    default_span = timedelta(hours=24) if params.granularity == "hour" else timedelta(days=30)
    start = params.start or end - default_span
    errors = []
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None:
            errors.append(FieldError(name, "give a time zone (e.g. Z)", "naive_datetime"))
    if not errors and start >= end:
        errors.append(FieldError("from", "must be before `to`", "invalid_range"))
    if not errors and end - start > usage.MAX_RANGE[params.granularity]:
        errors.append(
            FieldError(
                "from",
                f"at most {usage.MAX_RANGE[params.granularity].days} days "
                f"at {params.granularity} granularity",
                "range_too_long",
            )
        )
    if errors:
        raise InvalidRequest("The usage range is invalid.", errors=errors)
    return Reply(usage.usage(key.id, start, end, params.granularity))
