"""OWASP API2:2023 Broken Authentication: credentials that should no longer work, secrets that
leak, and keys that outlive what minted them (issue 11, findings 2, 4, 5)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import firebase, store
from coinbox_platform.tiers import MembershipTier, Role
from tests.api.apikey_helpers import create_key, with_key
from tests.security.helpers import problem, raw
from tests.support import make_api_user, unique

pytestmark = pytest.mark.stack


def _idempotency_docs(uid: str) -> list[dict[str, Any]]:
    q = store.db().collection(store.IDEMPOTENCY).where(filter=FieldFilter("userId", "==", uid))
    return [d.to_dict() or {} for d in q.stream()]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
        {"X-API-Key": "cb_live_" + "A" * 38},
        {"X-API-Key": "cb_test_" + "A" * 38},
        {},
    ],
)
def test_forged_or_missing_credentials_are_refused(headers: dict[str, str]) -> None:
    """Held before issue 11: every forged credential is a 401 problem, never data."""
    problem(raw("GET", "/me", headers=headers), 401)


def test_a_disabled_account_is_refused_with_its_existing_id_token() -> None:
    """Finding 5: the ID token of an account disabled in Firebase Auth stops working (the
    token is checked for revocation, cached at most 30 s per instance)."""
    from firebase_admin import auth as fb_auth

    user = make_api_user()
    fb_auth.update_user(user.uid, disabled=True, app=firebase.app())
    problem(user.get("/me"), 401)
    problem(user.get("/wallet"), 401)


def test_revoked_sessions_are_refused() -> None:
    """Finding 5: revoking a user's sessions (refresh tokens) invalidates the ID tokens
    issued before."""
    import time

    from firebase_admin import auth as fb_auth

    user = make_api_user()
    time.sleep(1.1)  # validSince has second precision: revoke strictly after the token's iat
    fb_auth.revoke_refresh_tokens(user.uid, app=firebase.app())
    problem(user.get("/me"), 401)


@pytest.mark.parametrize("kind", ["api-keys", "webhooks"])
def test_a_secret_is_never_stored_for_idempotent_replay(kind: str) -> None:
    """Finding 2: a create with an Idempotency-Key keeps no plaintext secret, and its replay
    answers the same object without the secret, saying why."""
    user = make_api_user()
    body = (
        {"name": "replayed"}
        if kind == "api-keys"
        else {"url": "http://127.0.0.1:9/hook", "events": ["loan.created"]}
    )
    key = {"Idempotency-Key": unique("idem")}
    first = user.post(f"/{kind}", json=body, headers=key)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    stored = json.dumps(_idempotency_docs(user.uid), default=str)
    assert secret not in stored and secret[8:-6] not in stored
    again = user.post(f"/{kind}", json=body, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    replay = again.json()
    assert replay["id"] == first.json()["id"]
    assert "secret" not in replay and replay["secretWithheld"] is True
    assert "rotate" in replay["notice"]


def test_a_key_rotated_with_an_idempotency_key_keeps_no_secret() -> None:
    """Finding 2: rotation's new secret is not stored for replay either."""
    user = make_api_user()
    key = create_key(user)
    headers = {"Idempotency-Key": unique("rot")}
    rotated = user.post(f"/api-keys/{key['id']}/rotate", json={}, headers=headers)
    assert rotated.status_code == 201, rotated.text
    stored = json.dumps(_idempotency_docs(user.uid), default=str)
    assert rotated.json()["secret"] not in stored


def test_a_child_key_never_outlives_the_key_that_created_it() -> None:
    """Finding 4: a key that expires in 1 day cannot mint a key that never expires."""
    user = make_api_user(tier=MembershipTier.BUSINESS)
    parent = create_key(user, expiresInDays=1)
    resp = with_key(parent["secret"], "POST", "/api-keys", json={"name": "child"})
    assert resp.status_code == 201, resp.text
    child = resp.json()
    assert child["expiresAt"] is not None
    assert datetime.fromisoformat(child["expiresAt"]) <= datetime.fromisoformat(parent["expiresAt"])
    longer = with_key(
        parent["secret"], "POST", "/api-keys", json={"name": "c2", "expiresInDays": 365}
    )
    assert longer.status_code == 201, longer.text
    assert longer.json()["expiresAt"] == child["expiresAt"]


def _demote(uid: str, **changes: str) -> None:
    admin = make_api_user(role=Role.ADMIN)
    resp = admin.patch(f"/admin/users/{uid}", json=changes)
    assert resp.status_code == 200, resp.text


def test_a_demoted_owners_keys_lose_what_the_new_membership_does_not_allow() -> None:
    """Finding 4: after business → basic, an enterprise `*` key acts as a basic `read:*` key
    (tier and scopes re-derived at verification), and rotating it issues a basic key."""
    user = make_api_user(balance=100_000, tier=MembershipTier.BUSINESS)
    key = create_key(user)
    assert (key["tier"], key["scopes"]) == ("enterprise", ["*"])
    _demote(user.uid, membershipTier="basic")
    problem(
        with_key(key["secret"], "POST", "/wallet/withdrawals", json={"amount": 1_000}),
        403,
        "insufficient_scope",
    )
    ok = with_key(key["secret"], "GET", "/wallet")
    assert ok.status_code == 200, ok.text
    assert '"minute";q=10;' in ok.headers["RateLimit-Policy"]  # the basic tier's limits
    rotated = user.post(f"/api-keys/{key['id']}/rotate", json={})
    assert rotated.status_code == 201, rotated.text
    assert (rotated.json()["tier"], rotated.json()["scopes"]) == ("basic", ["read:*"])


def test_an_admin_demoted_to_user_loses_the_admin_granted_tier_of_their_own_keys() -> None:
    """Finding 4: an admin's own enterprise key (basic membership) drops to basic when the
    admin becomes a user."""
    admin = make_api_user(balance=100_000, role=Role.ADMIN)
    key = create_key(admin, tier="enterprise")
    _demote(admin.uid, role="user")
    problem(
        with_key(key["secret"], "POST", "/wallet/withdrawals", json={"amount": 1_000}),
        403,
        "insufficient_scope",
    )
