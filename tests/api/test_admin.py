"""/v1/admin/users/{uid}: staff look users up; admins change role and tier, staff change KYC."""

from __future__ import annotations

from typing import Any

import pytest

from coinbox_platform import store
from coinbox_platform.tiers import KycStatus, Role
from tests.support import SESSION, api_base, make_api_user

pytestmark = pytest.mark.stack


def profile(uid: str) -> dict[str, Any]:
    return store.db().collection(store.USERS).document(uid).get().to_dict() or {}


def assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["code"] == code, body
    return body


def test_admin_changes_tier_and_role() -> None:
    admin = make_api_user(role=Role.ADMIN)
    user = make_api_user()
    resp = admin.patch(f"/admin/users/{user.uid}", json={"membershipTier": "vip"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["id"] == user.uid and body["object"] == "user"
    assert body["membershipTier"] == "vip" and body["role"] == "user"
    assert body["updatedAt"] is not None
    assert profile(user.uid)["membershipTier"] == "vip"
    assert user.get("/me").json()["limits"]["apiTier"] == "pro"  # the new tier applies

    resp = admin.patch(f"/admin/users/{user.uid}", json={"role": "support"})
    assert resp.status_code == 200, resp.text
    assert profile(user.uid)["role"] == "support"
    assert user.get(f"/admin/users/{admin.uid}").status_code == 200  # now staff


def test_support_changes_kyc_but_not_tier_or_role() -> None:
    support = make_api_user(role=Role.SUPPORT)
    user = make_api_user(kyc=KycStatus.PENDING)
    before = profile(user.uid)
    for change in ({"membershipTier": "business"}, {"role": "admin"}):
        assert_problem(support.patch(f"/admin/users/{user.uid}", json=change), 403, "forbidden")
    # one forbidden part refuses the whole change
    mixed = {"kycStatus": "verified", "membershipTier": "vip"}
    assert_problem(support.patch(f"/admin/users/{user.uid}", json=mixed), 403, "forbidden")
    assert profile(user.uid) == before

    resp = support.patch(
        f"/admin/users/{user.uid}",
        json={"kycStatus": "rejected", "kycReason": "The ID document has expired."},
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["kycStatus"], resp.json()["kycReason"]) == (
        "rejected",
        "The ID document has expired.",
    )
    stored = profile(user.uid)
    assert (stored["kycStatus"], stored["kycUpdatedBy"]) == ("rejected", support.uid)

    resp = support.patch(f"/admin/users/{user.uid}", json={"kycStatus": "verified"})
    assert resp.status_code == 200
    assert (resp.json()["kycStatus"], resp.json()["kycReason"]) == ("verified", None)


def test_a_plain_user_cannot_use_admin_endpoints() -> None:
    user, target = make_api_user(), make_api_user()
    before = profile(target.uid)
    assert_problem(
        user.patch(f"/admin/users/{target.uid}", json={"kycStatus": "verified"}), 403, "forbidden"
    )
    assert_problem(user.patch(f"/admin/users/{user.uid}", json={"role": "admin"}), 403, "forbidden")
    assert_problem(user.get(f"/admin/users/{target.uid}"), 403, "forbidden")
    assert profile(target.uid) == before
    assert profile(user.uid)["role"] == "user"
    assert_problem(
        SESSION.get(api_base() + f"/admin/users/{target.uid}", timeout=10), 401, "unauthenticated"
    )


def test_staff_cannot_change_themselves() -> None:
    support = make_api_user(role=Role.SUPPORT, kyc=KycStatus.PENDING)
    problem = assert_problem(
        support.patch(f"/admin/users/{support.uid}", json={"kycStatus": "verified"}),
        403,
        "self_change",
    )
    assert problem["errors"][0]["field"] == "uid"
    assert profile(support.uid)["kycStatus"] == "pending"


def test_staff_look_users_up() -> None:
    support = make_api_user(role=Role.SUPPORT)
    user = make_api_user()
    resp = support.get(f"/admin/users/{user.uid}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body == {
        "id": user.uid,
        "object": "user",
        "email": user.email,
        "displayName": None,
        "role": "user",
        "membershipTier": "basic",
        "kycStatus": "verified",
        "kycReason": None,
        "createdAt": body["createdAt"],
        "updatedAt": None,
    }
    assert_problem(support.get("/admin/users/no-such-user"), 404, "not_found")
    admin = make_api_user(role=Role.ADMIN)
    assert_problem(
        admin.patch("/admin/users/no-such-user", json={"membershipTier": "vip"}), 404, "not_found"
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "body"),
        ({"membershipTier": "platinum"}, "membershipTier"),
        ({"role": "root"}, "role"),
        ({"kycStatus": "rejected"}, "kycReason"),
        ({"kycStatus": "verified", "kycReason": "looks fine"}, "body"),
        ({"nickname": "x"}, "nickname"),
        ({"kycStatus": "rejected", "kycReason": "x" * 501}, "kycReason"),
    ],
)
def test_invalid_updates_are_400_and_change_nothing(body: dict[str, Any], field: str) -> None:
    admin = make_api_user(role=Role.ADMIN)
    user = make_api_user()
    before = profile(user.uid)
    problem = assert_problem(
        admin.patch(f"/admin/users/{user.uid}", json=body), 400, "invalid_request"
    )
    assert field in [e["field"] for e in problem["errors"]], problem
    assert profile(user.uid) == before


def test_bad_json_is_400() -> None:
    admin = make_api_user(role=Role.ADMIN)
    user = make_api_user()
    resp = admin.patch(
        f"/admin/users/{user.uid}",
        data=b"{role: admin}",
        headers={"Content-Type": "application/json"},
    )
    assert_problem(resp, 400, "invalid_json")
    assert profile(user.uid)["role"] == "user"
