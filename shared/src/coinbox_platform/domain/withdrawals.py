"""Withdrawal payouts: debit now, settle in the background (docs/product.md §3.2).

    withdraw()                 request_withdrawal (debit into a pending entry), then enqueue
                               `settlewithdrawal`, which calls wallets.settle_withdrawal
    settle_stale_withdrawals() the safety net, run by a scheduled job: settles pending
                               withdrawals whose task never ran (enqueue failed, task dropped)

Settling is idempotent, so the task, its retries and the sweeper may all race for one
withdrawal: the first settles it, the others find it settled and change nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import wallets
from coinbox_platform.domain.models import LedgerEntry, LedgerStatus, LedgerType
from coinbox_platform.errors import CoinboxError, Conflict, NotFound
from coinbox_platform.tasks import TaskPayload, TaskQueue, prefixed

log = logging.getLogger("coinbox.withdrawals")

PAYOUT_DELAY_SECONDS = 5  # production: the payout completes a few seconds after the request
STALE_AFTER = timedelta(minutes=15)  # well past the task's own retries (functions/tasks)


def withdraw(uid: str, amount: int, *, now: datetime | None = None) -> LedgerEntry:
    """Debit `amount` cents into a pending withdrawal and schedule its payout.

    The debit is committed before the task is enqueued. If enqueueing fails the withdrawal is
    still returned (pending): failing the request would invite a retry that debits twice, and
    `settle_stale_withdrawals` settles it later.
    """
    entry = wallets.request_withdrawal(uid, amount, now=now)
    try:
        SETTLE.enqueue(SettleTask(transaction_id=entry.id), delay_seconds=PAYOUT_DELAY_SECONDS)
    except Exception:  # the debit is committed: a 5xx now would invite a second debit
        log.exception("payout task not enqueued; the sweeper will settle %s", entry.id)
    return entry


class SettleTask(TaskPayload):
    transaction_id: Annotated[str, prefixed("txn")]


def _settle_task(task: SettleTask) -> str | None:
    """The payout task. A withdrawal that can never be settled (unknown, or not a withdrawal)
    is logged and acknowledged; a retryable failure (the data store busy) raises."""
    try:
        entry = wallets.settle_withdrawal(task.transaction_id)
    except (NotFound, Conflict) as exc:
        logging.getLogger("coinbox.tasks.settlewithdrawal").error(
            "settlewithdrawal: %s cannot be settled: %s", task.transaction_id, exc.detail
        )
        return None
    return f"{task.transaction_id} is {entry.status.value}"


SETTLE = TaskQueue("settlewithdrawal", SettleTask, _settle_task)
"""Queue `settlewithdrawal` (functions/tasks/withdrawals.py): the payout of one withdrawal."""


@dataclass
class SweepResult:
    settled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # could not settle now; next sweep retries


def settle_stale_withdrawals(
    *, now: datetime | None = None, older_than: timedelta = STALE_AFTER, limit: int = 200
) -> SweepResult:
    """Settle up to `limit` withdrawals still pending `older_than` after their creation, oldest
    first. Query: transactions where type == withdrawal, status == pending, createdAt <= cutoff
    (composite index type, status, createdAt)."""
    from google.cloud.firestore import FieldFilter

    now = now or utcnow()
    cutoff = now - older_than
    query = (
        store.db()
        .collection(store.TRANSACTIONS)
        .where(filter=FieldFilter("type", "==", LedgerType.WITHDRAWAL.value))
        .where(filter=FieldFilter("status", "==", LedgerStatus.PENDING.value))
        .where(filter=FieldFilter("createdAt", "<=", cutoff))
        .order_by("createdAt")
        .limit(limit)
    )
    result = SweepResult()
    for snap in query.stream():
        try:
            wallets.settle_withdrawal(snap.id, now=now)
        except CoinboxError:
            log.exception("could not settle withdrawal %s", snap.id)
            result.failed.append(snap.id)
        else:
            result.settled.append(snap.id)
    return result
