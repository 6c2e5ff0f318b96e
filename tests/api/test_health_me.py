"""GET /v1/health and GET /v1/me through Hosting → functions → Firestore/Auth emulators."""

from __future__ import annotations

import pytest

from coinbox_platform import store
from tests.support import SESSION, api_base, make_api_user, sign_up, unique

pytestmark = pytest.mark.stack


def test_health_answers_through_hosting() -> None:
    resp = SESSION.get(api_base() + "/health", timeout=10)
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"
    assert resp.headers["X-Request-Id"].startswith("req_")


def test_me_creates_the_profile_on_first_use() -> None:
    email = f"{unique()}@example.test"
    uid, token = sign_up(email)
    assert not store.db().collection(store.USERS).document(uid).get().exists
    resp = SESSION.get(api_base() + "/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["id"] == uid
    assert body["email"] == email
    assert (body["role"], body["membershipTier"], body["kycStatus"]) == ("user", "basic", "pending")
    assert body["limits"]["loanLimit"] == 50_000
    stored = store.db().collection(store.USERS).document(uid).get().to_dict()
    assert stored["role"] == "user"


def test_me_shows_limits_and_usage_of_the_tier() -> None:
    user = make_api_user(balance=10_000)
    body = user.get("/me").json()
    assert body["usage"] == {"activeInvested": 0, "cryptoWeeklyVolume": 0, "openCryptoOrders": 0}
    assert body["limits"]["apiTier"] == "basic"


@pytest.mark.parametrize(
    "headers, code",
    [
        ({}, "unauthenticated"),
        ({"Authorization": "Bearer not-a-token"}, "invalid_token"),
        ({"Authorization": "Basic abc"}, "invalid_authorization"),
    ],
)
def test_me_refuses_missing_or_bad_credentials(headers: dict[str, str], code: str) -> None:
    resp = SESSION.get(api_base() + "/me", headers=headers, timeout=10)
    assert resp.status_code == 401
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == code
    assert body["status"] == 401
    assert body["requestId"] == resp.headers["X-Request-Id"]


def test_unknown_route_is_a_problem_404() -> None:
    resp = SESSION.get(api_base() + "/me/nothing-here", timeout=10)
    assert resp.status_code == 404
    assert resp.json()["code"] == "route_not_found"
