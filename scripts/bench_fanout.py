"""A group message to 100,000 members, through the API and the task queue.

    make bench-fanout        (= scripts/stack.py exec -- python scripts/bench_fanout.py)

Seeds BENCH_FANOUT_N (default 100,000) VIP member profiles, then a staff member sends one
message to `tier:vip` with POST /v1/bulk/messages. The fan-out runs as it does in production:
a chain of plan tasks hands chunks of 200 recipients to deliver tasks that run in parallel (up
to the queue's max_concurrent_dispatches). Printed: seconds from the POST to `completed`,
recipients per second, and the proof of exactly once: the notifications of the batch counted by
an aggregation query equal the recipients, and no recipient holds two (notification ids are
derived from batch and recipient, and every planned chunk was counted once). Only 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_FANOUT_N", "100000"))
SEED_THREADS = 4


def seed(n: int) -> None:
    from coinbox_platform import store
    from coinbox_platform.clock import utcnow
    from coinbox_platform.domain.models import UserProfile
    from coinbox_platform.tiers import KycStatus, MembershipTier

    db, now = store.db(), utcnow()

    def write(first: int) -> None:
        batch = db.batch()
        for i in range(first, min(n, first + 500)):
            uid = f"fanout-{i:06d}"
            profile = UserProfile(
                id=uid,
                email=f"{uid}@example.test",
                membership_tier=MembershipTier.VIP,
                kyc_status=KycStatus.VERIFIED,
                created_at=now,
            )
            batch.set(db.collection(store.USERS).document(uid), profile.to_doc())
        batch.commit()

    with ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(write, range(0, n, 500)))


def main() -> int:
    base = os.environ.get("COINBOX_API_BASE", "")
    if not base.startswith("http://127.0.0.1:"):
        sys.exit("bench_fanout: run it on the local stack (make bench-fanout)")
    from google.cloud.firestore import FieldFilter

    from coinbox_platform import store
    from coinbox_platform.bulk import BULK_LOG
    from coinbox_platform.tiers import Role
    from tests.support import make_api_user

    t0 = time.perf_counter()
    seed(N)
    print(f"seeded {N:,} VIP members in {time.perf_counter() - t0:.0f} s")
    staff = make_api_user(role=Role.ADMIN)
    started = time.perf_counter()
    resp = staff.post(
        "/bulk/messages", {"group": "tier:vip", "title": "Benchmark", "body": "One each."}
    )
    assert resp.status_code == 202, resp.text
    batch_id = resp.json()["batchId"]
    last = -1
    while True:
        batch = staff.get(f"/bulk/{batch_id}").json()
        delivered = batch["progress"]["delivered"]
        if delivered // 10_000 != last // 10_000:
            print(f"  {time.perf_counter() - started:6.1f} s: {delivered:,} delivered")
        last = delivered
        if batch["status"] != "running":
            break
        time.sleep(1.0)
    elapsed = time.perf_counter() - started
    total = batch["progress"]["recipientsTotal"]
    notes = (
        store.db()
        .collection(store.NOTIFICATIONS)
        .where(filter=FieldFilter("batchId", "==", batch_id))
    )
    written = int(notes.count().get()[0][0].value)
    chunks = store.db().collection(BULK_LOG).document(batch_id).collection("chunks")
    planned = list(chunks.select(["uids", "delivered"]).stream())
    recipients = [u for c in planned for u in (c.to_dict() or {}).get("uids", [])]
    once = len(recipients) == len(set(recipients)) == total == written
    all_counted = all((c.to_dict() or {}).get("delivered") for c in planned)
    print(
        f"{batch['status']}: {total:,} recipients in {elapsed:.1f} s "
        f"({total / elapsed:,.0f}/s), {len(planned)} chunks; notifications written: {written:,}; "
        f"exactly once: {once and all_counted}"
    )
    return 0 if batch["status"] == "completed" and once and all_counted else 1


if __name__ == "__main__":
    sys.exit(main())
