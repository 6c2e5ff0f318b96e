"""Task-queue function `fanoutmessages`: one chunk of a group message (docs/product.md §6).

Enqueued by coinbox_platform.bulk.fanout.start with {"batchId": "bat_…", "chunk": 0,
"cursor": null}, then by each chunk for the next one. Delivery is at least once: a chunk is
planned once, its notifications have ids derived from batch and user (created with create()),
and it is counted on the batch once, so a duplicate task delivers nothing twice. An unexpected
failure raises and Cloud Tasks retries the chunk.
"""

from typing import Any

from firebase_functions import https_fn, options, tasks_fn


@tasks_fn.on_task_dispatched(
    region="us-central1",
    retry_config=options.RetryConfig(
        max_attempts=5, min_backoff_seconds=5, max_backoff_seconds=120, max_doublings=3
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=10),
    timeout_sec=300,
    memory=options.MemoryOption.MB_512,
)
def fanoutmessages(req: https_fn.CallableRequest[Any]) -> None:
    from coinbox_platform.bulk.fanout import FANOUT

    FANOUT.dispatch(req.data, req.raw_request.headers)
