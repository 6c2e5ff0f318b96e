"""The event catalog: every event type, its payload's JSON Schema and an example.

Served by `GET /v1/event-types` and used for the OpenAPI document's `webhooks` section
(`openapi_webhooks()`). An event's `data.object` is the resource as the API shows it (the
models' `to_api()`), so the schemas are derived from the same models.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel

from coinbox_platform.domain.models import (
    CryptoOrder,
    Investment,
    LedgerEntry,
    Loan,
    UserProfile,
)

API_VERSION = "2025-06-01"
EVENT_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class EventType:
    name: str
    object_kind: str  # loan, investment, transaction, crypto_order, user, bulk_batch, ...
    description: str
    domain: bool = True  # one of the 17 domain types of docs/product.md §5.1


_TYPES = (
    EventType("loan.created", "loan", "A loan was requested (sent with its review outcome)."),
    EventType("loan.approved", "loan", "The automatic review approved a loan for funding."),
    EventType("loan.rejected", "loan", "The automatic review rejected a loan (see reason)."),
    EventType("loan.disbursed", "loan", "A loan was funded and the money paid to the borrower."),
    EventType("loan.payment_received", "loan", "The borrower repaid part of a loan."),
    EventType("loan.completed", "loan", "A loan was repaid in full."),
    EventType("loan.cancelled", "loan", "The borrower withdrew an unfunded loan.", False),
    EventType("loan.expired", "loan", "An approved loan was not funded within 7 days.", False),
    EventType("loan.defaulted", "loan", "A loan was not repaid 7 days after it was due.", False),
    EventType("investment.created", "investment", "An investor funded a loan."),
    EventType("investment.completed", "investment", "The funded loan was repaid in full."),
    EventType(
        "investment.dividend_paid", "investment", "A repayment reached the investor's wallet."
    ),
    EventType("investment.defaulted", "investment", "The funded loan defaulted.", False),
    EventType("transaction.created", "transaction", "A ledger entry was written."),
    EventType("transaction.completed", "transaction", "A ledger entry completed."),
    EventType("transaction.failed", "transaction", "A ledger entry failed (e.g. a payout)."),
    EventType("crypto.order_created", "crypto_order", "A crypto listing was posted."),
    EventType("crypto.order_filled", "crypto_order", "A crypto listing was taken."),
    EventType("crypto.order_cancelled", "crypto_order", "The creator cancelled a listing."),
    EventType(
        "crypto.order_expired", "crypto_order", "A listing expired after 24 h untaken.", False
    ),
    EventType("user.kyc_completed", "user", "The user's identity was verified."),
    EventType("user.kyc_rejected", "user", "The user's identity verification was rejected."),
    EventType("bulk.completed", "bulk_batch", "A bulk operation finished.", False),
    EventType("export.completed", "export", "An export file is ready to download.", False),
    EventType("export.failed", "export", "An export failed.", False),
    EventType(
        "webhook.endpoint_disabled",
        "webhook_endpoint",
        "A webhook endpoint was disabled after repeated failures or a 410 Gone.",
        False,
    ),
)
EVENT_TYPES: dict[str, EventType] = {t.name: t for t in _TYPES}
DOMAIN_EVENT_TYPES: tuple[str, ...] = tuple(t.name for t in _TYPES if t.domain)


def is_known(name: str) -> bool:
    return name in EVENT_TYPES


def matches(pattern: str, event_type: str) -> bool:
    """A subscription filter: "*", "loan.*" or an exact type."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def valid_pattern(pattern: str) -> bool:
    if pattern == "*" or pattern in EVENT_TYPES:
        return True
    return pattern.endswith(".*") and any(t.startswith(pattern[:-1]) for t in EVENT_TYPES)


