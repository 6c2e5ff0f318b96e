"""domain.withdrawals.settle_stale_withdrawals: the safety net for withdrawals whose payout task
never ran (enqueue failed after the debit). Firestore emulator only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import wallets
from coinbox_platform.domain.withdrawals import STALE_AFTER, settle_stale_withdrawals
from tests.support import make_profile

pytestmark = pytest.mark.emulator


def _entry(txn_id: str) -> dict[str, object]:
    return store.db().collection(store.TRANSACTIONS).document(txn_id).get().to_dict() or {}


def _balance(uid: str) -> int:
    return int(
        (store.db().collection(store.WALLETS).document(uid).get().to_dict() or {})["balance"]
    )


def test_sweep_settles_stale_pending_withdrawals_once() -> None:
    now = utcnow()
    old = now - STALE_AFTER - timedelta(minutes=1)
    user = make_profile(balance=100_000)
    stale_ok = wallets.request_withdrawal(user.id, 20_000, now=old)
    stale_bad = wallets.request_withdrawal(user.id, 30_013, now=old)  # the payout fails
    fresh = wallets.request_withdrawal(user.id, 5_000, now=now - timedelta(minutes=1))
    assert _balance(user.id) == 100_000 - 20_000 - 30_013 - 5_000

    result = settle_stale_withdrawals(now=now)

    assert {stale_ok.id, stale_bad.id} <= set(result.settled)
    assert fresh.id not in result.settled + result.failed
    assert _entry(stale_ok.id)["status"] == "completed"
    assert _entry(stale_bad.id)["status"] == "failed"
    assert _entry(fresh.id)["status"] == "pending"
    assert _balance(user.id) == 100_000 - 20_000 - 5_000  # the failed payout was refunded

    again = settle_stale_withdrawals(now=now)  # idempotent: nothing left to settle
    assert not {stale_ok.id, stale_bad.id, fresh.id} & set(again.settled + again.failed)
    assert _balance(user.id) == 100_000 - 20_000 - 5_000
    refunds = [
        d
        for d in store.db()
        .collection(store.TRANSACTIONS)
        .where(filter=FieldFilter("userId", "==", user.id))
        .stream()
        if (d.to_dict() or {})["type"] == "refund"
    ]
    assert [(r.to_dict() or {})["relatedTransactionId"] for r in refunds] == [stale_bad.id]

    later = settle_stale_withdrawals(now=now + STALE_AFTER)  # once it is stale, it is settled
    assert fresh.id in later.settled
    assert _entry(fresh.id)["status"] == "completed"
