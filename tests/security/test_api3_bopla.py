"""OWASP API3:2023 Broken Object Property Level Authorization: properties a caller may not set
(mass assignment) or see (excessive data exposure; issue 11, finding 11)."""

from __future__ import annotations

from typing import Any

import pytest

from coinbox_platform.tiers import MembershipTier
from tests.api.apikey_helpers import create_key
from tests.security.helpers import problem
from tests.support import ApiUser, make_api_user, wait_for

pytestmark = pytest.mark.stack

LOAN = {"amount": 20_000, "interestRate": 18, "termDays": 30, "purpose": "stock"}


@pytest.fixture(scope="module")
def pair() -> tuple[ApiUser, ApiUser]:
    return make_api_user(balance=200_000), make_api_user(balance=200_000)


MASS_ASSIGNMENT = [
    ("POST", "/loans", LOAN | {"status": "disbursed"}),
    ("POST", "/loans", LOAN | {"borrowerId": "{other}"}),
    ("POST", "/loans", LOAN | {"investorId": "{other}"}),
    ("POST", "/loans", LOAN | {"totalDue": 1}),
    ("POST", "/wallet/deposits", {"amount": 100, "userId": "{other}"}),
    ("POST", "/wallet/deposits", {"amount": 100, "balance": 10**12}),
    ("POST", "/wallet/withdrawals", {"amount": 100, "status": "completed"}),
    ("POST", "/wallet/withdrawals", {"amount": 100, "userId": "{other}"}),
    (
        "POST",
        "/crypto/orders",
        {"asset": "BTC", "side": "buy", "quantity": "0.1", "price": 10**6, "fee": 0},
    ),
    (
        "POST",
        "/crypto/orders",
        {"asset": "BTC", "side": "buy", "quantity": "0.1", "price": 10**6, "userId": "{other}"},
    ),
    ("POST", "/api-keys", {"name": "x", "userId": "{other}"}),
    ("POST", "/api-keys", {"name": "x", "adminGrant": True}),
    ("POST", "/api-keys", {"name": "x", "hash": "0" * 64}),
    ("POST", "/api-keys", {"name": "x", "status": "active", "expiresAt": None}),
    ("POST", "/webhooks", {"url": "http://127.0.0.1:9/x", "events": ["*"], "userId": "{other}"}),
    ("POST", "/webhooks", {"url": "http://127.0.0.1:9/x", "events": ["*"], "secret": "whsec_x"}),
    ("POST", "/exports", {"type": "loans", "userId": "{other}"}),
    ("PATCH", "/me", {"role": "admin"}),
    ("POST", "/investments", {"loanId": "loan_x", "amount": 20_000, "fee": 0}),
    ("POST", "/bulk/loans", {"items": [LOAN], "userId": "{other}"}),
]


def _fill(value: Any, other: str) -> Any:
    if isinstance(value, str):
        return value.replace("{other}", other)
    if isinstance(value, dict):
        return {k: _fill(v, other) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, other) for v in value]
    return value


@pytest.mark.parametrize("method, path, body", MASS_ASSIGNMENT)
def test_mass_assignment_is_refused(
    pair: tuple[ApiUser, ApiUser], method: str, path: str, body: dict[str, Any]
) -> None:
    """Held before issue 11: a body naming a property the caller may not set is a 4xx, and
    nothing is created for anyone."""
    me, other = pair
    before = me.get("/wallet").json(), other.get("/wallet").json()
    send = me.post if method == "POST" else me.patch
    resp = send(path, json=_fill(body, other.uid))
    assert 400 <= resp.status_code < 500 and resp.status_code != 429, resp.text
    assert (me.get("/wallet").json(), other.get("/wallet").json()) == before


def test_a_patch_cannot_raise_a_keys_tier() -> None:
    """Held before issue 11: PATCH accepts only name and scopes."""
    user = make_api_user(tier=MembershipTier.VIP)
    key = create_key(user)
    problem(user.patch(f"/api-keys/{key['id']}", json={"tier": "enterprise"}), 400)
    problem(user.patch(f"/api-keys/{key['id']}", json={"scopes": ["*"]}), 400)
    assert user.get(f"/api-keys/{key['id']}").json()["tier"] == "pro"


def test_the_borrower_does_not_see_the_investors_details_in_events() -> None:
    """Finding 11: the borrower received the investment with the investor's id, fee and
    expected return (which GET /v1/investments/{id} hides from them with a 404)."""
    borrower, investor = make_api_user(balance=10_000), make_api_user(balance=100_000)
    loan = borrower.post("/loans", json=LOAN)
    assert loan.status_code == 201, loan.text
    funded = investor.post(
        "/investments", json={"loanId": loan.json()["id"], "amount": LOAN["amount"]}
    )
    assert funded.status_code == 201, funded.text
    investment_id = funded.json()["id"]
    problem(borrower.get(f"/investments/{investment_id}"), 404)

    def event_for(user: ApiUser) -> dict[str, Any] | None:
        data = user.get("/events", params={"type": "investment.created"}).json()["data"]
        return data[0] if data else None

    seen = wait_for(lambda: event_for(borrower), timeout=30)["data"]["object"]
    assert seen["id"] == investment_id
    assert (seen["investorId"], seen["fee"], seen["expectedReturn"]) == (None, None, None)
    own = wait_for(lambda: event_for(investor), timeout=30)["data"]["object"]
    assert own["investorId"] == investor.uid and own["fee"] > 0 and own["expectedReturn"] > 0
    event_id = wait_for(lambda: event_for(borrower))["id"]
    single = borrower.get(f"/events/{event_id}").json()["data"]["object"]
    assert single["investorId"] is None
