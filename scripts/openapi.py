"""Write the OpenAPI document to docs/openapi.json (`--write`) or check that it is current.

The committed copy is what the SDKs generate their types from and what the Postman collection
is built from; tests/unit/test_openapi_snapshot.py fails when it no longer matches the code.
`GET /v1/openapi.json` serves the same document, built from the same route table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "docs" / "openapi.json"


def render() -> str:
    from coinbox_platform.api.openapi import build_document

    return json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--write"]:
        SNAPSHOT.write_text(text)
        print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
        return 0
    if argv == ["--check"]:
        current = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
        if current != text:
            print(
                "docs/openapi.json is stale: run `functions/venv/bin/python scripts/openapi.py --write`"
            )
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
