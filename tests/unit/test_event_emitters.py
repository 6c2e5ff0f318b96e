"""Every event type the catalog publishes (GET /v1/event-types, the OpenAPI `webhooks`) is tied
to the code path that emits it, and every type a code path emits is published.

Domain types are emitted by the Firestore triggers through the transition tables of
webhooks/events.py. The others are emitted by a call of the event factory,
`new_event(event_type, ...)` or `emit_about(collection, id, key, event_type, ...)`
(webhooks/event.py, webhooks/events.py): the type is read from the call itself, a string, or
a name assigned from a module-level table of strings (`FINAL_EVENTS.get(status)`). Docstrings,
comments and strings that are not an emitter's argument do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

from coinbox_platform.webhooks import catalog, events

LIBRARY = Path(catalog.__file__).resolve().parent.parent
FACTORIES = {"new_event": 0, "emit_about": 3}  # the event type's position in each call


def _trigger_emitted() -> set[str]:
    out = set(events.CREATED_EVENTS.values()) | set(events.KYC_EVENTS.values())
    for table in events.STATUS_EVENTS.values():
        out |= set(table.values())
    out |= {event_type for _, event_type in events.INCREASE_EVENTS.values()}
    return out


def _strings(node: ast.AST) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Dict):
        values = [_strings(v) for v in node.values if v is not None]
        if values and all(v is not None for v in values):
            return set().union(*(v for v in values if v is not None))
    return None


def _type_argument(call: ast.Call, name: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == "event_type":
            return kw.value
    pos = FACTORIES[name]
    return call.args[pos] if len(call.args) > pos else None


def emitters(source: str) -> dict[str, set[str]]:
    """{event type: {"line N", ...}} for every factory call in `source` whose type is known."""
    tree = ast.parse(source)
    tables = {
        target.id: found
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and (found := _strings(node.value)) is not None
    }
    out: dict[str, set[str]] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                if isinstance(target, ast.Name):
                    # name = TABLE.get(...) / TABLE[...] / "literal"
                    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                        value = value.func.value
                    elif isinstance(value, ast.Subscript):
                        value = value.value
                    if isinstance(value, ast.Name) and value.id in tables:
                        assigned[target.id] = tables[value.id]
                    elif (found := _strings(value)) is not None:
                        assigned[target.id] = found
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in FACTORIES:
                continue
            arg = _type_argument(node, name)
            types = _strings(arg) if arg is not None else None
            if types is None and isinstance(arg, ast.Name):
                types = assigned.get(arg.id)
            for t in types or ():
                out.setdefault(t, set()).add(f"line {node.lineno}")
    return out


def _library_emitters() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted(LIBRARY.rglob("*.py")):
        for event_type, where in emitters(path.read_text()).items():
            rel = path.relative_to(LIBRARY.parent)
            out.setdefault(event_type, set()).update(f"{rel} {w}" for w in where)
    return out


def test_every_published_event_type_has_an_emitter() -> None:
    emitted = _trigger_emitted() | set(_library_emitters())
    missing = sorted(set(catalog.EVENT_TYPES) - emitted)
    assert not missing, f"published in the catalog but emitted by no code path: {missing}"


def test_every_emitted_event_type_is_published() -> None:
    unpublished = {
        t: sorted(where) for t, where in _library_emitters().items() if t not in catalog.EVENT_TYPES
    }
    assert not (_trigger_emitted() - set(catalog.EVENT_TYPES))
    assert not unpublished, f"emitted but not in the catalog: {unpublished}"


def test_the_non_domain_types_are_tied_to_their_emitters() -> None:
    found = _library_emitters()
    assert any("exports/service.py" in w for w in found["export.completed"])
    assert any("exports/service.py" in w for w in found["export.failed"])
    assert any("bulk/service.py" in w for w in found["bulk.completed"])
    assert any("webhooks/delivery.py" in w for w in found["webhook.endpoint_disabled"])


def test_the_check_sees_a_type_nobody_emits() -> None:
    source = """
FINAL = {"done": "thing.done"}
def announce(status):
    kind = FINAL.get(status)
    emit_about("things", "t1", status, kind, obj={}, user_ids=[])
def other():
    x = "thing.mentioned"  # named, but never emitted
    new_event("thing.made", source="s", data={}, user_ids=[], now=None)
"""
    assert set(emitters(source)) == {"thing.done", "thing.made"}
    assert "export.archived" not in _trigger_emitted() | set(_library_emitters())
