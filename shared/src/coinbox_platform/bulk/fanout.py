"""A message to a group of users, fanned out through Cloud Tasks in chunks (docs/product.md §6).

    start(caller, group, title, body, priority)
        records `bulkOperationsLog/{bat_…}` as running, with the group, the message and
        progress {recipientsTotal, delivered}; enqueues fanoutmessages {batchId, chunk: 0}
    plan task {batchId, chunk, cursor}                   the planner, at least once
        plans up to PLAN_AHEAD chunks one after another: the recipients after `cursor` (at most
        CHUNK) become `bulkOperationsLog/{id}/chunks/{n}`, created in a transaction that also
        counts them on the batch (a duplicate task finds the chunk and uses what it holds);
        enqueues a deliver task per chunk at once, then the next plan task
    deliver task {batchId, chunk, deliver: true}         one chunk, at least once, in parallel
        1. one notification per recipient, id derived from (batchId, uid), written with
           create(); AlreadyExists means delivered before, so nobody gets it twice
        2. count: one batch write marks the chunk delivered (precondition: the chunk as read,
           so only one run counts it) and increments `delivered` on the batch (no transaction:
           parallel chunks do not contend for the batch document's lock)
        3. the run that finds every planned chunk delivered, planning done, completes the
           batch in a transaction and emits bulk.completed (the planner checks too, after its
           last chunk)

Chunks are delivered in parallel, up to the queue's max_concurrent_dispatches
(functions/tasks/fanout.py); planning is a chain that runs ahead of them. `step(...,
enqueue=False)` plans and delivers one chunk in the calling process (tests, tools).
Groups: `all`, `tier:<basic|ambassador|vip|business>`, `borrowers` (users with a loan),
`investors` (users with an investment). `all` and tiers page users by id; borrowers and
investors page the loans or investments by user id and skip past each user, so everyone is
listed once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from coinbox_platform import store
from coinbox_platform.bulk import BULK_LOG
from coinbox_platform.bulk.service import (
    BulkBatch,
    Caller,
    emit_completed,
    new_record,
    notification_id,
)
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.messages import build_message
from coinbox_platform.domain.models import Notification, Priority
from coinbox_platform.errors import CoinboxError, FieldError, InvalidRequest
from coinbox_platform.ids import new_id
from coinbox_platform.tasks import TaskPayload, TaskQueue, prefixed
from coinbox_platform.tiers import MembershipTier

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, DocumentReference, Transaction

log = logging.getLogger("coinbox.bulk.fanout")

CHUNK = 200  # recipients a task; one batch write of their notifications (≤ 500)
PLAN_AHEAD = 10  # chunks a plan task plans (and hands to deliver tasks) before passing on
GROUPS = ("all", "borrowers", "investors", *(f"tier:{t.value}" for t in MembershipTier))
_PAGED_BY_OBJECT = {
    "borrowers": (store.LOANS, "borrowerId"),
    "investors": (store.INVESTMENTS, "investorId"),
}


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise InvalidRequest(
            f"Unknown group {group!r}.",
            errors=[FieldError("group", f"one of {', '.join(GROUPS)}", "invalid_group")],
        )
    return group


def _log() -> CollectionReference:
    return store.db().collection(BULK_LOG)


def _chunk_ref(batch_id: str, chunk: int) -> DocumentReference:
    return _log().document(batch_id).collection("chunks").document(f"{chunk:06d}")


def count_recipients(group: str) -> int | None:
    """How many users the group has now (None for borrowers/investors: known once planned)."""
    from google.cloud.firestore import FieldFilter

    if group in _PAGED_BY_OBJECT:
        return None
    query: Any = store.db().collection(store.USERS)
    if group.startswith("tier:"):
        query = query.where(filter=FieldFilter("membershipTier", "==", group[5:]))
    return int(query.count().get()[0][0].value)


def recipients_after(group: str, cursor: str | None, size: int) -> tuple[list[str], bool]:
    """At most `size` recipients with uid > cursor, in uid order; and whether they are the
    last ones."""
    from google.cloud.firestore import FieldFilter

    db = store.db()
    if group not in _PAGED_BY_OBJECT:
        users = db.collection(store.USERS)
        query: Any = users
        if group.startswith("tier:"):
            query = query.where(filter=FieldFilter("membershipTier", "==", group[5:]))
        if cursor is not None:
            query = query.where(filter=FieldFilter("__name__", ">", users.document(cursor)))
        docs = list(query.order_by("__name__").select(["role"]).limit(size).stream())
        return [d.id for d in docs], len(docs) < size
    collection, owner = _PAGED_BY_OBJECT[group]
    uids: list[str] = []
    after = cursor
    page = max(size, 100)
    while len(uids) < size:
        query = db.collection(collection)
        if after is not None:
            query = query.where(filter=FieldFilter(owner, ">", after))
        docs = list(query.order_by(owner).select([owner]).limit(page).stream())
        for doc in docs:
            uid = (doc.to_dict() or {}).get(owner)
            if isinstance(uid, str) and (not uids or uids[-1] != uid):
                uids.append(uid)
                if len(uids) == size:
                    return uids, False
        if len(docs) < page:
            return uids, True
        after = uids[-1]  # the rest of this user's objects are skipped by `>`
    return uids, False


@dataclass(frozen=True)
class GroupMessage:
    group: str
    title: str
    body: str
    priority: Priority = Priority.NORMAL


def start(
    caller: Caller,
    message: GroupMessage,
    *,
    now: datetime | None = None,
    enqueue: bool = True,
) -> dict[str, Any]:
    """Record the batch and enqueue its first chunk; returns the batch (running)."""
    now = now or utcnow()
    check_group(message.group)
    build_message(caller.user.id, message.title, message.body)  # validates title and body
    batch_id = new_id("bat")
    total = count_recipients(message.group)
    record = new_record(caller, "messages", "independent", total or 0, now)
    record |= {
        "group": message.group,
        "message": {
            "title": message.title,
            "body": message.body,
            "priority": message.priority.value,
        },
        "progress": {
            "recipientsTotal": total,
            "recipientsPlanned": 0,
            "delivered": 0,
            "chunksPlanned": 0,
            "chunksDelivered": 0,
            "planningDone": False,
        },
    }
    ref = _log().document(batch_id)
    ref.create(record)
    if enqueue:
        try:
            FANOUT.enqueue(FanoutTask(batch_id=batch_id, chunk=0, cursor=None))
        except CoinboxError:
            ref.update({"status": "failed", "error": "enqueue_failed", "completedAt": utcnow()})
            raise
    return BulkBatch.from_doc(batch_id, record).to_api()


def _plan(batch_id: str, group: str, chunk: int, cursor: str | None) -> dict[str, Any]:
    """The chunk's recipients, created once (with the batch's planning counters)."""
    existing = _chunk_ref(batch_id, chunk).get()
    if existing.exists:
        return existing.to_dict() or {}
    uids, last = recipients_after(group, cursor, CHUNK)
    planned = {
        "index": chunk,
        "cursor": cursor,
        "next": uids[-1] if uids else cursor,
        "uids": uids,
        "last": last,
        "delivered": False,
        "createdAt": utcnow(),
    }
    batch_ref, chunk_ref = _log().document(batch_id), _chunk_ref(batch_id, chunk)

    def apply(txn: Transaction) -> dict[str, Any]:
        found = chunk_ref.get(transaction=txn)
        if found.exists:  # a duplicate task planned it first
            return found.to_dict() or {}
        data = batch_ref.get(transaction=txn).to_dict() or {}
        progress = data.get("progress") or {}
        # Only the planner's own fields: deliver tasks increment the others meanwhile.
        recipients = int(progress.get("recipientsPlanned", 0)) + len(uids)
        changes: dict[str, Any] = {
            "progress.chunksPlanned": int(progress.get("chunksPlanned", 0)) + 1,
            "progress.recipientsPlanned": recipients,
        }
        if last:
            changes |= {
                "progress.planningDone": True,
                "progress.recipientsTotal": recipients,
                "totalItems": recipients,
            }
        txn.create(chunk_ref, planned)
        txn.update(batch_ref, changes)
        return planned

    return store.run_transaction(apply)


def _deliver(batch: BulkBatch, uids: list[str], now: datetime) -> None:
    """Each recipient's notification, exactly once however often this runs."""
    from google.api_core.exceptions import AlreadyExists

    text = batch.message or {}
    notes = store.db().collection(store.NOTIFICATIONS)
    docs = [
        Notification(
            id=notification_id(batch.id, uid),
            user_id=uid,
            title=text["title"],
            body=text["body"],
            priority=Priority(text.get("priority", "normal")),
            sender_id=batch.user_id,
            batch_id=batch.id,
            created_at=now,
        )
        for uid in uids
    ]
    if not docs:
        return
    wb = store.db().batch()
    for doc in docs:
        wb.create(notes.document(doc.id), doc.to_doc())
    try:
        wb.commit()
        return
    except AlreadyExists:
        pass  # delivered (in part) before: the batch wrote nothing; write what is missing
    for doc in docs:
        try:
            notes.document(doc.id).create(doc.to_doc())
        except AlreadyExists:
            pass


