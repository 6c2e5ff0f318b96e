"""Test set-up.

Unit tests (tests/unit) need nothing running. Emulator tests (marked `emulator`) need Firestore;
API tests (marked `stack`) need the whole local stack. `make test` runs everything inside
`scripts/stack.py exec`, which starts the stack and sets FIRESTORE_EMULATOR_HOST,
COINBOX_API_BASE and the rest. Run outside it, emulator tests start a standalone Firestore
emulator of their own; stack tests fail with a message saying how to run them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[str]:
    """The Firestore emulator host: the stack's, or a standalone one started here."""
    host = os.environ.get("FIRESTORE_EMULATOR_HOST")
    proc = None
    if not host:
        shim = ROOT / ".stack/firestore-shim.jar"
        java = ROOT / ".stack/java-home/bin/java"
        if not shim.exists() or not java.exists():
            pytest.fail(
                "No Firestore emulator: run `make setup` (or run the tests with `make test`)."
            )
        port = _free_port()
        host = f"127.0.0.1:{port}"
        proc = subprocess.Popen(
            [str(java), "-jar", str(shim), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(f"http://{host}/", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("the standalone Firestore emulator did not start")
            time.sleep(0.2)
        os.environ["FIRESTORE_EMULATOR_HOST"] = host
        os.environ.setdefault("GCLOUD_PROJECT", "demo-coinbox")
    from coinbox_platform.config import settings

    settings.cache_clear()
    yield host
    if proc is not None:
        os.killpg(proc.pid, 9)
        proc.wait()


@pytest.fixture(scope="session")
def stack(firestore_emulator: str) -> str:
    base = os.environ.get("COINBOX_API_BASE")
    if not base:
        pytest.fail(
            "This test needs the whole local stack: run it with `make test` "
            "or `functions/venv/bin/python scripts/stack.py exec -- pytest ...`."
        )
    return base


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("stack"):
            item.fixturenames.insert(0, "stack")
        if item.get_closest_marker("emulator") or item.get_closest_marker("stack"):
            item.fixturenames.insert(0, "firestore_emulator")
