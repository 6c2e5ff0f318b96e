"""Deployment options of every function, and the one table of which secret each one reads.

Secrets are Firebase secrets (Secret Manager): `firebase functions:secrets:set API_KEY_PEPPER`
and `WEBHOOK_SECRET_KEY` (32 random bytes, base64). A function is given only the secrets it
declares, and the library reads a secret only on the code path that uses it
(coinbox_platform.config.secret), so the table below is exactly what each code path reads:

- API_KEY_PEPPER: every endpoint family with authenticated routes (an API key is hashed with
  it before it is looked up).
- WEBHOOK_SECRET_KEY: the `webhooks` family (it encrypts new and rotated signing secrets) and
  `deliverwebhook` (it decrypts them to sign).

tests/unit/test_production_mode.py runs every function of the deploy manifest with exactly
these secrets and no emulator, and fails if a code path reads one it was not given. The
emulator reads development values from functions/.secret.local (never deployed). See
docs/deploy.md.
"""

from typing import Any

from firebase_functions import options
from firebase_functions.params import SecretParam

API_KEY_PEPPER = SecretParam("API_KEY_PEPPER")
WEBHOOK_SECRET_KEY = SecretParam("WEBHOOK_SECRET_KEY")

_AUTHENTICATED = (
    "admin",
    "apikeys",
    "bulk",
    "crypto",
    "events",
    "exports",
    "investments",
    "loans",
    "me",
    "messages",
    "transactions",
    "wallet",
)
SECRETS: dict[str, list[SecretParam]] = {
    **{name: [API_KEY_PEPPER] for name in _AUTHENTICATED},
    "webhooks": [API_KEY_PEPPER, WEBHOOK_SECRET_KEY],
    "deliverwebhook": [WEBHOOK_SECRET_KEY],
}


def secrets_of(function: str) -> list[SecretParam]:
    """The secrets `function` declares (none when it is not in SECRETS)."""
    return list(SECRETS.get(function, []))


def http_options(function: str) -> dict[str, Any]:
    """Options of the HTTP function serving endpoint family `function`."""
    return {
        "secrets": secrets_of(function),
        "region": "us-central1",
        "memory": options.MemoryOption.MB_512,
        "concurrency": 40,
        "timeout_sec": 60,
        "invoker": "public",
    }
