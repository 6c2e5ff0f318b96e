"""Scheduled jobs: expiry of loans and crypto listings, loan defaults.

Each job is idempotent (it re-checks every object inside a transaction) and bounded per run;
the next run picks up whatever one run left.
"""

from typing import Any

from firebase_functions import options, scheduler_fn

from api.options import SECRETS

SCHEDULE: dict[str, Any] = {
    "region": "us-central1",
    "timeout_sec": 300,
    "memory": options.MemoryOption.MB_512,
}


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def expireloans(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.loans import expire_loans

    expire_loans()


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def expirecryptoorders(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.crypto import expire_orders

    expire_orders()


@scheduler_fn.on_schedule(schedule="every 60 minutes", **SCHEDULE)
def markdefaults(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.loans import mark_defaults

    mark_defaults()


@scheduler_fn.on_schedule(schedule="every 60 minutes", **SCHEDULE)
def deleteexpiredexports(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.exports.service import delete_expired

    delete_expired()


@scheduler_fn.on_schedule(schedule="every 5 minutes", **SCHEDULE)
def settlestalewithdrawals(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.domain.withdrawals import settle_stale_withdrawals

    settle_stale_withdrawals()


@scheduler_fn.on_schedule(schedule="every 5 minutes", secrets=SECRETS, **SCHEDULE)
def sweepwebhookdeliveries(event: scheduler_fn.ScheduledEvent) -> None:
    from coinbox_platform.webhooks.delivery import sweep

    sweep()
