"""The endpoint families. Importing a module registers its routes in `routing.TABLE`."""

from __future__ import annotations

import importlib

FAMILIES = (
    "health",
    "me",
    "wallet",
    "transactions",
    "loans",
    "investments",
    "crypto",
    "messages",
    "admin",
    "openapi",
    "events",
    "webhooks",
    "apikeys",
    "exports",
    "bulk",
)
_loaded = False


def load_all() -> None:
    global _loaded
    if not _loaded:
        for name in FAMILIES:
            importlib.import_module(f"coinbox_platform.api.routes.{name}")
        _loaded = True
