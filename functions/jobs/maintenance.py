"""Scheduled jobs: expiry of loans and crypto listings, loan defaults, stale withdrawals, the
webhook delivery sweep and expired export files.

Each job is idempotent (it re-checks every object inside a transaction) and bounded per run;
the next run picks up whatever one run left. Each run logs one line with what it did, under a
request id of its own (coinbox_platform.logs).
"""

from collections.abc import Callable
from typing import Any

from firebase_functions import options, scheduler_fn

SCHEDULE: dict[str, Any] = {
    "region": "us-central1",
    "timeout_sec": 300,
    "memory": options.MemoryOption.MB_512,
}


def _run(name: str, job: Callable[[], object]) -> None:
    import logging

    from coinbox_platform import logs

    with logs.run_context(name):
        outcome = job()
        logging.getLogger(f"coinbox.jobs.{name}").info("%s: %s", name, outcome)


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def expireloans(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.loans import expire_loans

    _run("expireloans", expire_loans)


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def expirecryptoorders(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.crypto import expire_orders

    _run("expirecryptoorders", expire_orders)


@scheduler_fn.on_schedule(schedule="every 60 minutes", **SCHEDULE)
def markdefaults(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.loans import mark_defaults

    _run("markdefaults", mark_defaults)


@scheduler_fn.on_schedule(schedule="every 60 minutes", **SCHEDULE)
def deleteexpiredexports(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.exports.service import delete_expired

    _run("deleteexpiredexports", delete_expired)


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def settlestalewithdrawals(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.withdrawals import settle_stale_withdrawals

    _run("settlestalewithdrawals", settle_stale_withdrawals)


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def sweepwebhookdeliveries(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.webhooks.delivery import sweep

    _run("sweepwebhookdeliveries", sweep)
