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
    from coinbox_platform.domain.withdrawals import SETTLE

    SETTLE.dispatch(req.data, req.raw_request.headers)