# --- schemas ---------------------------------------------------------------------------------


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """Resolve local `$defs` references in place: the schema is embedded in other documents
    (the OpenAPI document), where `#/$defs/…` would not resolve."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: dict[str, Any] = walk(schema)
    return out


def _redactable(schema: dict[str, Any]) -> dict[str, Any]:
    """An investment as an event carries it: investorId, fee and expectedReturn are null for a
    recipient who is not the investor (the borrower)."""
    for key in ("investorId", "fee", "expectedReturn"):
        prop = schema["properties"][key]
        schema["properties"][key] = {
            "anyOf": [{k: v for k, v in prop.items() if k != "title"}, {"type": "null"}],
            "title": prop.get("title", key),
            "description": "null for a recipient who is not the investor (the borrower)",
        }
    return schema


def _model_schema(model: type[BaseModel], kind: str) -> dict[str, Any]:
    schema = _inline(model.model_json_schema(by_alias=True, mode="serialization"))
    props: dict[str, Any] = {"id": schema["properties"].pop("id")}
    props["object"] = {"type": "string", "const": kind}
    props.update(schema["properties"])
    schema["properties"] = props
    schema["required"] = ["id", "object", *[r for r in schema.get("required", []) if r != "id"]]
    schema.pop("title", None)
    schema["title"] = model.__name__
    return schema


_QUANTITY = {"type": "string", "pattern": r"^\d+(\.\d{1,8})?$", "description": "decimal string"}


def _loose(title: str, props: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "const": kind},
            **props,
        },
        "required": ["id", "object"],
        "additionalProperties": True,
    }


@cache
def object_schemas() -> dict[str, dict[str, Any]]:
    ts = {"type": "string", "format": "date-time"}
    order = _model_schema(CryptoOrder, "crypto_order")
    order["properties"]["quantity"] = _QUANTITY
    order["properties"].pop("volumeDay", None)
    order["required"] = [r for r in order["required"] if r != "volumeDay"]
    txn = _model_schema(LedgerEntry, "transaction")
    for key in ("amount", "balanceBefore", "balanceAfter", "lockedBefore", "lockedAfter"):
        txn["properties"][key] = {
            "anyOf": [{"type": "integer"}, _QUANTITY],
            "description": "cents for ZAR, a decimal string for a crypto asset",
        }
    return {
        "loan": _model_schema(Loan, "loan"),
        "investment": _redactable(_model_schema(Investment, "investment")),
        "transaction": txn,
        "crypto_order": order,
        "user": _model_schema(UserProfile, "user"),
        "bulk_batch": _loose(
            "BulkBatch",
            {
                "operation": {"type": "string"},
                "mode": {"type": "string"},
                "status": {"type": "string"},
                "totalItems": {"type": "integer"},
                "succeeded": {"type": "integer"},
                "failed": {"type": "integer"},
            },
            "bulk_batch",
        ),
        "export": _loose(
            "Export",
            {
                "type": {"type": "string"},
                "format": {"type": "string"},
                "status": {"type": "string"},
                "recordCount": {"type": ["integer", "null"]},
                "error": {"type": ["string", "null"]},
                "createdAt": ts,
            },
            "export",
        ),
        "webhook_endpoint": _loose(
            "WebhookEndpoint",
            {
                "url": {"type": "string", "format": "uri"},
                "events": {"type": "array", "items": {"type": "string"}},
                "status": {"type": "string", "enum": ["active", "paused", "disabled"]},
                "disabledReason": {"type": ["string", "null"]},
                "consecutiveFailures": {"type": "integer"},
                "createdAt": ts,
            },
            "webhook_endpoint",
        ),
    }


def event_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of an event of type `name`, as POSTed to endpoints and listed by
    GET /v1/events."""
    kind = EVENT_TYPES[name].object_kind
    return {
        "title": "Event " + name,
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^evt_[0-9A-Za-z]+$"},
            "object": {"type": "string", "const": "event"},
            "type": {"type": "string", "const": name},
            "createdAt": {"type": "string", "format": "date-time"},
            "apiVersion": {"type": "string", "const": API_VERSION},
            "userId": {"type": "string", "description": "the user this copy is addressed to"},
            "data": {
                "type": "object",
                "properties": {"object": object_schemas()[kind]},
                "required": ["object"],
            },
        },
        "required": ["id", "object", "type", "createdAt", "apiVersion", "data", "userId"],
    }


# --- examples --------------------------------------------------------------------------------

_T0 = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


