"""docs/openapi.json (what the SDKs and the Postman collection are generated from) is the
document the code builds."""

from __future__ import annotations

from scripts.openapi import SNAPSHOT, render


def test_committed_openapi_document_matches_the_code() -> None:
    assert SNAPSHOT.read_text() == render(), (
        "docs/openapi.json is stale: run `functions/venv/bin/python scripts/openapi.py --write`"
    )
