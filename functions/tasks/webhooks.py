"""Task-queue function `deliverwebhook`: one attempt of one webhook delivery.

Enqueued with {"deliveryId": "whd_…"} by the event fan-out, by the delivery itself for its
next retry (with the backoff as schedule delay), by manual retry/recover and by the sweeper.
The retry schedule is ours (recorded on the delivery), so a handled failure acknowledges the
task; only an unexpected exception lets Cloud Tasks retry (the delivery's lease expires and
the retry takes it over).
"""

from typing import Any

from firebase_functions import https_fn, options, tasks_fn

from deploy import secrets_of


@tasks_fn.on_task_dispatched(
    region="us-central1",
    retry_config=options.RetryConfig(
        max_attempts=3, min_backoff_seconds=100, max_backoff_seconds=600
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=100, max_dispatches_per_second=200),
    timeout_sec=120,
    memory=options.MemoryOption.MB_512,
    secrets=secrets_of("deliverwebhook"),
)
def deliverwebhook(req: https_fn.CallableRequest[Any]) -> None:
    from coinbox_platform.webhooks.delivery import DELIVER

    DELIVER.dispatch(req.data, req.raw_request.headers)