def _example_objects(name: str) -> dict[str, Any]:
    kind = EVENT_TYPES[name].object_kind
    status = name.rsplit(".", 1)[1].removeprefix("order_")
    if kind == "loan":
        loan_status = {
            "created": "approved",
            "payment_received": "disbursed",
        }.get(status, status)
        funded = loan_status in ("disbursed", "completed", "defaulted")
        return Loan(
            id="loan_8Jd2kQ0aZ1xYb3Cv4Nm5Pq6R",
            borrower_id="uid_borrower",
            amount=50_000,
            interest_rate=20,
            term_days=30,
            purpose="School fees",
            status=loan_status,
            reason="kyc_not_verified" if loan_status == "rejected" else None,
            investor_id="uid_investor" if funded else None,
            investment_id="inv_4Hs8Lp2QwE6rTy0Ui9Op1As3" if funded else None,
            total_due=60_000 if funded else None,
            repaid={"payment_received": 20_000, "completed": 60_000}.get(status, 0),
            due_at=_T0 + timedelta(days=30) if funded else None,
            expires_at=_T0 + timedelta(days=7),
            created_at=_T0,
        ).to_api()
    if kind == "investment":
        inv_status = {"created": "active", "dividend_paid": "active"}.get(status, status)
        return Investment(
            id="inv_4Hs8Lp2QwE6rTy0Ui9Op1As3",
            investor_id="uid_investor",
            borrower_id="uid_borrower",
            loan_id="loan_8Jd2kQ0aZ1xYb3Cv4Nm5Pq6R",
            amount=50_000,
            fee=1_000,
            expected_return=60_000,
            received={"dividend_paid": 20_000, "completed": 60_000}.get(status, 0),
            status=inv_status,
            created_at=_T0,
        ).to_api()
    if kind == "transaction":
        txn_status = {"created": "pending"}.get(status, status)
        return LedgerEntry(
            id="txn_2Wq9Er7Ty5Ui3Op1As8Df6Gh",
            user_id="uid_user",
            type="withdrawal",
            amount=25_000,
            asset="ZAR",
            direction="debit",
            balance_before=100_000,
            balance_after=75_000,
            locked_before=0,
            locked_after=0,
            status=txn_status,
            wallet_version=7,
            description="Withdrawal to bank",
            failure_reason="payout_rejected" if txn_status == "failed" else None,
            created_at=_T0,
        ).to_api()
    if kind == "crypto_order":
        ord_status = {"created": "open"}.get(status, status)
        return CryptoOrder(
            id="ord_6Yt4Re2Wq0Pl9Ok8Ij7Uh5Yg",
            user_id="uid_creator",
            asset="BTC",
            side="sell",
            quantity=1_500_000,
            price=120_000_000,
            value=1_800_000,
            fee=9_000,
            status=ord_status,
            taker_id="uid_taker" if ord_status == "filled" else None,
            created_at=_T0,
            expires_at=_T0 + timedelta(hours=24),
            volume_day="2025-06-01",
        ).to_api()
    if kind == "user":
        rejected = status == "kyc_rejected"
        return UserProfile(
            id="uid_user",
            email="thandi@example.com",
            display_name="Thandi M.",
            kyc_status="rejected" if rejected else "verified",
            kyc_reason="document_unreadable" if rejected else None,
            created_at=_T0,
        ).to_api()
    iso = "2025-06-01T09:30:00.000Z"
    if kind == "bulk_batch":
        return {
            "id": "bat_1Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik",
            "object": "bulk_batch",
            "operation": "messages",
            "mode": "independent",
            "status": "completed",
            "totalItems": 50,
            "succeeded": 50,
            "failed": 0,
        }
    if kind == "export":
        failed = status == "failed"
        return {
            "id": "exp_9Ol8Ik7Uj6Yh5Tg4Rf3Ed2Ws",
            "object": "export",
            "type": "loans",
            "format": "csv",
            "status": status,
            "recordCount": None if failed else 1200,
            "error": "storage_unavailable" if failed else None,
            "createdAt": iso,
        }
    return {
        "id": "whk_3Ed4Rf5Tg6Yh7Uj8Ik9Ol0Pq",
        "object": "webhook_endpoint",
        "url": "https://example.com/coinbox/webhooks",
        "events": ["*"],
        "status": "disabled",
        "disabledReason": "consecutive_failures",
        "consecutiveFailures": 10,
        "createdAt": iso,
    }


def example_event(name: str) -> dict[str, Any]:
    obj = _example_objects(name)
    return {
        "id": "evt_5Tg6Yh7Uj8Ik9Ol0Pq1Aw2Se",
        "object": "event",
        "type": name,
        "createdAt": "2025-06-01T09:30:01.250Z",
        "apiVersion": API_VERSION,
        "userId": obj.get("userId") or obj.get("borrowerId") or obj.get("investorId") or "uid_user",
        "data": {"object": obj},
    }


def catalog() -> list[dict[str, Any]]:
    """Every event type with its description, JSON Schema and an example (GET /v1/event-types)."""
    return [
        {
            "object": "event_type",
            "type": t.name,
            "description": t.description,
            "objectType": t.object_kind,
            "domain": t.domain,
            "schema": event_schema(t.name),
            "example": example_event(t.name),
        }
        for t in _TYPES
    ]


def openapi_webhooks() -> dict[str, Any]:
    """The OpenAPI 3.1 `webhooks` section: one POST per event type with its payload schema,
    the Standard Webhooks headers, and what the receiver should answer."""
    header = {"required": True, "schema": {"type": "string"}}
    out: dict[str, Any] = {}
    for t in _TYPES:
        out[t.name] = {
            "post": {
                "operationId": "webhook_" + t.name.replace(".", "_"),
                "summary": t.description,
                "description": (
                    "Sent to every active subscription whose `events` match "
                    f"`{t.name}`. Delivery is at least once and unordered: deduplicate on "
                    "`webhook-id` and verify `webhook-signature` (Standard Webhooks)."
                ),
                "tags": ["Webhooks"],
                "parameters": [
                    {
                        "name": "webhook-id",
                        "in": "header",
                        **header,
                        "description": "The event id; the same on every retry.",
                    },
                    {
                        "name": "webhook-timestamp",
                        "in": "header",
                        **header,
                        "description": "Unix seconds when this attempt was signed.",
                    },
                    {
                        "name": "webhook-signature",
                        "in": "header",
                        **header,
                        "description": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
                        "`{webhook-id}.{webhook-timestamp}.{body}`; two during a secret rotation.",
                    },
                    {"name": "X-CoinBox-Event-Type", "in": "header", **header},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": event_schema(t.name),
                            "example": example_event(t.name),
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received. Any 2xx within 15 s counts as delivered."},
                    "410": {"description": "Gone: the endpoint is disabled at once."},
                    "default": {
                        "description": "Anything else (or a timeout) is retried with backoff; "
                        "429/503 with Retry-After are retried no sooner than it says."
                    },
                },
            }
        }
    return out
