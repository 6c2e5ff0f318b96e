"""Idempotency-Key on POST (SPEC §2), as Stripe does it.

Keys are scoped to the caller (user) and kept 24 h. The first request claims the key by
creating `idempotencyKeys/{sha256(user, key)}` (a create fails if it exists, so two racing
requests cannot both run). Then:
  same key, same request, finished   → the stored response, with Idempotent-Replayed: true
  same key, different request        → 422 idempotency_conflict
  same key, first one still running  → 409 idempotency_in_flight
A response with a 5xx status is not stored (the claim is dropped) so the client may retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from coinbox_platform import retention, store
from coinbox_platform.errors import (
    CoinboxError,
    FieldError,
    IdempotencyConflict,
    IdempotencyInFlight,
    InvalidRequest,
)

if TYPE_CHECKING:
    from coinbox_platform.api.app import Call, Reply

TTL = retention.RETENTION[store.IDEMPOTENCY]  # 24 h (retention.py)
STALE_CLAIM = timedelta(minutes=2)  # a claim this old belonged to a crashed request
MAX_KEY = 255


def _fingerprint(call: Call) -> str:
    h = hashlib.sha256()
    h.update(call.request.method.encode())
    h.update(b"\0" + call.route.template.encode())
    h.update(b"\0" + json.dumps(call.params, sort_keys=True).encode())
    body = call.body.model_dump(mode="json") if call.body is not None else None
    raw = call.request.get_data(cache=True) if body is None else b""
    h.update(b"\0" + json.dumps(body, sort_keys=True, default=str).encode() + raw)
    return h.hexdigest()


def run(call: Call, handler: Callable[[Call], Reply]) -> tuple[Reply, bool]:
    """Run the handler under the request's Idempotency-Key; (reply, replayed)."""
    from google.api_core.exceptions import AlreadyExists

    from coinbox_platform.api.app import Reply

    key = call.request.headers.get("Idempotency-Key")
    if key is None:
        return handler(call), False
    if not key.strip() or len(key) > MAX_KEY:
        raise InvalidRequest(
            "Idempotency-Key must be 1 to 255 characters.",
            errors=[FieldError("Idempotency-Key", "1 to 255 characters", "invalid")],
        )
    doc_id = hashlib.sha256(f"{call.uid}\0{key}".encode()).hexdigest()
    ref = store.db().collection(store.IDEMPOTENCY).document(doc_id)
    fingerprint = _fingerprint(call)
    claim = {
        "userId": call.uid,
        "fingerprint": fingerprint,
        "state": "running",
        "route": call.route.template,
        "createdAt": call.now,
        "expireAt": retention.expire_at(store.IDEMPOTENCY, call.now),
    }
    try:
        ref.create(claim)
    except AlreadyExists:
        snap = ref.get()
        data = snap.to_dict() or {}
        expired = not snap.exists or data.get("expireAt") is None or data["expireAt"] <= call.now
        stale = data.get("state") == "running" and data["createdAt"] <= call.now - STALE_CLAIM
        if expired or stale:
            ref.set(claim)  # the old claim no longer counts
        elif data.get("fingerprint") != fingerprint:
            raise IdempotencyConflict(
                "This Idempotency-Key was used with a different request.",
                errors=[FieldError("Idempotency-Key", "already used", "idempotency_conflict")],
            ) from None
        elif data.get("state") == "running":
            raise IdempotencyInFlight(
                "A request with this Idempotency-Key is still running; retry shortly.",
                headers={"Retry-After": "1"},
            ) from None
        else:
            stored = data["response"]
            if stored.get("error"):
                raise _restore_error(stored["error"]) from None
            return Reply(
                body=stored.get("body"),
                status=stored["status"],
                headers=dict(stored.get("headers") or {}),
            ), True
    try:
        reply = handler(call)
    except CoinboxError as err:
        if err.status >= 500 or err.status in (409, 429):
            ref.delete()
        else:
            ref.update(
                {"state": "done", "response": {"status": err.status, "error": _error_doc(err)}}
            )
        raise
    except BaseException:
        ref.delete()
        raise
    if reply.status >= 500:
        ref.delete()
    else:
        ref.update(
            {
                "state": "done",
                "response": {"status": reply.status, "body": reply.body, "headers": reply.headers},
            }
        )
    return reply, False


def _error_doc(err: CoinboxError) -> dict[str, Any]:
    return {
        "status": err.status,
        "code": err.code,
        "title": err.title,
        "detail": err.detail,
        "errors": [e.to_dict() for e in err.errors],
        "extra": err.extra,
    }


def _restore_error(doc: dict[str, Any]) -> CoinboxError:
    err = CoinboxError(
        doc["detail"],
        code=doc["code"],
        errors=[FieldError(**e) for e in doc.get("errors") or []],
        extra=doc.get("extra") or {},
    ).with_status(doc["status"], doc["title"])
    err.headers["Idempotent-Replayed"] = "true"
    return err