def _count(batch_id: str, snap: Any, now: datetime) -> bool:
    """Mark the chunk (`snap`: as read before its delivery) delivered and count it on the
    batch, once: the write is conditional on the chunk being unchanged since that read, so of
    two runs only one counts it (False: another run did)."""
    from google.api_core.exceptions import FailedPrecondition, NotFound
    from google.cloud.firestore import Increment

    db = store.db()
    batch_ref, chunk_ref = _log().document(batch_id), snap.reference
    size = len((snap.to_dict() or {}).get("uids") or [])
    wb = db.batch()
    wb.update(
        chunk_ref,
        {"delivered": True, "deliveredAt": now},
        option=db.write_option(last_update_time=snap.update_time),
    )
    wb.update(
        batch_ref,
        {
            "progress.delivered": Increment(size),
            "progress.chunksDelivered": Increment(1),
            "succeeded": Increment(size),
        },
    )
    try:
        wb.commit()
    except (FailedPrecondition, NotFound):  # another run counted this chunk first
        return False
    return True


def _finished(data: dict[str, Any]) -> bool:
    progress = data.get("progress") or {}
    return (
        data.get("status") == "running"
        and bool(progress.get("planningDone"))
        and progress.get("chunksDelivered") == progress.get("chunksPlanned")
    )


