"""Every event type the catalog publishes (GET /v1/event-types, the OpenAPI `webhooks`) has a
code path that emits it.

Domain types are emitted by the Firestore triggers through the transition tables of
webhooks/events.py; the others are emitted by name (`Event(type=...)`, `emit_about(...)`)
somewhere in the library. Docstrings and comments do not count: only string values in code.
"""

from __future__ import annotations

import ast
from pathlib import Path

from coinbox_platform.webhooks import catalog, events

LIBRARY = Path(catalog.__file__).resolve().parent.parent


def _trigger_emitted() -> set[str]:
    out = set(events.CREATED_EVENTS.values()) | set(events.KYC_EVENTS.values())
    for table in events.STATUS_EVENTS.values():
        out |= set(table.values())
    out |= {event_type for _, event_type in events.INCREASE_EVENTS.values()}
    return out


def _named_in_code() -> set[str]:
    """String constants of the library outside the catalog, docstrings left out."""
    names: set[str] = set()
    for path in LIBRARY.rglob("*.py"):
        if path.name == "catalog.py" and path.parent.name == "webhooks":
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                names.add(node.value)
    return names


def test_every_published_event_type_has_an_emitter() -> None:
    emitted = _trigger_emitted() | (_named_in_code() & set(catalog.EVENT_TYPES))
    missing = sorted(set(catalog.EVENT_TYPES) - emitted)
    assert not missing, f"published in the catalog but emitted by no code path: {missing}"


def test_the_check_sees_a_type_nobody_emits() -> None:
    assert "export.archived" not in _trigger_emitted() | _named_in_code()
    assert {"export.completed", "export.failed", "bulk.completed"} <= _named_in_code()
