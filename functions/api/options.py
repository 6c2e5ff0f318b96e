"""Deployment options shared by the functions.

SECRETS are Firebase secrets (Secret Manager) in production: `firebase functions:secrets:set
API_KEY_PEPPER` and `WEBHOOK_SECRET_KEY` (32 random bytes, base64). The emulator reads the
development values from functions/.secret.local (never deployed: `*.local` is ignored).
"""

from typing import Any

from firebase_functions import options

SECRETS = ["API_KEY_PEPPER", "WEBHOOK_SECRET_KEY"]

HTTP_OPTIONS: dict[str, Any] = {
    "secrets": SECRETS,
    "region": "us-central1",
    "memory": options.MemoryOption.MB_512,
    "concurrency": 40,
    "timeout_sec": 60,
    "invoker": "public",
}
