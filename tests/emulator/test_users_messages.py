"""Staff-only user changes (docs/product.md §3.1) and the messages inbox (docs/product.md §3.5)."""

from __future__ import annotations

from typing import Any

import pytest

from coinbox_platform import store
from coinbox_platform.domain import messages, users
from coinbox_platform.domain.models import Priority
from coinbox_platform.errors import CoinboxError
from coinbox_platform.tiers import KycStatus, MembershipTier, Role
from tests.support import make_profile, unique

pytestmark = pytest.mark.emulator


def user_doc(uid: str) -> dict[str, Any] | None:
    snap = store.db().collection(store.USERS).document(uid).get()
    return snap.to_dict() if snap.exists else None


def refused_unchanged(code: str, uid: str, fn: Any, *args: Any, **kw: Any) -> CoinboxError:
    before = user_doc(uid)
    with pytest.raises(CoinboxError) as info:
        fn(*args, **kw)
    assert info.value.code == code, info.value
    assert user_doc(uid) == before
    return info.value


def test_ensure_profile_creates_a_basic_pending_user_once() -> None:
    uid = unique()
    profile = users.ensure_profile(uid, email="a@example.test", display_name="A")
    assert (profile.role, profile.membership_tier, profile.kyc_status) == (
        Role.USER,
        MembershipTier.BASIC,
        KycStatus.PENDING,
    )
    assert user_doc(uid)["role"] == "user"  # type: ignore[index]
    again = users.ensure_profile(uid, email="other@example.test", display_name="B")
    assert again.email == "a@example.test"


def test_admin_changes_role_and_tier() -> None:
    admin = make_profile(role=Role.ADMIN)
    target = make_profile()
    updated = users.update_user(
        admin, target.id, role=Role.SUPPORT, membership_tier=MembershipTier.VIP
    )
    doc = user_doc(target.id) or {}
    assert (doc["role"], doc["membershipTier"]) == ("support", "vip")
    assert updated.role == Role.SUPPORT and updated.membership_tier == MembershipTier.VIP


@pytest.mark.parametrize("actor_role", [Role.SUPPORT, Role.ADMIN])
def test_staff_change_kyc(actor_role: Role) -> None:
    actor = make_profile(role=actor_role)
    target = make_profile(kyc=KycStatus.PENDING)
    users.update_user(actor, target.id, kyc_status=KycStatus.REJECTED, kyc_reason="Blurry ID")
    doc = user_doc(target.id) or {}
    assert (doc["kycStatus"], doc["kycReason"]) == ("rejected", "Blurry ID")
    users.update_user(actor, target.id, kyc_status=KycStatus.VERIFIED)
    doc = user_doc(target.id) or {}
    assert (doc["kycStatus"], doc["kycReason"]) == ("verified", None)


@pytest.mark.parametrize(
    "kw",
    [
        {"role": Role.ADMIN},
        {"membership_tier": MembershipTier.BUSINESS},
        {"kyc_status": KycStatus.VERIFIED},
    ],
)
def test_users_change_nobody(kw: dict[str, Any]) -> None:
    actor = make_profile()
    refused_unchanged("forbidden", actor.id, users.update_user, actor, actor.id, **kw)


@pytest.mark.parametrize("kw", [{"role": Role.ADMIN}, {"membership_tier": MembershipTier.VIP}])
def test_support_cannot_change_role_or_tier(kw: dict[str, Any]) -> None:
    support = make_profile(role=Role.SUPPORT)
    target = make_profile()
    refused_unchanged("forbidden", target.id, users.update_user, support, target.id, **kw)
    refused_unchanged(
        "forbidden",
        target.id,
        users.update_user,
        support,
        target.id,
        kyc_status=KycStatus.VERIFIED,
        **kw,
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_kyc_rejection_needs_a_reason(reason: str | None) -> None:
    admin = make_profile(role=Role.ADMIN)
    target = make_profile(kyc=KycStatus.VERIFIED)
    error = refused_unchanged(
        "invalid_request",
        target.id,
        users.update_user,
        admin,
        target.id,
        kyc_status=KycStatus.REJECTED,
        kyc_reason=reason,
    )
    assert error.errors[0].field == "kycReason"


def test_empty_update_and_unknown_user() -> None:
    admin = make_profile(role=Role.ADMIN)
    refused_unchanged("invalid_request", admin.id, users.update_user, admin, admin.id)
    with pytest.raises(CoinboxError) as info:
        users.update_user(admin, unique(), role=Role.SUPPORT)
    assert info.value.code == "not_found"


# ---- messages ----


def message_doc(message_id: str) -> dict[str, Any] | None:
    snap = store.db().collection(store.NOTIFICATIONS).document(message_id).get()
    return snap.to_dict() if snap.exists else None


def test_send_and_read_a_message() -> None:
    staff = make_profile(role=Role.SUPPORT)
    user = make_profile()
    message = messages.send_message(
        messages.build_message(
            user.id, "t" * 200, "b" * 2_000, priority=Priority.HIGH, sender_id=staff.id
        )
    )
    doc = message_doc(message.id) or {}
    assert (doc["userId"], doc["status"], doc["priority"], doc["senderId"]) == (
        user.id,
        "unread",
        "high",
        staff.id,
    )
    read = messages.mark_read(user.id, message.id)
    assert read.status == "read" and read.read_at is not None
    doc = message_doc(message.id) or {}
    assert doc["status"] == "read"
    again = messages.mark_read(user.id, message.id)  # idempotent
    assert message_doc(message.id) == doc and again.read_at == read.read_at


@pytest.mark.parametrize(
    ("title", "body", "fields"),
    [
        ("t" * 201, "body", ["title"]),
        ("", "body", ["title"]),
        ("title", "b" * 2_001, ["body"]),
        ("title", "  ", ["body"]),
        ("t" * 201, "b" * 2_001, ["title", "body"]),
    ],
)
def test_message_limits(title: str, body: str, fields: list[str]) -> None:
    with pytest.raises(CoinboxError) as info:
        messages.build_message("someone", title, body)
    assert info.value.code == "invalid_request"
    assert [e.field for e in info.value.errors] == fields


def test_only_the_owner_marks_a_message_read() -> None:
    user = make_profile()
    message = messages.send_message(messages.build_message(user.id, "Hi", "Hello"))
    before = message_doc(message.id)
    for uid in (make_profile().id, make_profile(role=Role.ADMIN).id):
        with pytest.raises(CoinboxError) as info:
            messages.mark_read(uid, message.id)
        assert info.value.code == "not_found"
    assert message_doc(message.id) == before
    with pytest.raises(CoinboxError) as info:
        messages.mark_read(user.id, "msg_doesnotexist")
    assert info.value.code == "not_found"
