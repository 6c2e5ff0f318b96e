"""The endpoint families. Importing a module registers its routes in `routing.TABLE`.

An endpoint function serves one family and loads only that module (`load(family)`); the
tools that need every route (the OpenAPI document, the README route table, the tests) call
`load_all()`.
"""

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
_loaded: set[str] = set()


def load(family: str | None) -> None:
    """Register the routes of `family` (None: of every family). A family with no module here
    (a route a test declares itself) has nothing to load."""
    if family is None:
        load_all()
    elif family not in _loaded and family in FAMILIES:
        importlib.import_module(f"coinbox_platform.api.routes.{family}")
        _loaded.add(family)


def load_all() -> None:
    for name in FAMILIES:
        load(name)
