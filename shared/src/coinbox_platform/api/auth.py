"""Who is calling: people with a Firebase ID token, programs with an API key.

API keys (`cb_live_…`, in `Authorization: Bearer` or `X-API-Key`) are verified by the access
layer (`access.apikeys.verify`). A key acts as its owner, limited to its scopes; a person acts
with every permission of their role. The pipeline (api/app.py) calls `authenticate`, then
`authorize`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from coinbox_platform.api.call import Principal
from coinbox_platform.errors import Forbidden, ServiceUnavailable, Unauthenticated
from coinbox_platform.tiers import Role

if TYPE_CHECKING:
    from flask import Request

    from coinbox_platform.api.call import Route

__all__ = ["Principal", "authenticate", "authorize", "verify_api_key", "verify_id_token"]

KEY_PREFIXES = ("cb_live_", "cb_test_")


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    api_key = request.headers.get("X-API-Key", "").strip()
    if api_key:
        return "api_key", api_key
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Use `Authorization: Bearer <token>`.", code="invalid_authorization"
            )
        token = token.strip()
        return ("api_key" if token.startswith(KEY_PREFIXES) else "id_token"), token
    return None


# ID tokens are checked for revocation and disabled accounts (one Auth lookup); a token that
# passed is trusted for REVOCATION_CACHE seconds in this instance, so a disabled account or a
# revoked session stops working within that time, at the cost of one lookup per token per
# instance per interval (scripts/bench_revocation.py measures it).
REVOCATION_CACHE = 30.0
_verified: dict[str, tuple[float, dict[str, Any]]] = {}
_verified_lock = threading.Lock()
MAX_VERIFIED = 10_000
monotonic: Callable[[], float] = time.monotonic


def clear_token_cache() -> None:
    with _verified_lock:
        _verified.clear()


def verify_id_token(token: str, *, check_revoked: bool = True) -> dict[str, Any]:
    from firebase_admin import auth as fb_auth
    from firebase_admin.exceptions import FirebaseError

    from coinbox_platform import firebase

    digest = hashlib.sha256(token.encode()).hexdigest()
    now = monotonic()
    if check_revoked:
        with _verified_lock:
            hit = _verified.get(digest)
        if hit is not None and now - hit[0] < REVOCATION_CACHE:
            claims = hit[1]
            if claims.get("exp", 0) > time.time():
                return claims
    try:
        claims = dict(
            fb_auth.verify_id_token(token, app=firebase.app(), check_revoked=check_revoked)
        )
    except fb_auth.UserDisabledError as exc:
        raise Unauthenticated("This account is disabled.", code="account_disabled") from exc
    except fb_auth.RevokedIdTokenError as exc:
        raise Unauthenticated(
            "The ID token was revoked; sign in again.", code="invalid_token"
        ) from exc
    except (
        ValueError,
        fb_auth.InvalidIdTokenError,
        fb_auth.ExpiredIdTokenError,
        fb_auth.CertificateFetchError,
    ) as exc:
        raise Unauthenticated("The ID token is invalid or expired.", code="invalid_token") from exc
    except fb_auth.UserNotFoundError as exc:
        raise Unauthenticated("The account no longer exists.", code="invalid_token") from exc
    except FirebaseError as exc:  # the revocation lookup could not reach Auth: fail closed
        raise ServiceUnavailable(
            "Could not verify the ID token; retry.", headers={"Retry-After": "1"}
        ) from exc
    if check_revoked:
        with _verified_lock:
            if len(_verified) >= MAX_VERIFIED:
                _verified.clear()
            _verified[digest] = (now, claims)
    return claims


def authenticate(request: Request, route: Route) -> Principal:
    creds = _credentials(request)
    if creds is None:
        raise Unauthenticated(
            "Authenticate with a Firebase ID token or an API key.",
            headers={"WWW-Authenticate": 'Bearer realm="coinbox"'},
        )
    kind, secret = creds
    if kind == "api_key":
        return verify_api_key(secret)
    from coinbox_platform.domain.users import ensure_profile

    claims = verify_id_token(secret)
    profile = ensure_profile(
        claims["uid"], email=claims.get("email"), display_name=claims.get("name")
    )
    return Principal(user=profile, kind="session")


def verify_api_key(secret: str) -> Principal:
    """The principal of an API key: its owner, with the key's effective tier and scopes
    (re-derived from the owner's current role and membership)."""
    from coinbox_platform.access import apikeys

    record, owner = apikeys.verify(secret)
    tier, scopes = apikeys.effective(record, owner)
    return Principal(
        user=owner,
        kind="api_key",
        key_id=record.id,
        scopes=scopes,
        api_tier=tier.value,
        key_expires_at=record.ends_at(),
        tier_ceiling=apikeys.tier_ceiling(owner, record).value,
    )


def authorize(principal: Principal, route: Route) -> None:
    role = principal.user.role
    if route.auth == "staff" and role not in (Role.SUPPORT, Role.ADMIN):
        raise Forbidden("This endpoint is for support and admin staff.")
    if route.auth == "admin" and role != Role.ADMIN:
        raise Forbidden("This endpoint is for admins.")
    if route.scope and not principal.has_scope(route.scope):
        raise Forbidden(
            f"This API key lacks the scope {route.scope}.",
            code="insufficient_scope",
            extra={"requiredScope": route.scope},
        )
