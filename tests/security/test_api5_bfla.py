"""OWASP API5:2023 Broken Function Level Authorization: functions a caller may not use —
staff and admin routes, scopes, and key management beyond the caller's own powers (issue 11,
finding 1: rotation and revocation obeyed no such rule)."""

from __future__ import annotations

import pytest

from coinbox_platform.tiers import MembershipTier, Role
from tests.api.apikey_helpers import create_key, with_key
from tests.security.helpers import problem
from tests.support import make_api_user

pytestmark = pytest.mark.stack


def test_a_key_manager_cannot_rotate_a_more_powerful_sibling_into_its_hands() -> None:
    """Finding 1: a key holding only `admin:api_keys` rotating the owner's `*` key got its
    new secret (and withdrew money with it). Now 403, and the sibling is unchanged."""
    owner = make_api_user(balance=100_000, tier=MembershipTier.BUSINESS)
    manager = create_key(owner, scopes=["admin:api_keys"])["secret"]
    sibling = create_key(owner)  # enterprise, `*`
    resp = with_key(manager, "POST", f"/api-keys/{sibling['id']}/rotate", json={})
    body = problem(resp, 403, "insufficient_scope")
    assert "secret" not in body
    assert with_key(sibling["secret"], "GET", "/me").status_code == 200  # still active
    assert owner.get(f"/api-keys/{sibling['id']}").json()["rotatedTo"] is None


def test_a_key_manager_cannot_revoke_or_patch_a_more_powerful_sibling() -> None:
    """Finding 1: revoke (and patch) follow the same rule as create."""
    owner = make_api_user(tier=MembershipTier.BUSINESS)
    manager = create_key(owner, scopes=["admin:api_keys", "read:loans"])["secret"]
    sibling = create_key(owner)
    problem(with_key(manager, "POST", f"/api-keys/{sibling['id']}/revoke"), 403)
    problem(
        with_key(manager, "PATCH", f"/api-keys/{sibling['id']}", json={"name": "mine now"}),
        403,
    )
    assert owner.get(f"/api-keys/{sibling['id']}").json()["status"] == "active"
    # What the manager holds itself it may still manage: a read:loans child, and itself.
    child = with_key(manager, "POST", "/api-keys", json={"name": "c", "scopes": ["read:loans"]})
    assert child.status_code == 201, child.text
    assert with_key(manager, "POST", f"/api-keys/{child.json()['id']}/rotate", json={}).ok
    own = with_key(manager, "GET", "/api-keys").json()["data"]
    me = next(k for k in own if k["scopes"] == ["admin:api_keys", "read:loans"])
    assert with_key(manager, "POST", f"/api-keys/{me['id']}/revoke").status_code == 200


def test_a_key_cannot_grant_a_tier_or_scope_it_lacks() -> None:
    """Held before issue 11 (create): no scope or tier beyond the caller's own."""
    owner = make_api_user(tier=MembershipTier.BUSINESS)
    narrow = create_key(owner, scopes=["admin:api_keys", "read:loans"])["secret"]
    problem(
        with_key(narrow, "POST", "/api-keys", json={"name": "x", "scopes": ["write:wallet"]}),
        403,
        "insufficient_scope",
    )
    problem(
        with_key(narrow, "POST", "/api-keys", json={"name": "x", "scopes": ["*"]}),
        403,
        "insufficient_scope",
    )


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/admin/users/{other}", None),
        ("PATCH", "/admin/users/{other}", {"membershipTier": "business"}),
        ("PATCH", "/admin/users/{me}", {"role": "admin"}),
        ("POST", "/bulk/messages", {"items": [{"userId": "{other}", "title": "t", "body": "b"}]}),
    ],
)
def test_users_cannot_call_staff_functions(method: str, path: str, body: object) -> None:
    """Held before issue 11: staff routes refuse ordinary users (403), whatever the body."""
    me, other = make_api_user(), make_api_user()

    def fill(value: object) -> object:
        text = str(value) if not isinstance(value, (dict, list)) else None
        if text is not None:
            return text.replace("{other}", other.uid).replace("{me}", me.uid)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        assert isinstance(value, list)
        return [fill(v) for v in value]

    url = str(fill(path))
    resp = {
        "GET": lambda: me.get(url),
        "PATCH": lambda: me.patch(url, json=fill(body)),
        "POST": lambda: me.post(url, json=fill(body)),
    }[method]()
    problem(resp, 403)


def test_support_cannot_change_roles_or_tiers() -> None:
    """Held before issue 11: support staff change KYC, never role or tier."""
    support, user = make_api_user(role=Role.SUPPORT), make_api_user()
    problem(support.patch(f"/admin/users/{user.uid}", json={"role": "admin"}), 403)
    problem(support.patch(f"/admin/users/{user.uid}", json={"membershipTier": "vip"}), 403)
    problem(support.patch(f"/admin/users/{support.uid}", json={"role": "admin"}), 403)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/wallet/withdrawals", {"amount": 100}),
        ("POST", "/loans", {"amount": 10_000, "interestRate": 18, "termDays": 30, "purpose": "x"}),
        ("POST", "/crypto/orders", {"asset": "BTC", "side": "buy", "quantity": "0.1", "price": 1}),
        ("POST", "/webhooks", {"url": "http://127.0.0.1:9/x", "events": ["*"]}),
        ("POST", "/exports", {"type": "loans"}),
        ("POST", "/api-keys", {"name": "x"}),
    ],
)
def test_a_read_only_key_cannot_call_write_functions(method: str, path: str, body: object) -> None:
    """Held before issue 11: a `read:*` key gets 403 insufficient_scope on every write."""
    user = make_api_user(balance=10_000)
    secret = create_key(user)["secret"]  # basic: read:*
    problem(with_key(secret, method, path, json=body), 403, "insufficient_scope")
