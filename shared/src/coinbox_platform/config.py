"""Settings, read once from the environment into one typed object; secrets, read where used.

This module is the only one that reads the environment (tests/unit/test_settings.py checks it).
Plain settings (`settings()`) are read once per instance. Secrets are not part of them: a
secret is read by `secret(Secret.X)` only on the code path that uses it, so a function that
never hashes an API key or decrypts a webhook secret neither needs nor is given that secret
(the table of which function declares which secret is `functions/deploy.py`; docs/deploy.md).
Outside the emulator a missing secret raises `MissingSecret`; under the emulator a fixed
development value stands in for it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

DEV_API_KEY_PEPPER = "coinbox-dev-pepper-not-for-production"


class Secret(StrEnum):
    """Every secret the code reads: Firebase secrets (Secret Manager) in production."""

    API_KEY_PEPPER = "API_KEY_PEPPER"  # HMAC pepper of API key hashes and ids
    WEBHOOK_SECRET_KEY = "WEBHOOK_SECRET_KEY"  # noqa: S105 (a name) AES-256 key of webhook secrets


_DEV_VALUES = {
    Secret.API_KEY_PEPPER: DEV_API_KEY_PEPPER,
    Secret.WEBHOOK_SECRET_KEY: base64.b64encode(
        hashlib.sha256(b"coinbox-dev-webhook-key-not-for-production").digest()
    ).decode(),
}


class MissingSecret(RuntimeError):
    """A code path read a secret its function was not given (a deploy misconfiguration)."""


DEFAULT_TRUSTED_PROXY_HOPS = 1


@dataclass(frozen=True)
class Settings:
    """Every plain setting, with the environment variable it comes from."""

    project_id: str  # GCLOUD_PROJECT, GOOGLE_CLOUD_PROJECT or COINBOX_PROJECT_ID
    emulated: bool  # FIRESTORE_EMULATOR_HOST or FUNCTIONS_EMULATOR set
    sandbox: bool  # emulated, or COINBOX_SANDBOX
    portal_origins: tuple[str, ...] = field(default_factory=tuple)  # PORTAL_ORIGINS
    version: str = "0.1.0"
    # COINBOX_TRUSTED_PROXY_HOPS: proxies that append to X-Forwarded-For (clientip.py)
    trusted_proxy_hops: int = DEFAULT_TRUSTED_PROXY_HOPS
    # COINBOX_EXPORTS_BUCKET: the bucket of export files (default: the project's)
    exports_bucket: str = ""
    # COINBOX_WEBHOOK_RETRY: "base,factor,cap,max_attempts[,disable_after]" (webhooks/delivery.py)
    webhook_retry: str = ""
    # STORAGE_EMULATOR_HOST: Cloud Storage talks to the emulator with no credentials
    storage_emulated: bool = False
    # FIREBASE_AUTH_EMULATOR_HOST or CLOUD_TASKS_EMULATOR_HOST: firebase_admin gets an
    # anonymous credential (firebase.py)
    firebase_emulated: bool = False


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@lru_cache(maxsize=1)
def settings() -> Settings:
    project = (
        os.environ.get("GCLOUD_PROJECT")
        or os.environ.get("GOOGLE_CLOUD_PROJECT")
        or os.environ.get("COINBOX_PROJECT_ID")
        or "demo-coinbox"
    )
    emulated = bool(os.environ.get("FIRESTORE_EMULATOR_HOST")) or _truthy(
        os.environ.get("FUNCTIONS_EMULATOR")
    )
    sandbox = emulated or _truthy(os.environ.get("COINBOX_SANDBOX"))
    origins = tuple(
        o.strip()
        for o in os.environ.get(
            "PORTAL_ORIGINS", "http://127.0.0.1:5002,http://localhost:5002" if sandbox else ""
        ).split(",")
        if o.strip()
    )
    if not origins and not sandbox:
        # No localhost fallback outside the emulator and sandbox: CORS must name the portal.
        raise RuntimeError("PORTAL_ORIGINS must be set outside the emulator and sandbox")
    try:
        hops = max(0, int(os.environ.get("COINBOX_TRUSTED_PROXY_HOPS", DEFAULT_TRUSTED_PROXY_HOPS)))
    except ValueError:
        hops = DEFAULT_TRUSTED_PROXY_HOPS
    return Settings(
        project_id=project,
        emulated=emulated,
        sandbox=sandbox,
        portal_origins=origins,
        trusted_proxy_hops=hops,
        exports_bucket=os.environ.get("COINBOX_EXPORTS_BUCKET") or f"{project}.appspot.com",
        webhook_retry=os.environ.get("COINBOX_WEBHOOK_RETRY", "").strip(),
        storage_emulated=bool(os.environ.get("STORAGE_EMULATOR_HOST")),
        firebase_emulated=any(
            os.environ.get(var)
            for var in ("FIREBASE_AUTH_EMULATOR_HOST", "CLOUD_TASKS_EMULATOR_HOST")
        ),
    )


_read: set[Secret] = set()
_read_lock = threading.Lock()


def secret(name: Secret) -> str:
    """The value of secret `name`, read from the environment Firebase fills from Secret
    Manager for the functions that declare it. Raises MissingSecret outside the emulator when
    it is not set. Every read is recorded (`secrets_read`) for the production-mode test."""
    with _read_lock:
        _read.add(name)
    value = os.environ.get(name.value, "")
    if value:
        return value
    if settings().emulated:
        return _DEV_VALUES[name]
    raise MissingSecret(
        f"{name.value} is not set: declare it as a secret of this function (functions/deploy.py)"
    )


def secrets_read() -> frozenset[Secret]:
    """The secrets this process has read so far."""
    with _read_lock:
        return frozenset(_read)
