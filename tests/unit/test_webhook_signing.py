"""Our signatures verify with the reference `standardwebhooks` package; secrets at rest."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from coinbox_platform.webhooks import encryption, signing


def test_signature_verifies_with_standardwebhooks() -> None:
    secret = signing.new_secret()
    body = b'{"id":"evt_1","type":"loan.created"}'
    headers = signing.headers([secret], "evt_1", int(time.time()), body, "loan.created")
    assert Webhook(secret).verify(body, headers)["id"] == "evt_1"
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_rotation_sends_two_signatures_each_verifiable() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = b"{}"
    headers = signing.headers([new, old], "evt_2", int(time.time()), body, "x")
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers) == {}


def test_secret_encryption_round_trips_and_is_bound_to_its_subscription(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cryptography.exceptions import InvalidTag

    monkeypatch.setenv("WEBHOOK_SECRET_KEY", base64.b64encode(b"k" * 32).decode())
    encryption._key.cache_clear()
    secret = signing.new_secret()
    sealed = encryption.encrypt(secret, "whk_a")
    assert secret not in sealed and sealed.startswith("v1:")
    assert encryption.decrypt(sealed, "whk_a") == secret
    with pytest.raises(InvalidTag):
        encryption.decrypt(sealed, "whk_b")
    encryption._key.cache_clear()
