"""What the functions print is what Cloud Logging parses: one JSON object per line with
severity, message, the request id, the trace, and the traceback of a crash.

A subprocess imports functions/main.py (which configures logging, as in production) and serves
a request, runs a task and crashes a handler; the test reads its stdout line by line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.emulator

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
SCRIPT = r"""
import flask, main
from coinbox_platform.api.app import handle
from coinbox_platform.api.routing import TABLE

@TABLE.route("GET", "/v1/boom", "boom", summary="Crashes", auth="none")
def boom(call):
    raise RuntimeError("the handler broke")

app = flask.Flask("logs")
trace = {"X-Cloud-Trace-Context": "TRACE/7;o=1"}
with app.test_request_context("/v1/openapi.json", headers=trace):
    print("STATUS request", handle(flask.request, "openapi").status_code, flush=True)
with app.test_request_context("/v1/boom", headers={"traceparent": "00-TRACE-00f067aa0ba902b7-01"}):
    print("STATUS crash", handle(flask.request, "boom").status_code, flush=True)
body = {"data": {"deliveryId": "whd_" + "Z" * 24}}
with app.test_request_context("/", method="POST", json=body,
                              headers={"X-CloudTasks-TaskName": "task-123"}):
    print("STATUS task", main.deliverwebhook(flask.request).status_code, flush=True)
""".replace("TRACE", TRACE_ID)


@pytest.fixture(scope="module")
def lines(firestore_emulator: str) -> list[dict[str, Any]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COINBOX_", "PYTEST_")) and k != "PYTHONPATH"
    }
    env |= {
        "PYTHONPATH": str(ROOT / "functions"),
        "FIRESTORE_EMULATOR_HOST": firestore_emulator,
        "GCLOUD_PROJECT": "demo-coinbox",
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT / "functions",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "STATUS request 200" in proc.stdout
    assert "STATUS crash 500" in proc.stdout
    assert "STATUS task 200" in proc.stdout
    out = []
    for line in proc.stdout.splitlines():
        if line.startswith("STATUS "):
            continue
        out.append(json.loads(line))  # every other line is one JSON object
    return out


def _one(lines: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [x for x in lines if all(x.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, lines)
    return found[0]


def test_a_request_line(lines: list[dict[str, Any]]) -> None:
    line = _one(lines, message="GET /v1/openapi.json 200")
    assert line["severity"] == "INFO"
    assert line["requestId"].startswith("req_")
    assert line["logging.googleapis.com/labels"]["requestId"] == line["requestId"]
    assert line["logging.googleapis.com/trace"] == f"projects/demo-coinbox/traces/{TRACE_ID}"
    assert line["logging.googleapis.com/spanId"] == format(7, "016x")
    assert line["httpRequest"]["status"] == 200 and line["httpRequest"]["requestMethod"] == "GET"
    assert line["logging.googleapis.com/sourceLocation"]["file"].endswith("app.py")


def test_a_crash_carries_its_traceback_and_request_id(lines: list[dict[str, Any]]) -> None:
    crash = _one(lines, severity="ERROR", logger="coinbox.api", route=None)
    assert crash["message"].startswith("unhandled error in GET /v1/boom")
    assert "Traceback (most recent call last)" in crash["message"]
    assert "RuntimeError: the handler broke" in crash["message"]
    access = _one(lines, message="GET /v1/boom 500")
    assert access["severity"] == "ERROR"
    assert crash["requestId"] == access["requestId"]
    assert crash["logging.googleapis.com/trace"].endswith(TRACE_ID)


def test_a_task_line(lines: list[dict[str, Any]]) -> None:
    task = _one(lines, logger="coinbox.tasks.deliverwebhook")
    assert task["severity"] == "INFO"
    assert task["message"] == f"deliverwebhook: whd_{'Z' * 24} missing"
    assert task["requestId"].startswith("req_")
    labels = task["logging.googleapis.com/labels"]
    assert labels["function"] == "deliverwebhook" and labels["task"] == "task-123"
