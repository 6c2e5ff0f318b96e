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
    from coinbox_platform import logs

    with logs.run_context("fanoutmessages", req.raw_request.headers):
        _fanoutmessages(req)


def _fanoutmessages(req: https_fn.CallableRequest[Any]) -> None:
    import logging

    from coinbox_platform.bulk.fanout import deliver, step
    from coinbox_platform.ids import has_prefix

    log = logging.getLogger("coinbox.tasks.fanoutmessages")
    data = req.data if isinstance(req.data, dict) else {}
    batch_id, chunk, cursor = data.get("batchId"), data.get("chunk"), data.get("cursor")
    to_deliver = data.get("deliver", False)
    if (
        not isinstance(batch_id, str)
        or not has_prefix(batch_id, "bat")
        or not isinstance(chunk, int)
        or chunk < 0
        or not (cursor is None or isinstance(cursor, str))
        or not isinstance(to_deliver, bool)
    ):
        log.error("fanoutmessages: malformed task payload %r", req.data)
        return
    did = deliver(batch_id, chunk) if to_deliver else step(batch_id, chunk, cursor)
    log.info("fanoutmessages: %s chunk %d: %s", batch_id, chunk, did)
