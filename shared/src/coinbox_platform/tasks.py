"""The one way the platform enqueues background work: Cloud Tasks through task-queue functions.

Each queue is one `TaskQueue` object, defined beside its handler: its name (the task-queue
function in functions/tasks/, `@tasks_fn.on_task_dispatched`), its pydantic payload and its
handler. The enqueuer and the function both use that object:

    SETTLE.enqueue(SettleTask(transaction_id="txn_…"), delay_seconds=5)   # the enqueuer
    SETTLE.dispatch(req.data, req.raw_request.headers)                    # the function

A name has no `_` because Cloud Tasks queue ids allow only letters, digits and hyphens.

Delivery is **at least once** and unordered: a task may run twice, concurrently with itself, or
after a later one. Every task handler must be idempotent (settle a withdrawal that is already
settled: do nothing) and must not rely on `delay_seconds` for correctness — the Tasks emulator
ignores delays and runs tasks at once.

Locally the functions emulator sets CLOUD_TASKS_EMULATOR_HOST and firebase_admin sends the task
there; in production it goes to the queue of the deployed function.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from coinbox_platform.errors import ServiceUnavailable
from coinbox_platform.ids import has_prefix

if TYPE_CHECKING:
    from coinbox_platform.logs import Headers

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


class TaskPayload(BaseModel):
    """A task's payload: camelCase on the wire (`{"transactionId": "txn_…"}`)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, strict=True
    )


def prefixed(prefix: str) -> AfterValidator:
    """A validator: the value is an id of ours with this prefix (`txn_…`)."""

    def check(value: str) -> str:
        if not has_prefix(value, prefix):
            raise ValueError(f"not a {prefix}_ id")
        return value

    return AfterValidator(check)


P = TypeVar("P", bound=TaskPayload)


@dataclass(frozen=True)
class TaskQueue(Generic[P]):
    """One Cloud Tasks queue: its name, its payload model and its handler.

    `run` does the work (idempotently: delivery is at least once) and returns what it did for
    the task's log line, or None to log nothing more."""

    name: str
    payload: type[P]
    run: Callable[[P], str | None]

    def __post_init__(self) -> None:
        if not _QUEUE.match(self.name):
            raise ValueError(f"invalid task queue name {self.name!r}")

    def enqueue(self, payload: P, *, delay_seconds: int = 0) -> str:
        """Hand `payload` to this queue's function; returns the task id (EnqueueFailed: 503)."""
        data = payload.model_dump(by_alias=True, mode="json")
        return enqueue(self.name, data, delay_seconds=delay_seconds)

    def dispatch(self, data: Any, headers: Headers | None = None) -> None:
        """What the task-queue function does with `req.data`: validate it as the payload and
        run the handler, in the task's log context. A malformed payload can never succeed: it
        is logged and acknowledged (not retried). An exception from the handler propagates, so
        Cloud Tasks retries the task."""
        from coinbox_platform import logs

        log = logging.getLogger(f"coinbox.tasks.{self.name}")
        with logs.run_context(self.name, headers):
            try:
                payload = self.payload.model_validate(data if isinstance(data, dict) else {})
            except ValidationError:
                log.error("%s: malformed task payload %r", self.name, data)
                return
            done = self.run(payload)
            if done is not None:
                log.info("%s: %s", self.name, done)
