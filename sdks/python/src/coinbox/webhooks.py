"""Verifying CoinBox webhook deliveries (Standard Webhooks signatures).

    event = coinbox.webhooks.verify(request_body, request_headers, "whsec_…")
    if event.type == "loan.approved": …

`verify` checks the `webhook-signature` (any of the space-separated `v1,` signatures, so a
delivery signed during a secret rotation verifies with either secret) over
`{webhook-id}.{webhook-timestamp}.{body}`, and refuses a timestamp more than `tolerance`
seconds (default and at most 300, the\nstandardwebhooks window) away from now. Pass the raw body bytes exactly as received. Deliveries
are at least once: deduplicate on `event.id` (the `webhook-id` header).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from coinbox.errors import WebhookSignatureError, WebhookTimestampError, WebhookVerificationError

if TYPE_CHECKING:
    from coinbox.models import EventOut

DEFAULT_TOLERANCE = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"The {name} header is missing.")


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
) -> EventOut:
    """The verified event, or WebhookSignatureError / WebhookTimestampError (both
    WebhookVerificationError)."""
    from standardwebhooks.webhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError as SWError

    from coinbox.models import EventOut

    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    _header(headers, "webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookTimestampError(f"webhook-timestamp {timestamp!r} is not a number.") from None
    skew = time.time() - sent_at
    if abs(skew) > tolerance:
        when = "old" if skew > 0 else "in the future"
        raise WebhookTimestampError(
            f"webhook-timestamp is {abs(int(skew))} s {when} (tolerance {tolerance} s): a "
            "replayed or delayed delivery, or a wrong clock."
        )
    raw = payload.encode() if isinstance(payload, str) else payload
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        # standardwebhooks checks a fixed 5-minute window itself; ours was checked above
        Webhook(secret).verify(raw, lowered, json_parse=False)
    except SWError as exc:
        if "timestamp" in str(exc).lower():
            raise WebhookTimestampError(str(exc)) from exc
        raise WebhookSignatureError(
            f"No signature of webhook {msg_id} matches this secret ({exc}): check the "
            "endpoint's signing secret (whsec_…)."
        ) from exc
    try:
        data: Any = json.loads(raw)
    except ValueError as exc:
        raise WebhookVerificationError("The signed body is not JSON.") from exc
    return EventOut.model_validate(data)


def sign(secret: str, msg_id: str, timestamp: int, payload: bytes) -> str:
    """A `v1,<base64>` signature of a payload, as CoinBox signs deliveries (the CLI's
    `webhooks listen` signs what it forwards with it)."""
    from datetime import UTC, datetime

    from standardwebhooks.webhooks import Webhook

    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("webhook secrets start with whsec_")
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    return str(Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=payload.decode()))
