"""Users at the API boundary: a profile as staff see it (one definition, from the stored
`UserProfile`) and the request model of a staff change to it."""

from __future__ import annotations

from pydantic import Field, model_validator

from coinbox_platform.api.schemas import ApiModel, resource_fields
from coinbox_platform.domain.models import UserProfile
from coinbox_platform.tiers import KycStatus, MembershipTier, Role

USER_DOCS = {
    "id": Field(examples=["Xk3p9QwR2sT8vY1zA4bC6dE7fG0h"]),
    "object": (str, Field("user")),
    "email": (str | None, Field()),
    "display_name": (str | None, Field()),
    "role": Field(),
    "membership_tier": Field(),
    "kyc_status": Field(),
    "kyc_reason": (str | None, Field()),
    "created_at": (str, Field()),
    "updated_at": (str | None, Field()),
}


class UserOut(resource_fields(UserProfile, USER_DOCS)):  # type: ignore[misc]
    """A user's profile as staff see it."""


class UserUpdate(ApiModel):
    """The changes to make; give at least one of role, membershipTier, kycStatus."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"membershipTier": "vip"},
                {"kycStatus": "rejected", "kycReason": "The ID document has expired."},
            ]
        }
    }

    role: Role | None = Field(None, description="Admins only.")
    membership_tier: MembershipTier | None = Field(None, description="Admins only.")
    kyc_status: KycStatus | None = Field(None, description="Support and admins.")
    kyc_reason: str | None = Field(
        None, min_length=1, max_length=500, description="Required with kycStatus `rejected`."
    )

    @model_validator(mode="after")
    def _reason_goes_with_rejection(self) -> UserUpdate:
        if self.kyc_reason is not None and self.kyc_status != KycStatus.REJECTED:
            raise ValueError("kycReason is only given with kycStatus rejected")
        return self
