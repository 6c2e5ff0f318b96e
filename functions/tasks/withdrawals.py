"""Task-queue function `settlewithdrawal`: the payout of a pending withdrawal.

Enqueued by coinbox_platform.domain.withdrawals.withdraw with {"transactionId": "txn_…"}.
Delivery is at least once; settling is idempotent (a settled withdrawal is left as it is).
A retryable failure (the data store busy) raises, so Cloud Tasks retries with backoff; a task
that can never succeed (unknown or non-withdrawal transaction) is logged and acknowledged.
"""

from typing import Any

from firebase_functions import https_fn, options, tasks_fn


@tasks_fn.on_task_dispatched(
    region="us-central1",
    retry_config=options.RetryConfig(
        max_attempts=5, min_backoff_seconds=5, max_backoff_seconds=60, max_doublings=3
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=20, max_dispatches_per_second=50),
    timeout_sec=60,
)
def settlewithdrawal(req: https_fn.CallableRequest[Any]) -> None:
    from coinbox_platform import logs

    with logs.run_context("settlewithdrawal", req.raw_request.headers):
        _settlewithdrawal(req)


def _settlewithdrawal(req: https_fn.CallableRequest[Any]) -> None:
    import logging

    from coinbox_platform.domain.wallets import settle_withdrawal
    from coinbox_platform.errors import Conflict, NotFound
    from coinbox_platform.ids import has_prefix

    log = logging.getLogger("coinbox.tasks.settlewithdrawal")
    data = req.data if isinstance(req.data, dict) else {}
    txn_id = data.get("transactionId")
    if not isinstance(txn_id, str) or not has_prefix(txn_id, "txn"):
        log.error("settlewithdrawal: malformed task payload %r", req.data)
        return
    try:
        entry = settle_withdrawal(txn_id)
    except (NotFound, Conflict) as exc:
        log.error("settlewithdrawal: %s cannot be settled: %s", txn_id, exc.detail)
        return
    log.info("settlewithdrawal: %s is %s", txn_id, entry.status.value)
