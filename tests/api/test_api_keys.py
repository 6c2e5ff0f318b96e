"""API keys (docs/product.md §4.2) through Hosting → functions → Firestore: create, list, get,
update,
revoke, rotate with grace; verification errors; tiers and scopes; nothing stores the secret."""

from __future__ import annotations

import hmac
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.access import apikeys
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.users import get_profile
from coinbox_platform.errors import Unauthenticated
from coinbox_platform.tiers import MembershipTier, Role
from tests.api.apikey_helpers import create_key, with_key
from tests.support import make_api_user, wait_for, wait_for_logs

pytestmark = pytest.mark.stack


def _problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["code"] == code, body
    assert body["status"] == status and body["requestId"] == resp.headers["X-Request-Id"]
    return body


def _events(key_id: str) -> list[dict[str, Any]]:
    docs = (
        store.db()
        .collection(apikeys.API_KEY_EVENTS)
        .where(filter=FieldFilter("keyId", "==", key_id))
        .stream()
    )
    return sorted((d.to_dict() or {} for d in docs), key=lambda e: e["timestamp"])


def test_create_shows_the_secret_once_and_stores_only_its_hmac() -> None:
    user = make_api_user()
    key = create_key(user, name="ci", headers={"User-Agent": "keys-test/1"})
    secret = key["secret"]
    apikeys.check_format(secret)
    assert key["id"].startswith("key_") and key["displayPrefix"] == secret[:12]
    assert (key["tier"], key["scopes"], key["status"]) == ("basic", ["read:*"], "active")
    stored = store.db().collection("apiKeys").document(key["id"]).get().to_dict()
    assert stored["hash"] == apikeys.key_hash(secret) and secret not in json.dumps(
        stored, default=str
    )
    assert stored["userId"] == user.uid
    fetched = user.get(f"/api-keys/{key['id']}").json()
    assert "secret" not in fetched and fetched["id"] == key["id"]
    listed = user.get("/api-keys").json()
    assert [k["id"] for k in listed["data"]] == [key["id"]] and "secret" not in listed["data"][0]
    (event,) = _events(key["id"])
    assert event["type"] == "created" and event["actor"]["userId"] == user.uid
    assert event["ip"] and event["timestamp"]


def test_the_key_acts_as_its_owner_in_either_header() -> None:
    user = make_api_user()
    secret = create_key(user)["secret"]
    for header in ("x-api-key", "bearer"):
        resp = with_key(secret, "GET", "/me", header=header)
        assert resp.status_code == 200, resp.text
        assert resp.json()["id"] == user.uid


def test_tier_is_limited_by_membership_and_scopes_by_tier() -> None:
    basic = make_api_user()
    _problem(basic.post("/api-keys", json={"name": "x", "tier": "pro"}), 403, "tier_not_allowed")
    resp = basic.post("/api-keys", json={"name": "x", "scopes": ["write:loans"]})
    body = _problem(resp, 400, "invalid_request")
    assert body["errors"][0]["code"] == "scope_not_allowed"
    vip = make_api_user(tier=MembershipTier.VIP)
    pro = create_key(vip)
    assert pro["tier"] == "pro"
    assert set(pro["scopes"]) == {
        "read:*",
        "write:loans",
        "write:investments",
        "write:crypto",
        "write:exports",
    }
    _problem(
        vip.post("/api-keys", json={"name": "x", "tier": "enterprise"}), 403, "tier_not_allowed"
    )
    business = make_api_user(tier=MembershipTier.BUSINESS)
    assert create_key(business)["scopes"] == ["*"]
    admin = make_api_user(role=Role.ADMIN)  # basic membership, but admins grant any tier
    granted = create_key(admin, tier="enterprise", userId=basic.uid)
    assert (granted["tier"], granted["userId"]) == ("enterprise", basic.uid)
    _problem(basic.post("/api-keys", json={"name": "x", "userId": admin.uid}), 403, "forbidden")
    bad = basic.post("/api-keys", json={"name": "x", "expiresInDays": 366})
    _problem(bad, 400, "invalid_request")
    assert basic.get("/api-keys").json()["data"] == [basic.get(f"/api-keys/{granted['id']}").json()]


