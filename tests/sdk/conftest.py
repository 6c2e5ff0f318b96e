"""The `sdk_user` fixture: a business-tier user with a key made through the SDK."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sdk.sdk_support import SdkUser, make_sdk_user


@pytest.fixture
def sdk_user() -> Iterator[SdkUser]:
    made = make_sdk_user(balance=5_000_000)
    yield made
    made.client.close()
