"""Each Cloud Tasks queue is one `TaskQueue` object (name, pydantic payload, handler), used by
its enqueuer and by its task-queue function in functions/tasks/ (coinbox_platform/tasks.py)."""

from __future__ import annotations

import ast
import importlib
import logging
from pathlib import Path
from typing import Annotated

import pytest

import coinbox_platform
from coinbox_platform import tasks
from coinbox_platform.tasks import TaskPayload, TaskQueue, prefixed

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = Path(coinbox_platform.__file__).resolve().parent


def _task_functions() -> dict[str, tuple[str, str]]:
    """{function name: (module, object)} of every task-queue function: what it dispatches to."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted((ROOT / "functions" / "tasks").glob("*.py")):
        for fn in ast.parse(path.read_text()).body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            if not any("on_task_dispatched" in ast.unparse(d) for d in fn.decorator_list):
                continue
            imports = [n for n in ast.walk(fn) if isinstance(n, ast.ImportFrom)]
            assert len(imports) == 1 and len(imports[0].names) == 1, fn.name
            out[fn.name] = (str(imports[0].module), imports[0].names[0].name)
    return out


def test_every_task_function_dispatches_to_the_queue_of_its_name() -> None:
    functions = _task_functions()
    exported = {
        alias.name
        for node in ast.parse((ROOT / "functions" / "main.py").read_text()).body
        if isinstance(node, ast.ImportFrom) and str(node.module).startswith("tasks.")
        for alias in node.names
    }
    assert set(functions) == exported  # every task function is deployed, and only those
    assert {"deliverwebhook", "fanoutmessages", "runexport", "settlewithdrawal"} <= exported
    for name, (module, obj) in functions.items():
        queue = getattr(importlib.import_module(module), obj)
        assert isinstance(queue, TaskQueue), (name, module, obj)
        assert queue.name == name
        assert issubclass(queue.payload, TaskPayload)


def test_no_queue_is_named_by_a_string_outside_its_definition() -> None:
    """Enqueuers go through a TaskQueue: no `enqueue("name", {...})` in the library."""
    found = []
    for path in LIBRARY.rglob("*.py"):
        if path.name == "tasks.py" and path.parent == LIBRARY:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("enqueue", "enqueue_task") and node.args:
                    first = node.args[0]
                    if not isinstance(first, ast.Call):  # TaskQueue.enqueue(Payload(...))
                        found.append(f"{path.relative_to(LIBRARY)}:{node.lineno}")
    assert found == []


class Sample(TaskPayload):
    thing_id: Annotated[str, prefixed("thg")]
    count: int = 0


def test_dispatch_validates_the_payload_before_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[Sample] = []

    def run(task: Sample) -> str:
        seen.append(task)
        return f"{task.thing_id} x{task.count}"

    queue = TaskQueue("samplequeue", Sample, run)
    with caplog.at_level(logging.INFO, logger="coinbox.tasks.samplequeue"):
        queue.dispatch({"thingId": "thg_abc", "count": 2})
        for bad in ({"thingId": "txn_abc"}, {"thingId": 7}, {"count": 1}, None, ["thg_abc"]):
            queue.dispatch(bad)
        queue.dispatch({"thingId": "thg_abc", "count": "2"})  # strict: no string for an int
    assert seen == [Sample(thing_id="thg_abc", count=2)]
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "samplequeue: thg_abc x2"
    assert sum("malformed task payload" in m for m in messages) == 6


def test_enqueue_sends_the_camel_case_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, dict[str, object], int]] = []
    monkeypatch.setattr(
        tasks, "enqueue", lambda q, p, *, delay_seconds=0: sent.append((q, p, delay_seconds)) or "t"
    )
    queue = TaskQueue("samplequeue", Sample, lambda t: None)
    assert queue.enqueue(Sample(thing_id="thg_1", count=3), delay_seconds=5) == "t"
    assert sent == [("samplequeue", {"thingId": "thg_1", "count": 3}, 5)]


def test_a_queue_name_cloud_tasks_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="queue name"):
        TaskQueue("sample_queue", Sample, lambda t: None)