def _maybe_complete(batch_id: str, now: datetime) -> BulkBatch | None:
    """Complete the batch when every planned chunk is delivered and planning is done; the
    batch (completed) for the one caller that completed it, else None."""
    batch_ref = _log().document(batch_id)
    if not _finished(batch_ref.get().to_dict() or {}):  # the common case, without a lock
        return None

    def apply(txn: Transaction) -> BulkBatch | None:
        data = batch_ref.get(transaction=txn).to_dict() or {}
        if not _finished(data):
            return None
        delivered = int(data["progress"].get("delivered", 0))
        changes = {
            "status": "completed",
            "succeeded": delivered,
            "totalItems": delivered,
            "completedAt": now,
            "durationMs": round((now - data["createdAt"]).total_seconds() * 1000, 1),
        }
        txn.update(batch_ref, changes)
        return BulkBatch.from_doc(batch_id, {**data, **changes})

    return store.run_transaction(apply)


def _deliver_chunk(batch: BulkBatch, chunk: int) -> str:
    """Deliver and count one planned chunk (idempotent); completes the batch if it was last."""
    batch_id = batch.id
    snap = _chunk_ref(batch_id, chunk).get()
    planned = snap.to_dict() or {}
    if not snap.exists:
        return "chunk not planned"
    if planned.get("delivered"):
        return "delivered before"
    now = utcnow()
    _deliver(batch, list(planned["uids"]), now)
    did = f"delivered {len(planned['uids'])}" if _count(batch_id, snap, now) else "counted"
    completed = _maybe_complete(batch_id, now)
    if completed is not None:
        emit_completed(completed, now)
        did += ", completed"
    return did


def _running(batch_id: str) -> tuple[BulkBatch | None, str]:
    """The group-message batch, if it is still running (else None and why not)."""
    batch = BulkBatch.fetch(batch_id)
    if batch is None or batch.group is None:
        return None, "unknown batch"
    if batch.status != "running":
        return None, f"batch {batch.status}"
    return batch, ""


def deliver(batch_id: str, chunk: int) -> str:
    """The deliver task of one chunk."""
    batch, why = _running(batch_id)
    return why if batch is None else _deliver_chunk(batch, chunk)


def step(batch_id: str, chunk: int, cursor: str | None, *, enqueue: bool = True) -> str:
    """The plan task (idempotent): plans up to PLAN_AHEAD chunks from `chunk`, enqueues a
    deliver task for each, then the plan task after them. With enqueue=False: plans and
    delivers this one chunk here. Returns what it did, for the log."""
    batch, why = _running(batch_id)
    if batch is None:
        return why
    group = batch.group
    assert group is not None  # _running returns group messages only
    if not enqueue:
        _plan(batch_id, group, chunk, cursor)
        return _deliver_chunk(batch, chunk)
    planned_now = 0
    for n in range(chunk, chunk + PLAN_AHEAD):
        planned = _plan(batch_id, group, n, cursor)
        if not planned.get("delivered"):
            FANOUT.enqueue(FanoutTask(batch_id=batch_id, chunk=n, deliver=True))
        planned_now += 1
        if planned.get("last"):
            _complete_after_planning(batch_id)
            return f"planned {planned_now} chunks, the last"
        cursor = planned["next"]
    following = chunk + PLAN_AHEAD
    if not _chunk_ref(batch_id, following).get().exists:
        FANOUT.enqueue(FanoutTask(batch_id=batch_id, chunk=following, cursor=cursor))
    return f"planned {planned_now} chunks"


def _complete_after_planning(batch_id: str) -> None:
    """Planning is done: if every chunk was delivered before that, nobody else completes."""
    now = utcnow()
    completed = _maybe_complete(batch_id, now)
    if completed is not None:
        emit_completed(completed, now)


class FanoutTask(TaskPayload):
    batch_id: Annotated[str, prefixed("bat")]
    chunk: int = Field(ge=0)
    cursor: str | None = None
    deliver: bool = False  # a deliver task (one planned chunk), else a plan task


def _fanout_task(task: FanoutTask) -> str:
    if task.deliver:
        did = deliver(task.batch_id, task.chunk)
    else:
        did = step(task.batch_id, task.chunk, task.cursor)
    return f"{task.batch_id} chunk {task.chunk}: {did}"


FANOUT = TaskQueue("fanoutmessages", FanoutTask, _fanout_task)
"""Queue `fanoutmessages` (functions/tasks/bulk.py): plan and deliver tasks of a group message."""
