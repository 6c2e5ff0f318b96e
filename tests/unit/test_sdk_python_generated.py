"""The SDK's generated code is current: models.py regenerated from docs/openapi.json and the
async resources regenerated from the sync ones are byte-identical to the committed files.
On failure run `functions/venv/bin/python sdks/python/scripts/generate.py` (make
sdk-python-generate)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_code_matches_openapi_snapshot() -> None:
    result = subprocess.run(
        [sys.executable, "sdks/python/scripts/generate.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_schema_of_the_document_has_a_model() -> None:
    import json

    from coinbox import models

    schemas = json.loads((ROOT / "docs/openapi.json").read_text())["components"]["schemas"]
    missing = [name for name in schemas if not hasattr(models, name)]
    assert not missing


def test_every_operation_has_a_client_method() -> None:
    """Each path of the document is called by some resource of the SDK (by its path text)."""
    import json
    import re

    doc = json.loads((ROOT / "docs/openapi.json").read_text())
    source = (ROOT / "sdks/python/src/coinbox/_resources.py").read_text()
    called = {re.sub(r"\{[^}]+\}", "{}", p) for p in re.findall(r'f?"(/[a-z][^"]*)"', source)}
    uncovered = []
    for path in doc["paths"]:
        rel = re.sub(r"\{[^}]+\}", "{}", path.removeprefix("/v1"))
        if rel in ("/openapi.json",):
            continue  # the document itself
        if rel not in called and not any(
            re.fullmatch(re.escape(c).replace(r"\{\}", "[^/]+"), rel) for c in called
        ):
            uncovered.append(path)
    assert not uncovered


def test_importing_the_package_is_cheap() -> None:
    """`import coinbox` loads neither httpx nor pydantic nor the models (they load on use)."""
    code = (
        "import sys, coinbox; heavy = [m for m in ('httpx', 'pydantic', 'coinbox.models', "
        "'coinbox._client') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
