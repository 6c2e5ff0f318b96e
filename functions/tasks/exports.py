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
    from coinbox_platform import logs

    with logs.run_context("runexport", req.raw_request.headers):
        _runexport(req)


def _runexport(req: https_fn.CallableRequest[Any]) -> None:
    import logging

    from coinbox_platform.exports.service import run_export
    from coinbox_platform.ids import has_prefix

    data = req.data if isinstance(req.data, dict) else {}
    export_id = data.get("exportId")
    log = logging.getLogger("coinbox.tasks.runexport")
    if not isinstance(export_id, str) or not has_prefix(export_id, "exp"):
        log.error("runexport: malformed task payload %r", req.data)
        return
    record = run_export(export_id)
    log.info("runexport: %s %s", export_id, record["status"] if record else "nothing to do")
