"""Task-queue function `runexport`: produces one export file.

Enqueued by coinbox_platform.exports.service.create_export with {"exportId": "exp_…"}.
Delivery is at least once; run_export claims the job, so a duplicate task does nothing.
An unexpected failure raises (Cloud Tasks retries, up to the job's own attempt limit).
"""

from typing import Any

from firebase_functions import https_fn, options, tasks_fn


@tasks_fn.on_task_dispatched(
    region="us-central1",
    retry_config=options.RetryConfig(
        max_attempts=3, min_backoff_seconds=10, max_backoff_seconds=300, max_doublings=3
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=4),
    memory=options.MemoryOption.GB_1,
    timeout_sec=540,
)
def runexport(req: https_fn.CallableRequest[Any]) -> None:
    from coinbox_platform.exports.service import RUN_EXPORT

    RUN_EXPORT.dispatch(req.data, req.raw_request.headers)
