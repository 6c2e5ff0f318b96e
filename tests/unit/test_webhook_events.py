"""Which events a document change means, their deterministic ids, the retry policy and the
catalog."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema

from coinbox_platform.webhooks import catalog
from coinbox_platform.webhooks.delivery import EMULATOR, PRODUCTION, parse_retry_after
from coinbox_platform.webhooks.events import event_id, recipients, transitions

T = datetime(2025, 6, 1, tzinfo=UTC)


def types(collection: str, before: dict | None, after: dict | None) -> list[str]:  # type: ignore[type-arg]
    return [t for t, _ in transitions(collection, before, after)]


def test_loan_lifecycle() -> None:
    assert types("loans", None, {"status": "approved"}) == ["loan.created", "loan.approved"]
    assert types("loans", None, {"status": "rejected"}) == ["loan.created", "loan.rejected"]
    approved = {"status": "approved", "repaid": 0}
    disbursed = {"status": "disbursed", "repaid": 0}
    assert types("loans", approved, disbursed) == ["loan.disbursed"]
    assert types("loans", disbursed, {"status": "disbursed", "repaid": 5}) == [
        "loan.payment_received"
    ]
    assert types(
        "loans", {"status": "disbursed", "repaid": 5}, {"status": "completed", "repaid": 9}
    ) == [
        "loan.payment_received",
        "loan.completed",
    ]
    assert types("loans", approved, approved | {"updatedAt": T}) == []  # no transition
    assert types("loans", approved, None) == []


def test_other_collections() -> None:
    assert types(
        "investments", {"status": "active", "received": 0}, {"status": "active", "received": 3}
    ) == ["investment.dividend_paid"]
    assert types("transactions", None, {"status": "completed"}) == [
        "transaction.created",
        "transaction.completed",
    ]
    assert types("transactions", {"status": "pending"}, {"status": "failed"}) == [
        "transaction.failed"
    ]
    assert types("cryptoOrders", {"status": "open"}, {"status": "filled"}) == [
        "crypto.order_filled"
    ]
    assert types("users", {"kycStatus": "pending"}, {"kycStatus": "verified", "updatedAt": T}) == [
        "user.kyc_completed"
    ]
    assert types("users", {"kycStatus": "verified"}, {"kycStatus": "verified"}) == []


def test_event_ids_are_deterministic_per_transition() -> None:
    (_, key1), _ = transitions("loans", None, {"status": "approved"})
    assert event_id(f"loans/l1#{key1}", "loan.created") == event_id(
        f"loans/l1#{key1}", "loan.created"
    )
    assert event_id(f"loans/l1#{key1}", "loan.created") != event_id(
        f"loans/l2#{key1}", "loan.created"
    )
    assert event_id("x", "loan.created").startswith("evt_")
    a = transitions("users", {"kycStatus": "rejected"}, {"kycStatus": "verified", "updatedAt": T})
    b = transitions(
        "users", {"kycStatus": "rejected"}, {"kycStatus": "verified", "updatedAt": T.replace(day=2)}
    )
    assert a[0][1] != b[0][1]  # verified twice: two events


def test_recipients_are_everyone_the_object_belongs_to() -> None:
    assert recipients("loans", "l", {"borrowerId": "b", "investorId": "i"}) == ["b", "i"]
    assert recipients("cryptoOrders", "o", {"userId": "c", "takerId": None}) == ["c"]
    assert recipients("transactions", "t", {"userId": "platform-3"}) == []
    assert recipients("users", "u1", {}) == ["u1"]


def test_retry_policy_grows_and_production_spans_about_a_day() -> None:
    delays = [EMULATOR.delay(n, rng=lambda: 0.5) for n in range(1, 8)]
    assert delays[:4] == sorted(delays[:4]) and delays[0] < 1
    total = sum(PRODUCTION.delay(n, rng=lambda: 0.5) for n in range(1, PRODUCTION.max_attempts))
    assert 18 * 3600 < total < 30 * 3600
    lo = PRODUCTION.delay(3, rng=lambda: 0.0)
    hi = PRODUCTION.delay(3, rng=lambda: 1.0)
    assert lo < hi and hi < PRODUCTION.delay(4, rng=lambda: 0.0)  # jitter never reorders


def test_retry_after_forms() -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7
    assert parse_retry_after("Sun, 01 Jun 2025 12:00:30 GMT", now) == 30
    assert parse_retry_after("soon", now) is None


def test_catalog_examples_satisfy_their_schemas_and_openapi_section() -> None:
    assert len(catalog.DOMAIN_EVENT_TYPES) == 17
    for entry in catalog.catalog():
        jsonschema.validate(entry["example"], entry["schema"])
    section = catalog.openapi_webhooks()
    assert set(section) == set(catalog.EVENT_TYPES)
    assert "requestBody" in section["loan.created"]["post"]
    assert catalog.matches("loan.*", "loan.approved") and not catalog.matches("loan.*", "user.x")
    assert catalog.valid_pattern("crypto.*") and not catalog.valid_pattern("nope.*")
