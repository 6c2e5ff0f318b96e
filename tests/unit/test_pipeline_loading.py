"""`handle(request, family)` loads only the routes of that family (docs/architecture.md): the
pipeline's stages (API keys, rate limits, request logs) are called by api/app.py itself, so
nothing depends on another family's module having been imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from coinbox_platform.api.routes import FAMILIES, load_all
from coinbox_platform.api.routing import TABLE

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
from flask import Flask, request
from coinbox_platform.api.app import handle

app = Flask("t")
with app.test_request_context("/v1/loans/a/b/c", method="GET"):
    status = handle(request, "loans").status_code
loaded = sorted(m.rsplit(".", 1)[-1] for m in sys.modules if m.startswith("coinbox_platform.api.routes."))
print(json.dumps({"status": status, "loaded": loaded}))
"""


def test_every_route_is_declared_in_the_module_of_its_family() -> None:
    load_all()
    assert {r.family for r in TABLE.routes} <= set(FAMILIES)
    misplaced = [
        (r.method, r.template, r.handler.__module__)
        for r in TABLE.routes
        if r.family in FAMILIES
        and r.handler.__module__ != f"coinbox_platform.api.routes.{r.family}"
    ]
    assert misplaced == []


def test_handle_imports_only_the_family_it_serves() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["FUNCTIONS_EMULATOR"] = "true"  # settings without production variables; no network used
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == 404  # no such loans route: answered from the loans table alone
    assert out["loaded"] == ["loans"]