def test_a_read_only_key_gets_insufficient_scope_on_a_write_route() -> None:
    user = make_api_user()
    secret = create_key(user)["secret"]
    resp = with_key(secret, "POST", "/api-keys", json={"name": "sneaky"})
    body = _problem(resp, 403, "insufficient_scope")
    assert body["requiredScope"] == "admin:api_keys"
    assert len(user.get("/api-keys").json()["data"]) == 1  # nothing was created


def test_a_key_with_admin_api_keys_manages_keys_but_cannot_grant_more_than_it_holds() -> None:
    user = make_api_user(tier=MembershipTier.BUSINESS)
    manager = create_key(user, scopes=["admin:api_keys", "read:loans"])["secret"]
    resp = with_key(manager, "POST", "/api-keys", json={"name": "child", "scopes": ["read:loans"]})
    assert resp.status_code == 201, resp.text
    child = resp.json()
    assert child["tier"] == "enterprise" and child["scopes"] == ["read:loans"]
    resp = with_key(manager, "POST", "/api-keys", json={"name": "x", "scopes": ["write:loans"]})
    _problem(resp, 403, "insufficient_scope")
    resp = with_key(manager, "POST", f"/api-keys/{child['id']}/revoke")
    assert resp.status_code == 200 and resp.json()["status"] == "revoked"
    (_created, revoked) = _events(child["id"])
    assert revoked["type"] == "revoked" and revoked["actor"]["keyId"] == apikeys.key_id(manager)


def test_update_renames_and_rescopes_and_records_events() -> None:
    user = make_api_user(tier=MembershipTier.VIP)
    key = create_key(user)
    resp = user.patch(f"/api-keys/{key['id']}", json={"name": "renamed", "scopes": ["read:loans"]})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["name"], resp.json()["scopes"]) == ("renamed", ["read:loans"])
    bad = user.patch(f"/api-keys/{key['id']}", json={"scopes": ["write:wallet"]})
    _problem(bad, 400, "invalid_request")
    stored = store.db().collection("apiKeys").document(key["id"]).get().to_dict()
    assert stored["scopes"] == ["read:loans"]
    assert [e["type"] for e in _events(key["id"])] == ["created", "updated"]
    other = make_api_user()
    _problem(other.get(f"/api-keys/{key['id']}"), 404, "not_found")
    _problem(other.patch(f"/api-keys/{key['id']}", json={"name": "x"}), 404, "not_found")
    _problem(other.post(f"/api-keys/{key['id']}/revoke"), 404, "not_found")


@pytest.mark.parametrize(
    "secret, reason",
    [
        ("cb_live_tooshort", "malformed"),
        ("cb_live_" + "a" * 32 + "zzzzzz", "bad_checksum"),
        ("cb_test_" + "a" * 38, "test_key"),
    ],
)
def test_malformed_and_mistyped_keys_are_refused(secret: str, reason: str) -> None:
    body = _problem(with_key(secret, "GET", "/me"), 401, "invalid_api_key")
    assert body["reason"] == reason


def test_unknown_revoked_and_expired_keys_are_refused() -> None:
    _problem(with_key(apikeys.generate_key(), "GET", "/me"), 401, "invalid_api_key")
    user = make_api_user()
    key = create_key(user)
    assert user.post(f"/api-keys/{key['id']}/revoke").status_code == 200
    # never used on the `me` instance, so not cached there: refused at once
    _problem(with_key(key["secret"], "GET", "/me"), 401, "api_key_revoked")
    _problem(user.post(f"/api-keys/{key['id']}/revoke"), 409, "already_revoked")
    profile = get_profile(user.uid)
    assert profile is not None
    record, secret = apikeys.create_api_key(
        profile, "old", expires_in_days=1, now=utcnow() - timedelta(days=1, seconds=1)
    )
    _problem(with_key(secret, "GET", "/me"), 401, "api_key_expired")
    assert user.get(f"/api-keys/{record.id}").json()["status"] == "expired"
    wait_for(lambda: [e["type"] for e in _events(record.id)] == ["created", "expired"])
    assert store.db().collection("apiKeys").document(record.id).get().get("status") == "expired"


