"""OWASP API1:2023 Broken Object Level Authorization: another user's ids, in every family, are
404 (or 403 where the object is public but the action is the owner's). Held before issue 11;
kept as a regression suite, with the reserved-id probe of finding 7."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from coinbox_platform.clock import utcnow
from coinbox_platform.domain import messages
from coinbox_platform.tiers import Role
from tests.api.apikey_helpers import create_key
from tests.security.helpers import problem
from tests.support import ApiUser, make_api_user, wait_for

pytestmark = pytest.mark.stack

LOAN = {"amount": 20_000, "interestRate": 18, "termDays": 30, "purpose": "stock"}


@dataclass
class Victim:
    user: ApiUser
    ids: dict[str, str]


@pytest.fixture(scope="module")
def victim() -> Iterator[Victim]:
    """One user's objects of every family."""
    user, funder = make_api_user(balance=500_000), make_api_user(balance=500_000)
    ids: dict[str, str] = {}

    def created(resp: Any) -> dict[str, Any]:
        assert resp.status_code in (201, 202), resp.text
        body: dict[str, Any] = resp.json()
        return body

    ids["withdrawal"] = created(user.post("/wallet/withdrawals", json={"amount": 1_000}))["id"]
    ids["loan"] = created(user.post("/loans", json=LOAN))["id"]
    other_loan = created(funder.post("/loans", json=LOAN))["id"]
    ids["investment"] = created(
        user.post("/investments", json={"loanId": other_loan, "amount": LOAN["amount"]})
    )["id"]
    order = {"asset": "USDT", "side": "buy", "quantity": "10", "price": 1_800}
    ids["order"] = created(user.post("/crypto/orders", json=order))["id"]
    ids["cancelled_order"] = created(user.post("/crypto/orders", json=order))["id"]
    assert user.post(f"/crypto/orders/{ids['cancelled_order']}/cancel").status_code == 200
    hook = created(user.post("/webhooks", json={"url": "http://127.0.0.1:9/v", "events": ["*"]}))
    ids["webhook"] = hook["id"]
    ids["key"] = create_key(user)["id"]
    ids["export"] = created(user.post("/exports", json={"type": "loans"}))["id"]
    ids["batch"] = created(user.post("/bulk/loans", json={"items": [LOAN]}))["id"]
    msg = messages.build_message(user.uid, "Hello", "Private note")
    ids["message"] = messages.send_message(msg).id
    ids["event"] = wait_for(lambda: user.get("/events").json()["data"], timeout=30)[0]["id"]
    yield Victim(user, ids)


PROBES = [
    ("GET", "/transactions/{withdrawal}", 404),
    ("GET", "/investments/{investment}", 404),
    ("GET", "/crypto/orders/{cancelled_order}", 404),
    ("POST", "/crypto/orders/{order}/cancel", 404),
    ("POST", "/crypto/orders/{cancelled_order}/take", 404),
    ("POST", "/loans/{loan}/cancel", 403),  # open on the marketplace: visible, not theirs
    ("POST", "/loans/{loan}/repayments", 403),
    ("GET", "/loans/{loan}/repayments", 404),
    ("GET", "/webhooks/{webhook}", 404),
    ("PATCH", "/webhooks/{webhook}", 404),
    ("DELETE", "/webhooks/{webhook}", 404),
    ("GET", "/webhooks/{webhook}/deliveries", 404),
    ("POST", "/webhooks/{webhook}/test", 404),
    ("POST", "/webhooks/{webhook}/rotate-secret", 404),
    ("POST", "/webhooks/{webhook}/recover", 404),
    ("GET", "/api-keys/{key}", 404),
    ("PATCH", "/api-keys/{key}", 404),
    ("POST", "/api-keys/{key}/revoke", 404),
    ("POST", "/api-keys/{key}/rotate", 404),
    ("GET", "/api-keys/{key}/usage", 404),
    ("GET", "/exports/{export}", 404),
    ("GET", "/exports/{export}/file", 404),
    ("GET", "/bulk/{batch}", 404),
    ("POST", "/messages/{message}/read", 404),
    ("GET", "/events/{event}", 404),
]
BODIES: dict[str, Any] = {
    "PATCH /webhooks/{webhook}": {"status": "paused"},
    "PATCH /api-keys/{key}": {"name": "mine"},
    "POST /loans/{loan}/repayments": {"amount": 100},
    "POST /webhooks/{webhook}/recover": {"since": (utcnow() - timedelta(days=1)).isoformat()},
    "POST /webhooks/{webhook}/test": {"type": "loan.created"},
    "POST /api-keys/{key}/rotate": {},
}


