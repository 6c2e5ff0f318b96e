"""API keys (docs/product.md §4.2): format, hashing, storage, lifecycle and verification.

Format: ``cb_live_`` + 32 random base62 characters + a 6-character base62 CRC32 of everything
before it. The prefix and checksum let a secret scanner (or this module) recognise a key
without a lookup, so a malformed or mistyped key costs no Firestore read.

Storage: ``apiKeys/{id}`` never holds the key. ``hash`` is HMAC-SHA256(pepper, key); the
document id is derived from a second HMAC of the key (``key_`` + 24 base62 characters), so the
presented key finds its own document with one read by id, and nobody without the pepper can
link an id to a key. Verification compares the stored hash with ``hmac.compare_digest``.

Verified keys are cached in the instance for at most ``CACHE_TTL`` seconds (a revocation is
seen within 30 s everywhere, and at once on the instance that made it: mutations drop the
cached entry). Lifecycle events go to ``apiKeyEvents``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ConfigDict, field_serializer, field_validator

from coinbox_platform import store
from coinbox_platform.clock import iso, utcnow
from coinbox_platform.config import Secret, secret
from coinbox_platform.domain.models import Document
from coinbox_platform.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
    UnprocessableRule,
)
from coinbox_platform.ids import ALPHABET
from coinbox_platform.tiers import API_TIER_ORDER, ApiTier, Role, api_tier_allowed

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, Transaction

    from coinbox_platform.domain.models import UserProfile

API_KEYS = "apiKeys"
API_KEY_EVENTS = "apiKeyEvents"

LIVE_PREFIX = "cb_live_"
TEST_PREFIX = "cb_test_"  # reserved: recognised, never issued
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(LIVE_PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH  # 46
DISPLAY_PREFIX_LENGTH = 12
ID_LENGTH = 24

CACHE_TTL = 30.0  # seconds a verified key (or its owner's profile) is trusted in an instance
LAST_USED_EVERY = timedelta(minutes=1)
MAX_GRACE = timedelta(days=7)
MAX_NAME = 100
MAX_ACTIVE_KEYS = 10  # active keys per user (create and rotate refuse beyond it: 422)

RESOURCES = (
    "loans",
    "investments",
    "transactions",
    "wallet",
    "crypto",
    "messages",
    "webhooks",
    "exports",
    "bulk",
)
ADMIN_API_KEYS = "admin:api_keys"
ALL_SCOPES = frozenset(
    {f"{verb}:{r}" for verb in ("read", "write") for r in RESOURCES}
    | {"read:*", "write:*", "*", ADMIN_API_KEYS}
)
# A key's scopes must lie within its tier's allowance; the allowance is also the default.
TIER_SCOPES: dict[ApiTier, frozenset[str]] = {
    ApiTier.BASIC: frozenset({"read:*"}),
    ApiTier.PRO: frozenset(
        {"read:*", "write:loans", "write:investments", "write:crypto", "write:exports"}
    ),
    ApiTier.ENTERPRISE: frozenset({"*"}),
}


# --- format -------------------------------------------------------------------------------


def base62(value: int, width: int) -> str:
    """`value` in base62 (digits, A–Z, a–z), left-padded with '0' to `width` characters."""
    if value < 0:
        raise ValueError("negative")
    out = []
    while value:
        value, rem = divmod(value, 62)
        out.append(ALPHABET[rem])
    text = "".join(reversed(out)) or "0"
    if len(text) > width:
        raise ValueError(f"{value} does not fit in {width} base62 characters")
    return text.rjust(width, "0")


def checksum(body: str) -> str:
    """The 6-character base62 CRC32 of `body` (62**6 > 2**32, so it always fits)."""
    return base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def generate_key() -> str:
    body = LIVE_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + checksum(body)


class KeyFormatError(Exception):
    """The presented string is not a well-formed CoinBox key; `reason` says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def check_format(key: str) -> None:
    """Raise KeyFormatError unless `key` is a well-formed live key with a valid checksum.
    Pure: no I/O, so junk never reaches Firestore."""
    if key.startswith(TEST_PREFIX):
        raise KeyFormatError("test_key", "Test-mode keys (cb_test_) are not accepted here.")
    if not key.startswith(LIVE_PREFIX):
        raise KeyFormatError("malformed", "An API key starts with cb_live_.")
    if len(key) != KEY_LENGTH or any(c not in ALPHABET for c in key[len(LIVE_PREFIX) :]):
        raise KeyFormatError(
            "malformed",
            f"An API key is cb_live_ followed by {RANDOM_LENGTH + CHECKSUM_LENGTH} "
            "base62 characters.",
        )
    body, check = key[:-CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    if not hmac.compare_digest(checksum(body), check):
        raise KeyFormatError("bad_checksum", "The API key's checksum is wrong: check for typos.")


def _pepper() -> bytes:
    return secret(Secret.API_KEY_PEPPER).encode()


def _hmac(purpose: bytes, key: str) -> bytes:
    return hmac.new(_pepper(), purpose + b"\0" + key.encode(), hashlib.sha256).digest()


def key_hash(key: str) -> str:
    """What apiKeys/{id}.hash stores: hex HMAC-SHA256 of the key with the server's pepper."""
    return hmac.new(_pepper(), key.encode(), hashlib.sha256).hexdigest()


def key_id(key: str) -> str:
    """The key's document id, derived from the key with the pepper (not reversible)."""
    digest = int.from_bytes(_hmac(b"apiKeys/id", key), "big")
    return "key_" + base62(digest % 62**ID_LENGTH, ID_LENGTH)


# --- scopes and tiers ---------------------------------------------------------------------


def covers(granted: Iterable[str], scope: str) -> bool:
    """Whether the scopes `granted` include `scope` (wildcards `*`, `read:*`, `write:*`)."""
    granted = set(granted)
    if "*" in granted or scope in granted:
        return True
    verb, _, resource = scope.partition(":")
    if resource == "*":
        return False  # read:* is only covered by read:* itself or *
    return f"{verb}:*" in granted and verb in ("read", "write")


def validate_scopes(tier: ApiTier, scopes: Iterable[str]) -> list[str]:
    """Normalised (sorted, unique) scopes, or InvalidRequest naming the bad ones."""
    scopes = sorted(set(scopes))
    errors: list[FieldError] = []
    if not scopes:
        errors.append(FieldError("scopes", "give at least one scope", "empty"))
    allowance = TIER_SCOPES[tier]
    for i, scope in enumerate(scopes):
        if scope not in ALL_SCOPES:
            errors.append(FieldError(f"scopes.{i}", f"unknown scope {scope!r}", "unknown_scope"))
        elif not covers(allowance, scope):
            errors.append(
                FieldError(
                    f"scopes.{i}",
                    f"{scope} is outside the {tier.value} tier's allowance "
                    f"({', '.join(sorted(allowance))})",
                    "scope_not_allowed",
                )
            )
    if errors:
        raise InvalidRequest("Some scopes are not allowed for this key.", errors=errors)
    return scopes


# --- records ------------------------------------------------------------------------------


class ApiKey(Document):
    """One apiKeys document. Frozen: verification caches it per instance and shares it between
    requests (a change is a copy: `model_copy(update=...)`)."""

    model_config = ConfigDict(frozen=True)
    object_name: ClassVar[str] = "api_key"
    collection: ClassVar[str] = API_KEYS

    # In the order the API shows them (api/routes/apikeys.py builds ApiKeyOut from this model).
    name: str = ""
    display_prefix: str = ""
    user_id: str
    hash: str = ""
    tier: ApiTier = ApiTier.BASIC
    scopes: tuple[str, ...] = ()
    status: str = "active"  # active | revoked | expired (as stored)
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    rotated_from: str | None = None
    rotated_to: str | None = None
    grace_until: datetime | None = None
    updated_at: datetime | None = None
    admin_grant: bool = False  # an admin granted the tier for another user: not re-derived
    parent_key_id: str | None = None  # the key that created this one (a child never outlives it)

    @field_validator("scopes", mode="before")
    @classmethod
    def _scopes(cls, value: Any) -> Any:
        return value or ()  # stored null: none

    @field_validator("admin_grant", mode="before")
    @classmethod
    def _admin_grant(cls, value: Any) -> bool:
        return bool(value)  # stored null: False

    @field_serializer("scopes")
    def _scopes_list(self, scopes: tuple[str, ...]) -> list[str]:
        return list(scopes)  # stored as an array

    def ends_at(self) -> datetime | None:
        """When the key stops working at the latest: its expiry or the end of its grace."""
        ends = [t for t in (self.expires_at, self.grace_until) if t is not None]
        return min(ends) if ends else None

    def effective_status(self, now: datetime) -> str:
        """What the key is at `now`: a rotated key whose grace ended counts as revoked,
        a key past expiresAt as expired, even before a write records it."""
        if self.status != "active":
            return self.status
        if self.grace_until is not None and now >= self.grace_until:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"

    def to_api(self, now: datetime | None = None) -> dict[str, Any]:
        """The API shape; `status` is the effective status at `now` (default: the clock)."""
        now = now or utcnow()
        return {
            "id": self.id,
            "object": self.object_name,
            "name": self.name,
            "displayPrefix": self.display_prefix,
            "userId": self.user_id,
            "tier": self.tier.value,
            "scopes": list(self.scopes),
            "status": self.effective_status(now),
            "createdAt": iso(self.created_at),
            "expiresAt": iso(self.expires_at),
            "lastUsedAt": iso(self.last_used_at),
            "revokedAt": iso(self.revoked_at),
            "rotatedFrom": self.rotated_from,
            "rotatedTo": self.rotated_to,
            "graceUntil": iso(self.grace_until),
        }


@dataclass(frozen=True)
class Actor:
    """Who changed a key, for apiKeyEvents."""

    user_id: str | None
    key_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None

    def to_doc(self) -> dict[str, Any]:
        return {"userId": self.user_id, "keyId": self.key_id}


SYSTEM = Actor(user_id=None)


def _event_id(key: str, kind: str) -> str:
    digest = int.from_bytes(hashlib.sha256(f"{key}\0{kind}".encode()).digest(), "big")
    return "ake_" + base62(digest % 62**ID_LENGTH, ID_LENGTH)


def _event(
    key: ApiKey, kind: str, actor: Actor, now: datetime, details: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    event_id = (
        _event_id(key.id, kind)
        if kind == "expired"
        else _event_id(key.id, f"{kind}\0{secrets.token_hex(8)}")
    )
    return event_id, {
        "keyId": key.id,
        "userId": key.user_id,
        "type": kind,
        "actor": actor.to_doc(),
        "ip": actor.ip,
        "userAgent": actor.user_agent,
        "timestamp": now,
        "details": details or {},
    }


def _keys() -> CollectionReference:
    return store.db().collection(API_KEYS)


def owned_keys(uid: str) -> store.Listing:
    """The user's API keys, newest first (GET /v1/api-keys)."""
    return store.owned(API_KEYS, "userId", uid)


def _events() -> CollectionReference:
    return store.db().collection(API_KEY_EVENTS)


# --- lifecycle ----------------------------------------------------------------------------


def allowed_tier(owner: UserProfile, tier: ApiTier, *, actor_role: Role | str) -> None:
    if Role(actor_role) == Role.ADMIN:
        return
    if not api_tier_allowed(owner.membership_tier, tier):
        raise Forbidden(
            f"The {owner.membership_tier.value} membership allows API keys up to the "
            f"{max_tier(owner).value} tier.",
            code="tier_not_allowed",
            errors=[FieldError("tier", f"{tier.value} is above your membership", "tier")],
        )


def max_tier(owner: UserProfile) -> ApiTier:
    return max(
        (t for t in API_TIER_ORDER if api_tier_allowed(owner.membership_tier, t)),
        key=API_TIER_ORDER.index,
    )


def tier_ceiling(owner: UserProfile, key: ApiKey | None = None) -> ApiTier:
    """The highest API tier the owner may hold now: any for an admin, otherwise what the
    membership allows (or, for a key an admin granted to them, that key's tier)."""
    if Role(owner.role) == Role.ADMIN:
        return ApiTier.ENTERPRISE
    ceiling = max_tier(owner)
    if key is not None and key.admin_grant:
        return max(ceiling, key.tier, key=API_TIER_ORDER.index)
    return ceiling


def intersect_scopes(a: Iterable[str], b: Iterable[str]) -> frozenset[str]:
    """The scopes both `a` and `b` grant (wildcards resolved: `*` ∩ {read:*} = {read:*})."""
    a, b = frozenset(a), frozenset(b)
    return frozenset({s for s in a if covers(b, s)} | {s for s in b if covers(a, s)})


def effective(key: ApiKey, owner: UserProfile) -> tuple[ApiTier, frozenset[str]]:
    """What a key may do now: its tier capped by the owner's current ceiling, its scopes cut
    to that tier's allowance. Re-derived at every verification (owners get demoted)."""
    tier = min(key.tier, tier_ceiling(owner, key), key=API_TIER_ORDER.index)
    return tier, intersect_scopes(key.scopes, TIER_SCOPES[tier])


def active_key_count(
    uid: str, now: datetime, txn: Transaction = None, *, excluding: str = ""
) -> int:
    from google.cloud.firestore import FieldFilter

    query = (
        _keys()
        .where(filter=FieldFilter("userId", "==", uid))
        .where(filter=FieldFilter("status", "==", "active"))
    )
    snaps = query.get(transaction=txn) if txn is not None else query.get()
    return sum(
        1
        for snap in snaps
        if snap.id != excluding
        and ApiKey.from_doc(snap.id, snap.to_dict() or {}).effective_status(now) == "active"
    )


def create_api_key(
    owner: UserProfile,
    name: str,
    tier: ApiTier | str | None = None,
    scopes: Iterable[str] | None = None,
    *,
    expires_in_days: int | None = None,
    actor: Actor | None = None,
    actor_role: Role | str | None = None,
    rotated_from: str | None = None,
    not_after: datetime | None = None,
    parent_key_id: str | None = None,
    admin_grant: bool | None = None,
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for `owner`: (record, secret). The secret exists only in the return value.

    `tier` defaults to the highest the owner's membership allows; `scopes` to the tier's
    defaults. `actor_role` (default: the owner's role) decides whether the tier is checked
    against the membership (admins may grant any tier). `not_after` caps the expiry (a key
    created by a key never outlives it). The owner may hold at most MAX_ACTIVE_KEYS active
    keys (a rotation's new key replaces `rotated_from`); the count and the create are one
    transaction on the owner's quota document, so parallel creates cannot pass the cap.
    """
    now = now or utcnow()
    api_tier = ApiTier(tier) if tier is not None else max_tier(owner)
    role = Role(actor_role or owner.role)
    allowed_tier(owner, api_tier, actor_role=role)
    clean_scopes = validate_scopes(
        api_tier, TIER_SCOPES[api_tier] if scopes is None else list(scopes)
    )
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidRequest(
            "A key needs a name of 1 to 100 characters.",
            errors=[FieldError("name", "1 to 100 characters", "invalid")],
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= 365:
        raise InvalidRequest(
            "expiresInDays must be 1 to 365.",
            errors=[FieldError("expiresInDays", "1 to 365", "out_of_range")],
        )
    actor = actor or Actor(user_id=owner.id)
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    if not_after is not None and (expires_at is None or expires_at > not_after):
        expires_at = not_after
    # An admin granting a tier above the owner's membership: a staff decision that stands
    # (the key is not cut back to the membership at verification).
    admin_grant = (
        admin_grant
        if admin_grant is not None
        else (
            role == Role.ADMIN
            and actor.user_id != owner.id
            and API_TIER_ORDER.index(api_tier) > API_TIER_ORDER.index(max_tier(owner))
        )
    )
    from google.api_core.exceptions import AlreadyExists

    for _ in range(3):  # a collision of 142-bit ids would be news; retry rather than fail
        secret = generate_key()
        record = ApiKey(
            id=key_id(secret),
            user_id=owner.id,
            name=name,
            display_prefix=secret[:DISPLAY_PREFIX_LENGTH],
            hash=key_hash(secret),
            tier=api_tier,
            scopes=tuple(clean_scopes),
            status="active",
            created_at=now,
            expires_at=expires_at,
            rotated_from=rotated_from,
            admin_grant=admin_grant,
            parent_key_id=parent_key_id,
        )
        ev_id, ev = _event(
            record,
            "created",
            actor,
            now,
            {"tier": api_tier.value, "scopes": clean_scopes, "rotatedFrom": rotated_from},
        )

        def apply(
            txn: Transaction, record: ApiKey = record, ev_id: str = ev_id, ev: Any = ev
        ) -> None:
            quota = store.hold_user_quota(txn, owner.id)
            active = active_key_count(owner.id, now, txn, excluding=rotated_from or "")
            if active >= MAX_ACTIVE_KEYS:
                raise UnprocessableRule(
                    f"At most {MAX_ACTIVE_KEYS} active API keys per user; revoke one first.",
                    code="limit_exceeded",
                    errors=[FieldError("name", "too many active keys", "limit_exceeded")],
                )
            txn.create(_keys().document(record.id), record.to_doc())
            txn.create(_events().document(ev_id), ev)
            txn.set(quota, {"userId": owner.id, "apiKeysChangedAt": now}, merge=True)

        try:
            store.run_transaction(apply)
        except AlreadyExists:
            continue
        return record, secret
    raise ServiceUnavailable("Could not allocate a key id; retry.")


def get_api_key(owner_id: str, key_id_: str) -> ApiKey:
    """The owner's key, or 404 (also for another user's key)."""
    return ApiKey.require_owned(key_id_, owner_id, label="API key")


def _mutate(
    owner_id: str,
    key_id_: str,
    change: Callable[[ApiKey], tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]],
    extra_writes: Callable[[Any], None] | None = None,
) -> ApiKey:
    """Apply `change(record) -> (field updates, events)` in one transaction."""
    ref = _keys().document(key_id_)

    def run(txn: Transaction) -> ApiKey:
        snap = ref.get(transaction=txn)
        if not snap.exists or (snap.to_dict() or {}).get("userId") != owner_id:
            raise NotFound(f"No API key {key_id_}.")
        data = snap.to_dict() or {}
        updates, events = change(ApiKey.from_doc(snap.id, data))
        txn.update(ref, updates)
        for ev_id, ev in events:
            txn.create(_events().document(ev_id), ev)
        if extra_writes is not None:
            extra_writes(txn)
        return ApiKey.from_doc(snap.id, {**data, **updates})

    result = store.run_transaction(run)
    forget(key_id_)
    return result


def update_api_key(
    owner_id: str,
    key_id_: str,
    *,
    name: str | None = None,
    scopes: Iterable[str] | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> ApiKey:
    now = now or utcnow()
    if name is not None and (not name.strip() or len(name.strip()) > MAX_NAME):
        raise InvalidRequest(
            "A key needs a name of 1 to 100 characters.",
            errors=[FieldError("name", "1 to 100 characters", "invalid")],
        )
    if name is None and scopes is None:
        raise InvalidRequest(
            "Nothing to change.",
            errors=[FieldError("body", "give name or scopes", "empty_update")],
        )
    new_scopes = list(scopes) if scopes is not None else None

    def change(key: ApiKey) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        if key.effective_status(now) != "active":
            raise Conflict(f"The key is {key.effective_status(now)}; it cannot change.")
        updates: dict[str, Any] = {"updatedAt": now}
        details: dict[str, Any] = {}
        if name is not None:
            updates["name"] = details["name"] = name.strip()
        if new_scopes is not None:
            updates["scopes"] = details["scopes"] = validate_scopes(key.tier, new_scopes)
        return updates, [_event(key, "updated", actor, now, details)]

    return _mutate(owner_id, key_id_, change)


def revoke_api_key(
    owner_id: str, key_id_: str, *, actor: Actor, now: datetime | None = None
) -> ApiKey:
    now = now or utcnow()

    def change(key: ApiKey) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        status = key.effective_status(now)
        if status == "revoked" and key.status == "revoked":
            raise Conflict("The key is already revoked.", code="already_revoked")
        updates = {"status": "revoked", "revokedAt": now, "updatedAt": now}
        return updates, [_event(key, "revoked", actor, now, {"previousStatus": status})]

    return _mutate(owner_id, key_id_, change)


def rotate_api_key(
    owner: UserProfile,
    key_id_: str,
    *,
    grace: timedelta = timedelta(0),
    actor: Actor,
    not_after: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiKey, ApiKey, str]:
    """Issue a new key with the old one's name, tier and scopes: (old, new, new secret).
    The old key keeps working until now + grace (0 s to 7 days)."""
    now = now or utcnow()
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise InvalidRequest(
            "gracePeriodSeconds must be 0 to 604800 (7 days).",
            errors=[FieldError("gracePeriodSeconds", "0 to 604800", "out_of_range")],
        )
    old = get_api_key(owner.id, key_id_)
    if old.effective_status(now) != "active" or old.rotated_to:
        raise Conflict("Only an active key that was not rotated already can be rotated.")
    expires_in = None
    if old.expires_at is not None:  # the new key keeps the old one's remaining lifetime
        expires_in = max(1, min(365, -(-(old.expires_at - now) // timedelta(days=1))))
    # The new key gets what the old one may do now (not what it was once granted): its tier
    # re-derived from the owner's current role and membership, its scopes cut to that tier.
    tier, scopes = effective(old, owner)
    new, secret = create_api_key(
        owner,
        old.name,
        tier,
        sorted(scopes),
        expires_in_days=expires_in,
        actor=actor,
        actor_role=Role.ADMIN if old.admin_grant else owner.role,
        rotated_from=old.id,
        not_after=min(t for t in (old.expires_at, not_after) if t is not None)
        if (old.expires_at or not_after)
        else None,
        parent_key_id=old.parent_key_id,
        admin_grant=old.admin_grant,
        now=now,
    )
    grace_until = now + grace

    def change(key: ApiKey) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        if key.effective_status(now) != "active" or key.rotated_to:
            raise Conflict("The key was rotated or revoked meanwhile.")
        updates: dict[str, Any] = {
            "rotatedTo": new.id,
            "graceUntil": grace_until,
            "updatedAt": now,
        }
        if grace == timedelta(0):
            updates |= {"status": "revoked", "revokedAt": now}
        details = {"newKeyId": new.id, "graceUntil": grace_until}
        return updates, [_event(key, "rotated", actor, now, details)]

    try:
        old = _mutate(owner.id, key_id_, change)
    except Exception:
        _keys().document(new.id).delete()  # the rotation did not happen: drop the new key
        raise
    return old, new, secret


# --- verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    at: float
    value: Any
    update_time: Any = None


_cache: dict[str, _Cached] = {}
_profiles: dict[str, _Cached] = {}
_lock = threading.Lock()
monotonic: Callable[[], float] = time.monotonic  # injectable for tests
reads = 0  # Firestore document reads made by verification in this instance (for tests)


def forget(key_id_: str) -> None:
    """Drop a key from this instance's cache (after revoking, rotating or updating it)."""
    with _lock:
        _cache.pop(key_id_, None)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _profiles.clear()


def _load(doc_id: str) -> _Cached:
    global reads
    now = monotonic()
    with _lock:
        hit = _cache.get(doc_id)
    if hit is not None and now - hit.at < CACHE_TTL:
        return hit
    try:
        snap = _keys().document(doc_id).get(timeout=10)
    except Exception as exc:
        raise ServiceUnavailable(
            "Could not verify the API key; retry.", headers={"Retry-After": "1"}
        ) from exc
    reads += 1
    entry = _Cached(
        at=now,
        value=ApiKey.from_doc(snap.id, snap.to_dict() or {}) if snap.exists else None,
        update_time=snap.update_time if snap.exists else None,
    )
    with _lock:
        _cache[doc_id] = entry
    return entry


def _owner(uid: str) -> UserProfile:
    from coinbox_platform.domain.users import get_profile

    now = monotonic()
    with _lock:
        hit = _profiles.get(uid)
    if hit is not None and now - hit.at < CACHE_TTL:
        profile: UserProfile = hit.value
        return profile
    found = get_profile(uid)
    if found is None:
        raise Unauthenticated("The API key's owner no longer exists.", code="invalid_api_key")
    with _lock:
        _profiles[uid] = _Cached(at=now, value=found)
    return found


def _refuse(reason: str, detail: str, code: str = "invalid_api_key") -> Unauthenticated:
    return Unauthenticated(
        detail,
        code=code,
        extra={"reason": reason},
        headers={"WWW-Authenticate": 'Bearer realm="coinbox", error="invalid_token"'},
    )


def verify(secret: str, *, now: datetime | None = None) -> tuple[ApiKey, UserProfile]:
    """The active key `secret` names and its owner, or 401 saying why not.

    Malformed keys and bad checksums are refused before any I/O. Otherwise one read by id
    (cached ≤30 s), a constant-time hash comparison, then the status and expiry checks.
    """
    try:
        check_format(secret)
    except KeyFormatError as exc:
        raise _refuse(exc.reason, exc.detail) from None
    now = now or utcnow()
    doc_id = key_id(secret)
    entry = _load(doc_id)
    record: ApiKey | None = entry.value
    if record is None or not hmac.compare_digest(record.hash, key_hash(secret)):
        raise _refuse("unknown", "This API key does not exist.")
    status = record.effective_status(now)
    if status == "revoked":
        raise _refuse("revoked", "This API key was revoked.", "api_key_revoked")
    if status == "expired":
        _record_expiry(record, now)
        raise _refuse("expired", "This API key has expired.", "api_key_expired")
    _touch(entry, record, now)
    return record, _owner(record.user_id)


def _record_expiry(record: ApiKey, now: datetime) -> None:
    """Mark the key expired once, with its `expired` event (first caller wins)."""
    if record.status != "active" or record.expires_at is None:
        return
    from google.api_core.exceptions import AlreadyExists

    ev_id, ev = _event(record, "expired", SYSTEM, record.expires_at, {"noticedAt": now})
    try:
        _events().document(ev_id).create(ev)
    except AlreadyExists:
        return
    except Exception:  # recording is best effort; the key is refused regardless
        return
    _keys().document(record.id).update({"status": "expired", "updatedAt": now})
    forget(record.id)


def _touch(entry: _Cached, record: ApiKey, now: datetime) -> None:
    """lastUsedAt, written at most once a minute: only when the stored value is a minute old,
    and only if the document is unchanged since it was read (so concurrent instances write
    once between them)."""
    if record.last_used_at is not None and now - record.last_used_at < LAST_USED_EVERY:
        return
    updated = record.model_copy(update={"last_used_at": now})
    with _lock:
        # Other requests of this instance see the new value at once and do not write too.
        _cache[record.id] = replace(entry, value=updated)
    try:
        _keys().document(record.id).update(
            {"lastUsedAt": now},
            option=store.db().write_option(last_update_time=entry.update_time),
        )
    except Exception:  # precondition failed (someone else wrote) or a blip: not worth a 5xx
        forget(record.id)
