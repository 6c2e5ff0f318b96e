"""Task-queue function `fanoutmessages`: the chunks of a group message (docs/product.md §6).

Two kinds of task (coinbox_platform/bulk/fanout.py):
- plan {"batchId": "bat_…", "chunk": n, "cursor": uid | null}: enqueued by fanout.start for
  chunk 0, then by each plan task for the chunks after the ones it planned; it plans up to
  PLAN_AHEAD chunks and enqueues a deliver task for each;
- deliver {"batchId": "bat_…", "chunk": n, "deliver": true}: delivers one planned chunk.
Deliver tasks run in parallel, up to max_concurrent_dispatches. Delivery is at least once: a
chunk is planned once, its notifications have ids derived from batch and user (created with
create()), and it is counted on the batch once, so a duplicate task delivers nothing twice. An
unexpected failure raises and Cloud Tasks retries the task.
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