@pytest.mark.parametrize("method, template, status", PROBES)
def test_another_users_object_is_not_theirs(
    victim: Victim, method: str, template: str, status: int
) -> None:
    attacker = make_api_user(balance=100_000)
    path = template.format(**victim.ids)
    body = BODIES.get(f"{method} {template}")
    resp = {
        "GET": lambda: attacker.get(path),
        "POST": lambda: attacker.post(path, json=body),
        "PATCH": lambda: attacker.patch(path, json=body),
        "DELETE": lambda: attacker.delete(path),
    }[method]()
    problem(resp, status)
    # And the owner still has it, unchanged where it matters.
    if template.startswith("/webhooks"):
        assert victim.user.get(f"/webhooks/{victim.ids['webhook']}").json()["status"] == "active"
    if template.startswith("/api-keys"):
        assert victim.user.get(f"/api-keys/{victim.ids['key']}").json()["status"] == "active"


def test_lists_never_include_another_users_objects(victim: Victim) -> None:
    attacker = make_api_user()
    for path in (
        "/transactions",
        "/investments",
        "/crypto/orders",
        "/webhooks",
        "/api-keys",
        "/exports",
        "/bulk",
        "/messages",
        "/events",
    ):
        data = attacker.get(path).json()["data"]
        assert all(victim.ids.get(k) not in {d.get("id") for d in data} for k in victim.ids), path
    cursor = attacker.get("/transactions", params={"startingAfter": victim.ids["withdrawal"]})
    problem(cursor, 400)


ROUTES_WITH_IDS = [
    ("GET", "/loans/{x}"),
    ("POST", "/loans/{x}/cancel"),
    ("GET", "/loans/{x}/repayments"),
    ("POST", "/loans/{x}/repayments"),
    ("GET", "/investments/{x}"),
    ("GET", "/transactions/{x}"),
    ("GET", "/crypto/orders/{x}"),
    ("POST", "/crypto/orders/{x}/take"),
    ("POST", "/crypto/orders/{x}/cancel"),
    ("GET", "/crypto/orderbook/{x}"),
    ("POST", "/messages/{x}/read"),
    ("GET", "/webhooks/{x}"),
    ("PATCH", "/webhooks/{x}"),
    ("DELETE", "/webhooks/{x}"),
    ("GET", "/webhooks/{x}/deliveries"),
    ("GET", "/webhooks/{x}/deliveries/{x}"),
    ("POST", "/webhooks/{x}/deliveries/{x}/retry"),
    ("POST", "/webhooks/{x}/rotate-secret"),
    ("GET", "/api-keys/{x}"),
    ("GET", "/api-keys/{x}/usage"),
    ("GET", "/exports/{x}"),
    ("GET", "/exports/{x}/file"),
    ("GET", "/bulk/{x}"),
    ("GET", "/bulk/templates/{x}"),
    ("GET", "/events/{x}"),
    ("GET", "/admin/users/{x}"),
]


@pytest.mark.parametrize("reserved", ["__x__", "__name__", "a.b", "%C3%BC", "a%20b", "a" * 1600])
def test_reserved_and_malformed_ids_are_404_everywhere(reserved: str) -> None:
    """Finding 7: `__x__` (a name Firestore reserves) gave 500 on crypto orders and messages;
    every path id is now checked before any Firestore call."""
    staff = make_api_user(role=Role.ADMIN)
    for method, template in ROUTES_WITH_IDS:
        path = template.replace("{x}", reserved)
        if method == "GET":
            resp = staff.get(path)
        elif method == "POST":
            resp = staff.post(path, json={"amount": 100})
        elif method == "PATCH":
            resp = staff.patch(path, json={"status": "paused"})
        else:
            resp = staff.delete(path)
        assert resp.status_code in (400, 404), f"{method} {path}: {resp.status_code} {resp.text}"
