"""Measure rate-limiter designs against the Firestore emulator, in-process (no functions).

    COINBOX_PORT_OFFSET=N functions/venv/bin/python scripts/stack.py exec -- \
        functions/venv/bin/python scripts/bench_rate_limit_store.py [clients] [requests]

1. one bucket document, one transaction per request (the design docs/product.md §4.3 warns about);
2. token slots (coinbox_platform.access.ratelimit) with the enterprise policy (3 windows);
each from `clients` threads (default 20), each thread its own limiter (like an instance).
Prints requests/s, errors and store operations per request.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from typing import Any

from coinbox_platform import store
from coinbox_platform.access import ratelimit
from coinbox_platform.errors import CoinboxError


def run(clients: int, total: int, one: Any) -> dict[str, Any]:
    counter = iter(range(total))
    lock = threading.Lock()
    outcomes: Counter[str] = Counter()

    def worker() -> None:
        state: dict[str, Any] = {}
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            try:
                result = one(state)
            except CoinboxError as exc:
                result = exc.code
            except Exception as exc:
                result = type(exc).__name__
            with lock:
                outcomes[result] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    return {"seconds": round(elapsed, 2), "per_s": round(total / elapsed, 1), **outcomes}


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    tag = os.urandom(4).hex()

    ref = store.db().collection("benchBuckets").document(tag)
    ref.set({"tokens": 10**9})

    def transaction(_: dict[str, Any]) -> str:
        def take(txn: Any) -> str:
            snap = ref.get(transaction=txn)
            txn.update(ref, {"tokens": snap.get("tokens") - 1})
            return "ok"

        return store.run_transaction(take, attempts=3)

    print("one document, one transaction per request:", run(clients, total, transaction))

    ops: list[int] = []

    def slots(state: dict[str, Any]) -> str:
        lim = state.setdefault("limiter", ratelimit.RateLimiter())
        d = lim.take(f"bench-{tag}", ratelimit.POLICIES["enterprise"])
        ops.append(d.store_ops)
        return "ok" if d.allowed else "refused"

    result = run(clients, total, slots)
    result["store_ops_per_request"] = round(sum(ops) / max(1, len(ops)), 2)
    print("token slots, enterprise policy (3 windows):", result)


if __name__ == "__main__":
    main()
