"""coinbox.webhooks.verify against deliveries signed by the platform's own signer
(coinbox_platform.webhooks.signing, what the delivery task sends)."""

from __future__ import annotations

import json
import time

import coinbox
import pytest
from coinbox.errors import WebhookSignatureError, WebhookTimestampError, WebhookVerificationError

from coinbox_platform.webhooks import signing

EVENT = {
    "id": "evt_5Xq2",
    "object": "event",
    "type": "loan.approved",
    "createdAt": "2026-01-02T10:00:00.000Z",
    "apiVersion": "2025-06-01",
    "userId": "u1",
    "data": {"object": {"id": "loan_1", "amount": 150000}},
}


def _delivery(secrets: list[str], at: int | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(EVENT).encode()
    ts = int(time.time()) if at is None else at
    return body, signing.headers(secrets, EVENT["id"], ts, body, EVENT["type"])


def test_a_platform_signed_delivery_verifies_to_a_typed_event() -> None:
    secret = signing.new_secret()
    body, headers = _delivery([secret])
    event = coinbox.webhooks.verify(body, headers, secret)
    assert event.id == "evt_5Xq2" and event.type == "loan.approved"
    assert event.api_version == "2025-06-01" and event.data["object"]["amount"] == 150000
    # header names are case-insensitive, str bodies work
    upper = {k.upper(): v for k, v in headers.items()}
    assert coinbox.webhooks.verify(body.decode(), upper, secret).id == "evt_5Xq2"


def test_either_secret_verifies_during_a_rotation() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body, headers = _delivery([new, old])
    assert coinbox.webhooks.verify(body, headers, old).id == EVENT["id"]
    assert coinbox.webhooks.verify(body, headers, new).id == EVENT["id"]


def test_wrong_secret_or_tampered_body_is_a_signature_error() -> None:
    secret = signing.new_secret()
    body, headers = _delivery([secret])
    with pytest.raises(WebhookSignatureError, match="signing secret"):
        coinbox.webhooks.verify(body, headers, signing.new_secret())
    with pytest.raises(WebhookSignatureError):
        coinbox.webhooks.verify(body.replace(b"150000", b"990000"), headers, secret)


def test_stale_or_future_timestamp_is_a_timestamp_error() -> None:
    secret = signing.new_secret()
    body, headers = _delivery([secret], at=int(time.time()) - 600)
    with pytest.raises(WebhookTimestampError, match="old"):
        coinbox.webhooks.verify(body, headers, secret)
    body, headers = _delivery([secret], at=int(time.time()) + 600)
    with pytest.raises(WebhookTimestampError, match="future"):
        coinbox.webhooks.verify(body, headers, secret)
    # inside a tighter tolerance of our own
    body, headers = _delivery([secret], at=int(time.time()) - 120)
    with pytest.raises(WebhookTimestampError):
        coinbox.webhooks.verify(body, headers, secret, tolerance=60)
    assert coinbox.webhooks.verify(body, headers, secret).id == EVENT["id"]


def test_missing_header_is_a_verification_error() -> None:
    secret = signing.new_secret()
    body, headers = _delivery([secret])
    del headers["webhook-signature"]
    with pytest.raises(WebhookVerificationError, match="webhook-signature"):
        coinbox.webhooks.verify(body, headers, secret)


def test_sign_matches_the_platform_signer() -> None:
    secret = signing.new_secret()
    body = json.dumps(EVENT).encode()
    assert coinbox.webhooks.sign(secret, "evt_5Xq2", 1767348000, body) == signing.sign(
        secret, "evt_5Xq2", 1767348000, body
    )
