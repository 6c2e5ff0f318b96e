"""Settings, read once from the environment into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

DEV_API_KEY_PEPPER = "coinbox-dev-pepper-not-for-production"


@dataclass(frozen=True)
class Settings:
    project_id: str
    emulated: bool
    sandbox: bool
    api_key_pepper: str
    portal_origins: tuple[str, ...] = field(default_factory=tuple)
    version: str = "0.1.0"


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
    pepper = os.environ.get("API_KEY_PEPPER") or ""
    if not pepper:
        if not emulated:
            raise RuntimeError("API_KEY_PEPPER must be set outside the emulator")
        pepper = DEV_API_KEY_PEPPER
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
    return Settings(
        project_id=project,
        emulated=emulated,
        sandbox=sandbox,
        api_key_pepper=pepper,
        portal_origins=origins,
    )
