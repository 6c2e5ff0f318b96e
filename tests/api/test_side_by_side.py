"""Two whole stacks at once, on two port offsets, beside the stack this test run uses.

Each `scripts/stack.py exec` starts every emulator on its offset's block of ports and then holds
until the test releases it, so both run at the same time: each must answer /v1/health through
its own Hosting port, and a document written to one stack's Firestore is absent from the
other's. The offsets are the outer stack's + 500 and + 520 (multiples of 1000 are what engineers
use for their own stacks), so concurrent runs on different outer offsets do not meet either.
Costs two stack starts (about 30-60 s on 2 cores); bounded by the timeouts below.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from scripts import stack as stack_script

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
PY = ROOT / "functions" / "venv" / "bin" / "python"
READY_TIMEOUT = 300
# Runs inside each stack: say it is up, then hold the stack until released (bounded).
HOLD = (
    "import pathlib, sys, time; pathlib.Path(sys.argv[1]).touch(); release = pathlib.Path(sys.argv[2]);"
    "deadline = time.time() + 600\n"
    "while not release.exists() and time.time() < deadline: time.sleep(0.5)"
)
OUTER_VARS = (*stack_script.client_env(), "COINBOX_PORT_OFFSET", "PYTHONPATH")


def _firestore_doc(port: int, doc_id: str) -> str:
    return (
        f"http://127.0.0.1:{port}/v1/projects/{stack_script.PROJECT}"
        f"/databases/(default)/documents/sideBySide/{doc_id}"
    )


def test_two_stacks_run_side_by_side(tmp_path: Path) -> None:
    outer = int(os.environ.get("COINBOX_PORT_OFFSET", "0"))
    offsets = (outer + 500, outer + 520)
    layouts = {off: stack_script.layout(stack_script.parse_offset(str(off))) for off in offsets}
    release = tmp_path / "release"
    base_env = {k: v for k, v in os.environ.items() if k not in OUTER_VARS}
    procs: dict[int, subprocess.Popen[bytes]] = {}
    logs: dict[int, Path] = {}
    try:
        for off in offsets:
            logs[off] = tmp_path / f"stack-{off}.out"
            ready = str(tmp_path / f"ready-{off}")
            procs[off] = subprocess.Popen(
                [
                    str(PY),
                    "scripts/stack.py",
                    "exec",
                    "--",
                    str(PY),
                    "-c",
                    HOLD,
                    ready,
                    str(release),
                ],
                cwd=ROOT,
                # The portal's config in web/dist stays the outer stack's (scripts/stack.py).
                env={**base_env, "COINBOX_PORT_OFFSET": str(off), "COINBOX_STACK_WEB": "0"},
                stdout=logs[off].open("wb"),
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.time() + READY_TIMEOUT
        while not all((tmp_path / f"ready-{off}").exists() for off in offsets):
            for off, proc in procs.items():
                if proc.poll() is not None:
                    pytest.fail(f"stack {off} exited early:\n{logs[off].read_text()[-3000:]}")
            if time.time() > deadline:
                pytest.fail(f"stacks not both ready after {READY_TIMEOUT} s")
            time.sleep(0.5)

        # Both are up at once: each answers through its own Hosting port, and its CORS origin
        # (PORTAL_ORIGINS) is its own portal's, not the other stack's.
        for off, other in (offsets, offsets[::-1]):
            hosting = layouts[off][("hosting", "port")]
            own = f"http://127.0.0.1:{hosting}"
            resp = requests.get(f"{own}/v1/health", headers={"Origin": own}, timeout=30)
            assert resp.status_code == 200, resp.text
            assert resp.json()["status"] == "ok"
            assert resp.headers.get("Access-Control-Allow-Origin") == own
            foreign = f"http://127.0.0.1:{layouts[other][('hosting', 'port')]}"
            resp = requests.get(f"{own}/v1/health", headers={"Origin": foreign}, timeout=30)
            assert resp.status_code == 200 and "Access-Control-Allow-Origin" not in resp.headers
            printed = logs[off].read_text()
            assert f"hosting {hosting}" in printed, printed  # the ports are printed at start

        # ... and each has its own Firestore.
        a, b = (layouts[off][("firestore", "port")] for off in offsets)
        doc_id = uuid.uuid4().hex
        auth = {"Authorization": "Bearer owner"}
        written = requests.patch(
            _firestore_doc(a, doc_id),
            json={"fields": {"offset": {"integerValue": str(offsets[0])}}},
            headers=auth,
            timeout=30,
        )
        assert written.status_code == 200, written.text
        assert requests.get(_firestore_doc(a, doc_id), headers=auth, timeout=30).status_code == 200
        assert requests.get(_firestore_doc(b, doc_id), headers=auth, timeout=30).status_code == 404

        release.touch()
        for off, proc in procs.items():
            assert proc.wait(timeout=90) == 0, logs[off].read_text()[-3000:]
        for off in offsets:  # stopped: every port of both blocks is free again
            busy = [p for p in layouts[off].values() if stack_script._port_busy(p)]
            assert not busy, f"stack {off} left ports open: {busy}"
        outer_api = os.environ.get("COINBOX_API_BASE")
        if outer_api:  # the stack this test runs in was left alone
            assert requests.get(f"{outer_api}/health", timeout=30).status_code == 200
    finally:
        release.touch()
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # stack.py stops its emulators on SIGTERM
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if any(proc.returncode not in (0, None) for proc in procs.values()):
            for off in offsets:
                print(f"--- stack {off} ---\n{logs[off].read_text()[-3000:]}", file=sys.stderr)
