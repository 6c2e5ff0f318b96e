"""Idempotency-Key on POST (docs/product.md §2), as Stripe does it.

Keys are scoped to the caller (user) and kept 24 h. The first request claims the key by
creating `idempotencyKeys/{sha256(user, key)}` (a create fails if it exists, so two racing
requests cannot both run). Then:
  same key, same request, finished   → the stored response, with Idempotent-Replayed: true
  same key, different request        → 422 idempotency_conflict
  same key, first one still running  → 409 idempotency_in_flight
A response with a 5xx status is not stored (the claim is dropped) so the client may retry.

Secrets are never stored: a reply's `secret` fields (API keys, webhook signing secrets) are
removed before the response is kept, and a replay answers the same object without the secret,
with `secretWithheld: true` and a note saying how to get a new one.

A crash after a money move must never let a retry move the money again. Every ledger
transaction of the request (domain/ledger.py) reads the request's claim and, in the same
transaction as the wallet changes, marks it `committed` with the ledger entry ids; it refuses
to commit if the claim was taken over meanwhile. So a claim left behind by a crashed request
says what happened: `committed` → the change is done, the retry gets a final 409
`idempotency_committed` naming the ledger entries (never a second move); still `running`
after STALE_CLAIM → nothing was committed, the retry takes the claim over (transactionally,
so the crashed request, were it alive, can no longer commit) and runs.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from coinbox_platform import retention, store
from coinbox_platform.api.call import Reply
from coinbox_platform.errors import (
    CoinboxError,
    Conflict,
    FieldError,
    IdempotencyConflict,
    IdempotencyInFlight,
    InvalidRequest,
)

if TYPE_CHECKING:
    from google.cloud.firestore import Transaction

    from coinbox_platform.api.call import Call

TTL = retention.RETENTION[store.IDEMPOTENCY]  # 24 h (retention.py)
STALE_CLAIM = timedelta(minutes=2)  # a claim this old belonged to a crashed request
MAX_KEY = 255
SECRET_FIELDS = frozenset({"secret"})
REPLAY_NOTE = (
    "This is a replay of an earlier request with the same Idempotency-Key. The secret was "
    "shown only in the first response and is not stored; rotate to get a new one."
)


@dataclass(frozen=True)
class Claim:
    """The running request's claim: what ledger transactions check and mark committed."""

    ref: Any
    token: str


_current: contextvars.ContextVar[Claim | None] = contextvars.ContextVar(
    "coinbox_idempotency_claim", default=None
)


def current_claim() -> Claim | None:
    return _current.get()


class ClaimLost(Conflict):
    """The claim was taken over by a retry: this request must not commit its change."""

    code = "idempotency_claim_lost"


def without_secrets(value: Any) -> Any:
    """`value` with every `secret` field removed, at any depth."""
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


