"""Webhook secrets at rest: AES-256-GCM with a key from the environment.

`WEBHOOK_SECRET_KEY` (config.Secret) is 32 bytes, base64. Under the emulator a fixed
development key is used (never outside it). The subscription id is bound as associated data,
so a ciphertext copied onto another subscription does not decrypt.

Stored form: "v1:" + base64(12-byte nonce || ciphertext+tag).
"""

from __future__ import annotations

import base64
import secrets
from functools import cache

from coinbox_platform.config import Secret, secret

_VERSION = "v1:"


@cache
def _key() -> bytes:
    key = base64.b64decode(secret(Secret.WEBHOOK_SECRET_KEY))
    if len(key) != 32:
        raise RuntimeError("WEBHOOK_SECRET_KEY must be 32 bytes, base64-encoded")
    return key


def check_key() -> None:
    """Load the key now: code paths that will need it call this before they change anything,
    so a function deployed without the secret fails before it leases or writes."""
    _key()


def encrypt(plaintext: str, subscription_id: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, plaintext.encode(), subscription_id.encode())
    return _VERSION + base64.b64encode(nonce + sealed).decode()


def decrypt(stored: str, subscription_id: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not stored.startswith(_VERSION):
        raise ValueError("unknown secret encoding")
    blob = base64.b64decode(stored.removeprefix(_VERSION))
    return AESGCM(_key()).decrypt(blob[:12], blob[12:], subscription_id.encode()).decode()
