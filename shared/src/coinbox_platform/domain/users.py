"""Users, roles, membership tiers and KYC (docs/product.md §3.1)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.models import UserProfile
from coinbox_platform.errors import FieldError, Forbidden, InvalidRequest, NotFound
from coinbox_platform.tiers import KycStatus, MembershipTier, Role

if TYPE_CHECKING:
    from google.cloud.firestore import Transaction


def get_profile(uid: str) -> UserProfile | None:
    return UserProfile.fetch(uid)


def require_profile(uid: str) -> UserProfile:
    profile = get_profile(uid)
    if profile is None:
        raise NotFound(f"No user {uid}.")
    return profile


def ensure_profile(
    uid: str, *, email: str | None, display_name: str | None, now: datetime | None = None
) -> UserProfile:
    """The user's profile, created on first use with role user, tier basic, KYC pending."""
    from google.api_core.exceptions import AlreadyExists

    ref = store.db().collection(store.USERS).document(uid)
    snap = ref.get()
    if snap.exists:
        return UserProfile.from_doc(uid, snap.to_dict() or {})
    profile = UserProfile(
        id=uid, email=email, display_name=display_name, created_at=now or utcnow()
    )
    try:
        ref.create(profile.to_doc())
    except AlreadyExists:  # a concurrent first request created it
        return UserProfile.from_doc(uid, ref.get().to_dict() or {})
    return profile


def update_user(
    actor: UserProfile,
    uid: str,
    *,
    role: Role | None = None,
    membership_tier: MembershipTier | None = None,
    kyc_status: KycStatus | None = None,
    kyc_reason: str | None = None,
    now: datetime | None = None,
) -> UserProfile:
    """Staff changes to a user: admins change role and tier; support and admins change KYC."""
    if actor.role not in (Role.SUPPORT, Role.ADMIN):
        raise Forbidden("Only staff may change users.")
    if (role is not None or membership_tier is not None) and actor.role != Role.ADMIN:
        raise Forbidden("Only admins may change a user's role or tier.")
    if role is None and membership_tier is None and kyc_status is None:
        raise InvalidRequest(
            "Nothing to change.",
            errors=[FieldError("body", "give role, membershipTier or kycStatus", "empty_update")],
        )
    kyc_reason = (kyc_reason or "").strip() or None
    if kyc_status == KycStatus.REJECTED and not kyc_reason:
        raise InvalidRequest(
            "A KYC rejection needs a reason.",
            errors=[FieldError("kycReason", "required when kycStatus is rejected", "required")],
        )
    now = now or utcnow()
    ref = store.db().collection(store.USERS).document(uid)

    def apply(txn: Transaction) -> UserProfile:
        snap = ref.get(transaction=txn)
        if not snap.exists:
            raise NotFound(f"No user {uid}.")
        changes: dict[str, Any] = {"updatedAt": now}
        if role is not None:
            changes["role"] = role.value
        if membership_tier is not None:
            changes["membershipTier"] = membership_tier.value
        if kyc_status is not None:
            changes["kycStatus"] = kyc_status.value
            changes["kycReason"] = kyc_reason if kyc_status == KycStatus.REJECTED else None
            changes["kycUpdatedBy"] = actor.id
        txn.update(ref, changes)
        return UserProfile.from_doc(uid, {**(snap.to_dict() or {}), **changes})

    return store.run_transaction(apply)
