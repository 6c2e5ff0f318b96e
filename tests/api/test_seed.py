"""`make dev`'s seed script works against the stack and prints usable credentials."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import SESSION, api_base

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]


def test_seed_prints_working_urls_tokens_and_api_key() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts/seed.py")],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
        check=True,
    ).stdout
    assert api_base() in out
    key = re.search(r"Demo API key .*: (cb_live_\w+)", out)
    assert key, out
    tokens = dict(re.findall(r"^  (demo-\w+): (\S+)$", out, re.M))
    assert set(tokens) == {"demo-admin", "demo-support", "demo-thandi", "demo-sipho"}

    by_key = SESSION.get(api_base() + "/me", headers={"X-API-Key": key.group(1)}, timeout=30)
    assert by_key.status_code == 200, by_key.text
    assert by_key.json()["id"] == "demo-sipho"
    by_token = SESSION.get(
        api_base() + "/wallet",
        headers={"Authorization": f"Bearer {tokens['demo-thandi']}"},
        timeout=30,
    )
    assert by_token.status_code == 200
    assert by_token.json()["balance"] > 0
    market = SESSION.get(
        api_base() + "/loans/marketplace",
        headers={"Authorization": f"Bearer {tokens['demo-sipho']}"},
        timeout=30,
    )
    assert len(market.json()["data"]) >= 3
