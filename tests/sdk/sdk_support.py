"""Helpers for the SDK tests against the live stack: users made as in tests/support.py, and
API keys made through the SDK itself (signed in with the user's Firebase ID token)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from coinbox import Coinbox

from coinbox_platform.tiers import MembershipTier, Role
from tests.support import ApiUser, api_base, make_api_user

CLI = str(Path(sys.executable).parent / "coinbox")


@dataclass
class SdkUser:
    user: ApiUser
    key: str  # cb_live_…
    client: Coinbox

    def env(self) -> dict[str, str]:
        """The environment the CLI (or a README example) runs with."""
        return {
            **os.environ,
            "COINBOX_API_KEY": self.key,
            "COINBOX_BASE_URL": api_base(),
            "COLUMNS": "160",
        }


def make_sdk_user(balance: int = 0, name: str = "sdk test", role: Role = Role.USER) -> SdkUser:
    """A business-tier user (enterprise keys, every scope) with a key created through the SDK."""
    user = make_api_user(balance=balance, tier=MembershipTier.BUSINESS, role=role)
    with Coinbox(api_key=user.token, base_url=api_base()) as signed_in:
        key = signed_in.api_keys.create(name=name, tier="enterprise")
    assert key.secret.startswith("cb_live_")
    return SdkUser(user, key.secret, Coinbox(api_key=key.secret, base_url=api_base()))
