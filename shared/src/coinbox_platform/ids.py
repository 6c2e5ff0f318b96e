"""Prefixed random identifiers (`loan_3kT…`), as Stripe does: the prefix tells what an id is."""

from __future__ import annotations

import secrets
import string

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase  # base62
ID_BODY_LENGTH = 24
PREFIXES = frozenset(
    {
        "key",
        "loan",
        "inv",
        "txn",
        "ord",
        "msg",
        "whk",
        "whd",
        "evt",
        "bat",
        "exp",
        "req",
        "ake",
        "ulb",
    }
)


def new_id(prefix: str, length: int = ID_BODY_LENGTH) -> str:
    """A new id `prefix_<base62>`; 24 random base62 characters carry 142 bits."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_" + "".join(secrets.choice(ALPHABET) for _ in range(length))


def has_prefix(value: str, prefix: str) -> bool:
    body = value[len(prefix) + 1 :]
    return (
        value.startswith(prefix + "_") and 0 < len(body) <= 64 and all(c in ALPHABET for c in body)
    )
