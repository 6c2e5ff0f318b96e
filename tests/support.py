"""Helpers for tests that run against the emulators: users with ID tokens, funded wallets,
an HTTP client for the API through Hosting."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests

from coinbox_platform import store
from coinbox_platform.domain import wallets
from coinbox_platform.domain.models import UserProfile
from coinbox_platform.tiers import KycStatus, MembershipTier, Role

SESSION = requests.Session()


def auth_host() -> str:
    host = os.environ.get("FIREBASE_AUTH_EMULATOR_HOST")
    if not host:
        raise RuntimeError("FIREBASE_AUTH_EMULATOR_HOST is not set: run under `make test`")
    return host


def api_base() -> str:
    base = os.environ.get("COINBOX_API_BASE")
    if not base:
        raise RuntimeError("COINBOX_API_BASE is not set: run under `make test`")
    return base


def sign_up(email: str, password: str = "password123") -> tuple[str, str]:
    """A new Auth emulator account: (uid, ID token)."""
    url = f"http://{auth_host()}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake"
    resp = SESSION.post(
        url, json={"email": email, "password": password, "returnSecureToken": True}, timeout=10
    )
    resp.raise_for_status()
    data = resp.json()
    return data["localId"], data["idToken"]


def unique(prefix: str = "u") -> str:
    return f"{prefix}{secrets.token_hex(5)}"


def put_profile(
    uid: str,
    *,
    email: str | None = None,
    kyc: KycStatus = KycStatus.VERIFIED,
    tier: MembershipTier = MembershipTier.BASIC,
    role: Role = Role.USER,
) -> UserProfile:
    from coinbox_platform.clock import utcnow

    profile = UserProfile(
        id=uid,
        email=email or f"{uid}@example.test",
        role=role,
        membership_tier=tier,
        kyc_status=kyc,
        created_at=utcnow(),
    )
    store.db().collection(store.USERS).document(uid).set(profile.to_doc())
    return profile


def make_profile(balance: int = 0, **kw: Any) -> UserProfile:
    """A profile straight in Firestore (no Auth account), with a funded wallet."""
    profile = put_profile(unique(), **kw)
    if balance:
        wallets.deposit(profile.id, amount=balance)
    return profile


@dataclass
class ApiUser:
    uid: str
    email: str
    token: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def get(self, path: str, **kw: Any) -> requests.Response:
        return SESSION.get(
            api_base() + path, headers=self.headers(**kw.pop("headers", {})), timeout=30, **kw
        )

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return SESSION.post(
            api_base() + path,
            json=json,
            headers=self.headers(**kw.pop("headers", {})),
            timeout=30,
            **kw,
        )

    def patch(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return SESSION.patch(
            api_base() + path,
            json=json,
            headers=self.headers(**kw.pop("headers", {})),
            timeout=30,
            **kw,
        )

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return SESSION.delete(
            api_base() + path, headers=self.headers(**kw.pop("headers", {})), timeout=30, **kw
        )


def make_api_user(
    balance: int = 0,
    *,
    kyc: KycStatus | None = KycStatus.VERIFIED,
    tier: MembershipTier = MembershipTier.BASIC,
    role: Role = Role.USER,
) -> ApiUser:
    """An Auth emulator account with an ID token; with `kyc` set, its profile is written
    directly (as staff would have verified it) and its wallet funded."""
    email = f"{unique()}@example.test"
    uid, token = sign_up(email)
    if kyc is not None:
        put_profile(uid, email=email, kyc=kyc, tier=tier, role=role)
    if balance:
        wallets.deposit(uid, amount=balance)
    return ApiUser(uid=uid, email=email, token=token)


def logs_of(field: str, value: str) -> list[dict[str, Any]]:
    """The request-log documents with field == value (apiRequestLogs)."""
    from google.cloud.firestore import FieldFilter

    from coinbox_platform import store
    from coinbox_platform.access.requestlog import REQUEST_LOGS

    q = store.db().collection(REQUEST_LOGS).where(filter=FieldFilter(field, "==", value))
    return [d.to_dict() or {} for d in q.stream()]


def wait_for_logs(field: str, value: str, count: int, timeout: float = 20.0) -> None:
    """Request logs are committed in batches by each instance, within
    requestlog.FLUSH_INTERVAL of the response: wait until `count` of them are readable."""
    wait_for(lambda: len(logs_of(field, value)) >= count, timeout=timeout)


def wait_for(predicate: Any, timeout: float = 20.0, interval: float = 0.2) -> Any:
    """Poll until predicate() is truthy; returns its value or fails the test."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
