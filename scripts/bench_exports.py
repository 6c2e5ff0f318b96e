"""Export throughput and worker memory: rows per second for CSV and XLSX at 10,000 and 100,000
rows, and the peak RSS of the process that ran each export.

Run inside the stack (`make bench-exports`, or scripts/stack.py exec -- python
scripts/bench_exports.py [rows ...]). Seeds synthetic request-log rows for one user straight
into Firestore (batched writes; apiRequestLogs has no trigger, so seeding 100,000 rows does not
also start 100,000 webhook-trigger runs), then runs each export job (type api_requests) in a
fresh Python process — exactly what the runexport task does — and reads its peak memory from
getrusage.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coinbox_platform import store  # noqa: E402
from coinbox_platform.clock import utcnow  # noqa: E402
from coinbox_platform.exports import service  # noqa: E402
from coinbox_platform.ids import new_id  # noqa: E402

WORKER = """
import json, resource, sys, time
from coinbox_platform.exports.service import run_export
t0 = time.perf_counter()
record = run_export(sys.argv[1])
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "records": record["recordCount"], "bytes": record["bytes"],
                  "status": record["status"],
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def seed(user_id: str, rows: int, start: int = 0) -> float:
    """Write `rows` request-log documents for `user_id`; returns the seconds it took."""
    from coinbox_platform.access.requestlog import REQUEST_LOGS

    col = store.db().collection(REQUEST_LOGS)
    base = utcnow() - timedelta(days=1)
    t0 = time.perf_counter()
    for first in range(start, start + rows, 500):
        batch = store.db().batch()
        for i in range(first, min(first + 500, start + rows)):
            request_id = new_id("req")
            batch.set(
                col.document(request_id),
                {
                    "requestId": request_id,
                    "keyId": "key_benchmark",
                    "userId": user_id,
                    "method": "GET",
                    "route": "/v1/loans/{loanId}",
                    "status": 200 if i % 10 else 404,
                    "errorCode": None if i % 10 else "not_found",
                    "latencyMs": 12.5 + i % 50,
                    "ip": "127.0.0.1",
                    "userAgent": "coinbox-bench/1",
                    "timestamp": base + timedelta(milliseconds=10 * i),
                },
            )
        batch.commit()
    return time.perf_counter() - t0


def run(user_id: str, fmt: str) -> dict[str, float]:
    record = service.create_export(
        user_id, service.ExportSpec(type="api_requests", format=fmt), enqueue=False
    )
    out = subprocess.run(
        [sys.executable, "-c", WORKER, record["id"]],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(sizes: list[int]) -> None:
    user = f"bench-{new_id('req')[4:14]}"
    seeded = 0
    print(
        f"{'rows':>8} {'format':>6} {'seconds':>8} {'rows/s':>8} {'MiB file':>9} {'peak RSS MiB':>13}"
    )
    for size in sorted(sizes):
        seed(user, size - seeded, start=seeded)
        seeded = size
        for fmt in ("csv", "xlsx"):
            r = run(user, fmt)
            assert r["status"] == "completed" and r["records"] == size, r
            print(
                f"{size:>8} {fmt:>6} {r['seconds']:>8.1f} {size / r['seconds']:>8.0f} "
                f"{r['bytes'] / 2**20:>9.1f} {r['maxrss_mb']:>13.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