def test_a_used_then_revoked_key_stops_working_within_30_seconds() -> None:
    user = make_api_user()
    key = create_key(user)
    assert with_key(key["secret"], "GET", "/me").status_code == 200  # now cached on `me`
    assert user.post(f"/api-keys/{key['id']}/revoke").status_code == 200
    started = time.monotonic()
    wait_for(lambda: with_key(key["secret"], "GET", "/me").status_code == 401, timeout=40)
    assert time.monotonic() - started <= 32


def test_rotation_with_grace_keeps_both_keys_then_only_the_new_one() -> None:
    user = make_api_user()
    old = create_key(user, name="rotating", expiresInDays=30)
    # Not used before the rotation: an instance that cached the key earlier learns of the
    # rotation within 30 s (like a revocation), so a grace period shorter than that may be
    # stretched up to 30 s there; from a fresh read graceUntil is exact.
    resp = user.post(f"/api-keys/{old['id']}/rotate", json={"gracePeriodSeconds": 4})
    assert resp.status_code == 201, resp.text
    new = resp.json()
    assert new["secret"] != old["secret"] and new["rotatedFrom"] == old["id"]
    assert (new["name"], new["tier"], new["scopes"]) == (old["name"], old["tier"], old["scopes"])
    assert new["previousKey"]["rotatedTo"] == new["id"] and new["previousKey"]["graceUntil"]
    grace_until = time.time() + 4
    # During the grace period both keys work; the cached record carries graceUntil, which
    # is checked against the clock on every request.
    assert with_key(old["secret"], "GET", "/me").status_code == 200
    assert with_key(new["secret"], "GET", "/me").status_code == 200
    time.sleep(max(0.0, grace_until - time.time()) + 0.5)
    _problem(with_key(old["secret"], "GET", "/me"), 401, "api_key_revoked")
    assert with_key(new["secret"], "GET", "/me").status_code == 200
    assert user.get(f"/api-keys/{old['id']}").json()["status"] == "revoked"
    assert [e["type"] for e in _events(old["id"])] == ["created", "rotated"]
    _problem(user.post(f"/api-keys/{old['id']}/rotate", json={}), 409, "conflict")


def test_rotation_without_grace_revokes_the_old_key_at_once() -> None:
    user = make_api_user()
    old = create_key(user)
    resp = user.post(f"/api-keys/{old['id']}/rotate", json={})
    assert resp.status_code == 201
    _problem(with_key(old["secret"], "GET", "/me"), 401, "api_key_revoked")
    assert with_key(resp.json()["secret"], "GET", "/me").status_code == 200
    bad = user.post(f"/api-keys/{resp.json()['id']}/rotate", json={"gracePeriodSeconds": 604801})
    _problem(bad, 400, "invalid_request")


def test_last_used_is_written_at_most_once_a_minute() -> None:
    user = make_api_user()
    key = create_key(user)
    ref = store.db().collection("apiKeys").document(key["id"])
    assert ref.get().get("lastUsedAt") is None
    for _ in range(3):
        assert with_key(key["secret"], "GET", "/me").status_code == 200
    first = ref.get()
    assert first.get("lastUsedAt") is not None
    for _ in range(3):
        assert with_key(key["secret"], "GET", "/me").status_code == 200
    again = ref.get()
    assert again.get("lastUsedAt") == first.get("lastUsedAt")
    assert again.update_time == first.update_time


# --- in-process: what verification costs, and how it compares -------------------------------


