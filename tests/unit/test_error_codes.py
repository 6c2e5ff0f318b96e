"""One registry of error codes (coinbox_platform.errors.CODES): every code the library can put
in a problem response is registered with the status it is raised with, the catalogue page
(docs/errors.md) is generated from it, and the OpenAPI document lists it."""

from __future__ import annotations

import ast
from pathlib import Path

from coinbox_platform import errors
from coinbox_platform.api.openapi import build_document
from scripts.errors import DOC, render

LIBRARY = Path(errors.__file__).resolve().parent
ERROR_CLASSES = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.CoinboxError)
}


def raised_codes() -> list[tuple[str, int | None, str]]:
    """(code, status of the class it is raised with or None when unknown, where) for every
    `SomeError(..., code="...")` and `code = "..."` class default in the library."""
    out: list[tuple[str, int | None, str]] = []
    for path in LIBRARY.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            where = f"{path.relative_to(LIBRARY)}:{getattr(node, 'lineno', 0)}"
            # apikeys._refuse(reason, detail, code): a 401 with its code third
            if (
                path.name == "apikeys.py"
                and isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "_refuse"
                and len(node.args) > 2
                and isinstance(node.args[2], ast.Constant)
            ):
                out.append((str(node.args[2].value), 401, where))
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                        cls = ERROR_CLASSES.get(name)
                        if cls is None and name not in ("CoinboxError",):
                            continue  # FieldError(code=...) and the like: field codes
                        # CoinboxError itself takes its status from .with_status(...)
                        direct = cls is None or cls is errors.CoinboxError
                        status = None if direct else cls.status
                        out.append((str(kw.value.value), status, where))
            elif isinstance(node, ast.Dict):
                # A stored problem: {"status": 409, "code": "...", ...}
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if "code" in keys and "status" in keys:
                    code_node = node.values[keys.index("code")]
                    status_node = node.values[keys.index("status")]
                    if isinstance(code_node, ast.Constant) and isinstance(code_node.value, str):
                        status = (
                            status_node.value if isinstance(status_node, ast.Constant) else None
                        )
                        out.append((code_node.value, status, where))
            elif isinstance(node, ast.ClassDef) and node.name in ERROR_CLASSES:
                cls = ERROR_CLASSES[node.name]
                out.append((cls.code, cls.status, where))
    return out


def test_every_raised_code_is_registered_with_its_status() -> None:
    problems = []
    for code, status, where in raised_codes():
        entry = errors.CODES.get(code)
        if entry is None:
            problems.append(f"{where}: {code} is not in errors.CODES")
        elif status is not None and entry.status != status and code != "rule_violation":
            problems.append(f"{where}: {code} raised with {status}, registered as {entry.status}")
    assert not problems, "\n".join(problems)


def test_every_registered_code_is_used() -> None:
    used = {code for code, _, _ in raised_codes()}
    used |= {"internal_error", "method_not_allowed", "export_expired"}  # built with with_status
    assert sorted(set(errors.CODES) - used) == []


def test_problem_types_point_at_the_catalogue() -> None:
    err = errors.insufficient_funds("R5 short")
    assert errors.problem_type(err.code) == "/docs/errors#insufficient_funds"


def test_openapi_lists_the_catalogue_and_each_operations_codes() -> None:
    doc = build_document()
    listed = {e["code"]: e for e in doc["x-coinbox-errors"]}
    assert listed.keys() == errors.CODES.keys()
    op = doc["paths"]["/v1/investments"]["post"]
    assert {"insufficient_funds", "kyc_required", "loan_not_open", "idempotency_conflict"} <= set(
        op["responses"]["422"]["x-coinbox-codes"]
    ) | set(op["responses"]["409"]["x-coinbox-codes"])
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    codes = response["x-coinbox-codes"]
                    assert codes, (method, path, status)
                    assert all(errors.CODES[c].status == int(status) for c in codes), (
                        method,
                        path,
                        status,
                        codes,
                    )


def test_the_catalogue_page_is_current() -> None:
    assert DOC.read_text() == render(), "run: functions/venv/bin/python scripts/errors.py --write"
