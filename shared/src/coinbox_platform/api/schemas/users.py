"""Users at the API boundary: a profile as staff see it (one definition, from the stored
`UserProfile`)."""

from __future__ import annotations

from pydantic import Field

from coinbox_platform.api.schemas import resource_fields
from coinbox_platform.domain.models import UserProfile

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