class CountingClient:
    """Wraps the Firestore client; counts document reads (get) made through it."""

    def __init__(self, inner: Any, *, forbid: bool = False) -> None:
        self.inner, self.forbid, self.reads = inner, forbid, 0

    def collection(self, name: str) -> Any:
        if self.forbid:
            raise AssertionError(f"Firestore was used: collection({name!r})")
        client = self

        class Coll:
            def document(self, doc_id: str) -> Any:
                ref = client.inner.collection(name).document(doc_id)

                class Ref:
                    def get(self, *a: Any, **kw: Any) -> Any:
                        client.reads += 1
                        return ref.get(*a, **kw)

                    def __getattr__(self, attr: str) -> Any:
                        return getattr(ref, attr)

                return Ref()

            def __getattr__(self, attr: str) -> Any:
                return getattr(client.inner.collection(name), attr)

        return Coll()

    def __getattr__(self, attr: str) -> Any:
        if self.forbid:
            raise AssertionError(f"Firestore was used: {attr}")
        return getattr(self.inner, attr)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(forbid: bool = False) -> CountingClient:
        client = CountingClient(store.db(), forbid=forbid)
        monkeypatch.setattr(store, "_client", client)
        return client

    apikeys.clear_cache()
    yield install
    apikeys.clear_cache()


def test_malformed_or_wrong_checksum_keys_cost_no_firestore_read(counting: Any) -> None:
    client = counting(forbid=True)  # any use of Firestore fails the test
    good = apikeys.generate_key()
    for bad in (good[:-1] + ("0" if good[-1] != "0" else "1"), good[:-2], "cb_live_!!", "x"):
        with pytest.raises(Unauthenticated) as err:
            apikeys.verify(bad)
        assert err.value.code == "invalid_api_key"
        assert err.value.extra["reason"] in ("malformed", "bad_checksum")
    assert client.reads == 0


def test_a_valid_key_costs_one_read_by_id_then_none_while_cached(counting: Any) -> None:
    user = make_api_user()
    profile = get_profile(user.uid)
    assert profile is not None
    record, secret = apikeys.create_api_key(profile, "cost")
    client = counting()
    key, owner = apikeys.verify(secret)
    assert key.id == record.id and owner.id == user.uid
    # one read by id for the key; the owner's profile is one more, cached alike
    assert client.reads == 2
    for _ in range(5):
        apikeys.verify(secret)
    assert client.reads == 2
    unknown = apikeys.generate_key()
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            apikeys.verify(unknown)
    assert client.reads == 3  # one read, then the negative answer is cached too


def test_hashes_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_api_user()
    profile = get_profile(user.uid)
    assert profile is not None
    _, secret = apikeys.create_api_key(profile, "ct")
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(apikeys.hmac, "compare_digest", spy)
    apikeys.clear_cache()
    apikeys.verify(secret)
    assert (apikeys.key_hash(secret), apikeys.key_hash(secret)) in calls


def test_revocation_is_seen_at_once_on_the_instance_that_revoked() -> None:
    user = make_api_user()
    profile = get_profile(user.uid)
    assert profile is not None
    record, secret = apikeys.create_api_key(profile, "local")
    apikeys.verify(secret)  # cached here
    apikeys.revoke_api_key(user.uid, record.id, actor=apikeys.Actor(user.uid))
    with pytest.raises(Unauthenticated) as err:
        apikeys.verify(secret)
    assert err.value.code == "api_key_revoked"


def _all_documents() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(collections: Any) -> None:
        for coll in collections:
            refs = list(coll.list_documents())
            for snap in store.db().get_all(refs):
                if snap.exists:
                    out.append((snap.reference.path, snap.to_dict() or {}))
            for ref in refs:
                walk(ref.collections())

    walk(store.db().collections())
    return out


def test_the_secret_is_stored_nowhere() -> None:
    user = make_api_user(tier=MembershipTier.BUSINESS)
    key = create_key(user, name="scan me")
    secret = key["secret"]
    rotated = user.post(f"/api-keys/{key['id']}/rotate", json={"gracePeriodSeconds": 60}).json()
    for s in (secret, rotated["secret"]):
        assert with_key(s, "GET", "/me").status_code == 200
        assert with_key(s, "GET", "/api-keys").status_code == 200
    wait_for_logs("keyId", key["id"], 2)  # logs are committed in batches (requestlog.py)
    docs = _all_documents()
    assert any(path.startswith("apiKeys/") for path, _ in docs)
    assert any(path.startswith("apiRequestLogs/") for path, _ in docs)
    for s in (secret, rotated["secret"]):
        needle = s[len("cb_live_") : -6]  # the random part, in any encoding of the key
        for path, data in docs:
            assert needle not in json.dumps(data, default=str), path
