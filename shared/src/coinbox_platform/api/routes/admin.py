"""Endpoint family `admin` (docs/product.md §3.1, §8): staff look users up and change them.

    GET   /v1/admin/users/{uid}   support and admins
    PATCH /v1/admin/users/{uid}   admins change role and tier; support and admins change KYC

The service (domain.users.update_user) enforces who may change what. API keys need the
`admin:users` scope (only `*` keys carry it) on top of a staff owner.
"""

from __future__ import annotations

from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import shown_as
from coinbox_platform.api.schemas.users import UserOut, UserUpdate
from coinbox_platform.domain import users
from coinbox_platform.domain.models import UserProfile
from coinbox_platform.errors import FieldError, Forbidden

TAGS = ("Admin",)
SCOPE = "admin:users"


def render(profile: UserProfile) -> dict[str, Any]:
    return shown_as(UserOut, profile.to_api())


@TABLE.route(
    "GET",
    "/v1/admin/users/{uid}",
    "admin",
    summary="Look a user up",
    auth="staff",
    scope=SCOPE,
    response=UserOut,
    errors=(401, 403, 404),
    tags=TAGS,
)
def get_user(call: Call) -> Reply:
    return Reply(render(users.require_profile(call.params["uid"])))


@TABLE.route(
    "PATCH",
    "/v1/admin/users/{uid}",
    "admin",
    summary="Change a user's role, tier or KYC status",
    auth="staff",
    scope=SCOPE,
    body=UserUpdate,
    response=UserOut,
    errors=(400, 401, 403, 404),
    tags=TAGS,
    description=(
        "Admins change role and membership tier; support and admins change KYC. Staff cannot "
        "change their own account."
    ),
    codes=("self_change",),
)
def update_user(call: Call[None, UserUpdate]) -> Reply:
    uid = call.params["uid"]
    if uid == call.uid:
        # Segregation of duties: a support agent must not verify their own KYC.
        raise Forbidden(
            "Staff cannot change their own account.",
            code="self_change",
            errors=[FieldError("uid", "is your own account", "self_change")],
        )
    body = call.body
    profile = users.update_user(
        call.user,
        uid,
        role=body.role,
        membership_tier=body.membership_tier,
        kyc_status=body.kyc_status,
        kyc_reason=body.kyc_reason,
        now=call.now,
    )
    return Reply(render(profile))
