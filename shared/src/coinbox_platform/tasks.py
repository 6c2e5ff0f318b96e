"""The one way the platform enqueues background work: Cloud Tasks through task-queue functions.

    task_id = enqueue("settlewithdrawal", {"transactionId": "txn_…"}, delay_seconds=5)

`queue` is the name of a task-queue function (functions/tasks/*, `@tasks_fn.on_task_dispatched`);
it has no `_` because Cloud Tasks queue ids allow only letters, digits and hyphens.

Delivery is **at least once** and unordered: a task may run twice, concurrently with itself, or
after a later one. Every task handler must be idempotent (settle a withdrawal that is already
settled: do nothing) and must not rely on `delay_seconds` for correctness — the Tasks emulator
ignores delays and runs tasks at once.

Locally the functions emulator sets CLOUD_TASKS_EMULATOR_HOST and firebase_admin sends the task
there; in production it goes to the queue of the deployed function.
"""

from __future__ import annotations

import re
from typing import Any

from coinbox_platform.errors import ServiceUnavailable

_QUEUE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,62}$")


class EnqueueFailed(ServiceUnavailable):
    """The task could not be handed to Cloud Tasks (nothing was enqueued)."""

    code = "enqueue_failed"


def enqueue(queue: str, payload: dict[str, Any], *, delay_seconds: int = 0) -> str:
    """Hand `payload` to the task-queue function `queue`; returns the task id.

    The handler receives `payload` as `req.data`. Delivery is at least once: handlers must be
    idempotent. `delay_seconds` schedules the first attempt later (production only).
    Raises EnqueueFailed (a 503) when Cloud Tasks refuses or cannot be reached.
    """
    if not _QUEUE.match(queue):
        raise ValueError(f"invalid task queue name {queue!r}: letters, digits and hyphens only")
    if delay_seconds < 0:
        raise ValueError("delay_seconds must not be negative")
    from firebase_admin import exceptions as fb_exc
    from firebase_admin import functions

    from coinbox_platform import firebase

    opts = functions.TaskOptions(schedule_delay_seconds=delay_seconds) if delay_seconds else None
    try:
        # on_task_dispatched reads the body as a callable request: {"data": <payload>}.
        return str(functions.task_queue(queue, app=firebase.app()).enqueue({"data": payload}, opts))
    except (fb_exc.FirebaseError, ValueError, OSError) as exc:
        raise EnqueueFailed(
            f"Could not enqueue a task on {queue}.", headers={"Retry-After": "5"}
        ) from exc