def _has_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in SECRET_FIELDS or _has_secret(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False


def _fingerprint(call: Call[Any, Any]) -> str:
    h = hashlib.sha256()
    h.update(call.request.method.encode())
    h.update(b"\0" + call.route.template.encode())
    h.update(b"\0" + json.dumps(call.params, sort_keys=True).encode())
    body = call.body.model_dump(mode="json") if call.body is not None else None
    raw = call.request.get_data(cache=True) if body is None else b""
    h.update(b"\0" + json.dumps(body, sort_keys=True, default=str).encode() + raw)
    return h.hexdigest()


def run(call: Call[Any, Any], handler: Callable[[Call[Any, Any]], Reply]) -> tuple[Reply, bool]:
    """Run the handler under the request's Idempotency-Key; (reply, replayed)."""
    from google.api_core.exceptions import AlreadyExists

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
    token = secrets.token_hex(12)
    claim = {
        "userId": call.uid,
        "fingerprint": fingerprint,
        "state": "running",
        "token": token,
        "route": call.route.template,
        "createdAt": call.now,
        "expireAt": retention.expire_at(store.IDEMPOTENCY, call.now),
    }
    try:
        ref.create(claim)
    except AlreadyExists:
        replay = _existing(ref, claim, fingerprint, call)
        if replay is not None:
            return replay, True
    reset = _current.set(Claim(ref, token))
    try:
        reply = handler(call)
    except CoinboxError as err:
        _current.reset(reset)
        if err.status >= 500 or err.status in (409, 429):
            _drop(ref, token)
        else:
            ref.update(
                {"state": "done", "response": {"status": err.status, "error": _error_doc(err)}}
            )
        raise
    except BaseException:
        _current.reset(reset)
        _drop(ref, token)
        raise
    _current.reset(reset)
    if reply.status >= 500:
        _drop(ref, token)
    else:
        stored: dict[str, Any] = {"status": reply.status, "headers": reply.headers}
        if _has_secret(reply.body):
            stored["body"] = without_secrets(reply.body)
            stored["secretWithheld"] = True
        else:
            stored["body"] = reply.body
        ref.update({"state": "done", "response": stored})
    return reply, False


def _drop(ref: Any, token: str) -> None:
    """Give the claim up so the client may retry, unless a ledger transaction of this request
    committed under it (then it stays, `committed`, and a retry is told so)."""

    def apply(txn: Transaction) -> None:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        if snap.exists and data.get("token") == token and data.get("state") == "running":
            txn.delete(ref)

    store.run_transaction(apply)


def _existing(
    ref: Any, claim: dict[str, Any], fingerprint: str, call: Call[Any, Any]
) -> Reply | None:
    """What a request finds when its key is already claimed: a replay, an error, or (None)
    a claim it took over and now runs under."""

    def apply(txn: Transaction) -> tuple[str, dict[str, Any]]:
        snap = ref.get(transaction=txn)
        data = snap.to_dict() or {}
        expired = not snap.exists or data.get("expireAt") is None or data["expireAt"] <= call.now
        stale = (
            data.get("state") in ("running", "committed")
            and data["createdAt"] <= call.now - STALE_CLAIM
        )
        if expired:
            txn.set(ref, claim)  # the old claim no longer counts
            return "run", data
        if data.get("fingerprint") != fingerprint:
            return "conflict", data
        if stale and data.get("state") == "running":
            # Nothing was committed under it (a ledger transaction would have marked it): take
            # it over; the crashed request, were it alive, can no longer commit.
            txn.set(ref, claim)
            return "run", data
        if stale and data.get("state") == "committed":
            err = _committed_error(data)
            txn.update(ref, {"state": "done", "response": {"status": 409, "error": err}})
            return "done", {"response": {"status": 409, "error": err}}
        return data.get("state") or "running", data

    state, data = store.run_transaction(apply)
    if state == "run":
        return None
    if state == "conflict":
        raise IdempotencyConflict(
            "This Idempotency-Key was used with a different request.",
            errors=[FieldError("Idempotency-Key", "already used", "idempotency_conflict")],
        )
    if state in ("running", "committed"):
        raise IdempotencyInFlight(
            "A request with this Idempotency-Key is still running; retry shortly.",
            headers={"Retry-After": "1"},
        )
    stored = data["response"]
    if stored.get("error"):
        raise _restore_error(stored["error"])
    body = stored.get("body")
    if stored.get("secretWithheld") and isinstance(body, dict):
        body = body | {"secretWithheld": True, "notice": REPLAY_NOTE}
    return Reply(body=body, status=stored["status"], headers=dict(stored.get("headers") or {}))


def _committed_error(data: dict[str, Any]) -> dict[str, Any]:
    entries = list(data.get("entries") or [])
    return {
        "status": 409,
        "code": "idempotency_committed",
        "title": "Conflict",
        "detail": "The first request with this Idempotency-Key committed its change but did "
        "not finish its response; it is not run again. See the ledger entries it wrote.",
        "errors": [],
        "extra": {"transactionIds": entries},
    }


def mark_committed(txn: Transaction, claim: Claim, entry_ids: list[str]) -> None:
    """Inside a ledger transaction: the request's change commits with this mark."""
    from google.cloud import firestore

    update: dict[str, Any] = {"state": "committed"}
    if entry_ids:
        update["entries"] = firestore.ArrayUnion(entry_ids[:50])
    txn.update(claim.ref, update)


def check_claim(snap: Any, claim: Claim) -> None:
    """Inside a ledger transaction: refuse to commit if the claim is no longer ours."""
    data = (snap.to_dict() or {}) if snap is not None and snap.exists else {}
    if data.get("token") != claim.token:
        raise ClaimLost(
            "A retry with the same Idempotency-Key took this request over; not committed."
        )


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
