"""Every expiry/retention field the code writes has a TTL policy, and every policy is used.

The code is read, not run: every place in shared/src that writes the TTL field (a dict key
"expireAt", or `expire_at=` given to a model that stores it) is found with the ast module and
traced to its collection; retention.RETENTION (the one table the writers use) must list it,
and firestore.indexes.json must hold a TTL policy for exactly those collections. Any other
expiry-like field name in the code must be one of the known domain fields (DOMAIN_EXPIRY),
so a new one needs a decision: a TTL policy or a reason here.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from coinbox_platform import retention
from coinbox_platform.webhooks import WEBHOOK_EVENTS, catalog
from tests.stored_models import stored_models

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "shared" / "src"
INDEXES = json.loads((ROOT / "firestore.indexes.json").read_text())
TTL_FIELD = retention.TTL_FIELD
TTL_ATTR = "expire_at"  # the models' attribute that their camelCase alias stores as TTL_FIELD

# Every stored model (pydantic, camelCase aliases: an `expire_at` attribute is stored as
# TTL_FIELD) and the collection it names.
MODEL_COLLECTIONS = {name: model.collection for name, model in stored_models().items()}

# Expiry-like fields that are domain state, not document expiry: no TTL policy, on purpose.
DOMAIN_EXPIRY = {
    "expiresAt": "loans/cryptoOrders: end of the funding/listing window; apiKeys: end of the "
    "key; exportLogs: when the FILE is deleted (the record stays until expireAt)",
    "previousSecretExpiresAt": "webhookSubscriptions: end of a rotated secret's overlap",
    "expiresInDays": "a request field of the API-key routes (stored as apiKeys.expiresAt)",
    "keyExpiresAt": "Principal, in memory: when the calling key stops working (never stored)",
}
EXPIRY_LIKE = re.compile(r"expir|ttl|purge|retain|retention|deleteat", re.I)


@dataclass(frozen=True)
class Write:
    where: str
    collection: str


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted((SRC / "coinbox_platform").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        out.append((name, ast.parse(path.read_text(), str(path))))
    return out


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _collection_of(module: str, value: ast.expr, where: str) -> str:
    """The collection of a `retention.expire_at(COLLECTION, since)` call."""
    assert (
        isinstance(value, ast.Call)
        and _callee(value) == "expire_at"
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == "retention"
        and value.args
    ), f"{where}: write {TTL_FIELD} as retention.expire_at(<collection>, <since>)"
    return _constant(importlib.import_module(module), value.args[0], where)


def _constant(module: object, node: ast.expr, where: str) -> str:
    """The value of a collection name: "literal", NAME or module.NAME, as the module sees it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        value = getattr(module, node.id)
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        value = getattr(getattr(module, node.value.id), node.attr)
    else:
        raise AssertionError(f"{where}: name the collection by a constant")
    assert isinstance(value, str), f"{where}: the collection is not a string"
    return value


def ttl_writes() -> list[Write]:
    writes = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            where = f"{module}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == TTL_FIELD:
                        writes.append(Write(where, _collection_of(module, value, where)))
            elif isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == TTL_ATTR:
                        model = _callee(node)
                        assert model in MODEL_COLLECTIONS, (
                            f"{where}: {model}({TTL_ATTR}=...): which collection? "
                            "add it to MODEL_COLLECTIONS"
                        )
                        writes.append(Write(where, MODEL_COLLECTIONS[model]))
            elif isinstance(node, ast.ClassDef):
                fields = {
                    s.target.id
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                }
                if TTL_ATTR in fields:
                    assert node.name in MODEL_COLLECTIONS, (
                        f"{where}: model {node.name} stores {TTL_FIELD}: add it to MODEL_COLLECTIONS"
                    )
    return writes


def ttl_policies() -> dict[str, dict[str, object]]:
    return {
        f["collectionGroup"]: f
        for f in INDEXES.get("fieldOverrides", [])
        if f.get("ttl") is True and f.get("fieldPath") == TTL_FIELD
    }


def test_every_ttl_write_has_a_policy_and_every_policy_a_writer() -> None:
    writes = ttl_writes()
    written = {w.collection for w in writes}
    assert {"idempotencyKeys", "exportLogs", "apiRequestLogs", "rateLimitSlots"} <= written
    no_table = sorted(w.where for w in writes if w.collection not in retention.RETENTION)
    assert not no_table, (
        f"{TTL_FIELD} written for collections not in retention.RETENTION: {no_table}"
    )
    no_policy = written - set(ttl_policies())
    assert not no_policy, f"{TTL_FIELD} written without a TTL policy: {sorted(no_policy)}"
    assert set(retention.RETENTION) == set(ttl_policies()) == written


def test_ttl_policies_are_well_formed() -> None:
    for f in INDEXES["fieldOverrides"]:
        if "ttl" in f:
            assert f["ttl"] is True, f
            assert f["fieldPath"] == TTL_FIELD, f  # one TTL field name across the code
            # A TTL timestamp is never queried: no single-field index (and no hot spot).
            assert f["indexes"] == [], f
    fields = [(f["collectionGroup"], f["fieldPath"]) for f in INDEXES["fieldOverrides"]]
    assert len(fields) == len(set(fields)), "a field of a collection group is overridden twice"


def test_firebase_tools_accepts_the_index_file() -> None:
    """firebase-tools' own validation of firestore.indexes.json (what `firebase deploy
    --only firestore:indexes` runs before it calls the API), offline."""
    script = (
        "const {FirestoreApi} = require('./node_modules/firebase-tools/lib/firestore/api.js');"
        "new FirestoreApi().validateSpec(require('./firestore.indexes.json'));"
        "console.log('valid');"
    )
    proc = subprocess.run(
        ["node", "-e", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "valid", proc.stderr


def test_retentions() -> None:
    """docs/product.md: request logs 90 days, events 30 days, idempotency keys 24 h; the webhook
    code's
    own constant agrees with the table."""
    days = {k: v.total_seconds() / 86400 for k, v in retention.RETENTION.items()}
    assert days["apiRequestLogs"] == 90
    assert days["webhookEvents"] == days["webhookDeliveries"] == 30
    assert days["idempotencyKeys"] == 1
    assert days["exportLogs"] == 90
    assert retention.RETENTION[WEBHOOK_EVENTS] == catalog.EVENT_RETENTION


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def test_no_other_expiry_field_without_a_decision() -> None:
    found: dict[str, str] = {}
    for module, tree in _modules():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # field-like strings: camelCase identifiers ("expiresAt"), not status words
                if re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)+", node.value):
                    names.append(node.value)
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and "_" in node.target.id
                and node.target.id.islower()
            ):
                names.append(_camel(node.target.id))
            for name in names:
                if EXPIRY_LIKE.search(name) and name != TTL_FIELD:
                    found.setdefault(name, f"{module}:{node.lineno}")
    unknown = {n: w for n, w in found.items() if n not in DOMAIN_EXPIRY}
    assert not unknown, (
        f"expiry-like fields with no TTL decision: {unknown}; give them a TTL policy "
        "(retention.RETENTION, firestore.indexes.json) or list them in DOMAIN_EXPIRY"
    )
    assert set(DOMAIN_EXPIRY) <= set(found), set(DOMAIN_EXPIRY) - set(found)
