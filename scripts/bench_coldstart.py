"""The cold start of one API function, as the runtime pays it (docs/architecture.md).

    make bench-coldstart    (= python scripts/bench_coldstart.py)

Each run is a fresh Python process that imports functions/main.py (what the runtime does) and
then serves its first request with `handle(request, "loans")`: a 404 from the route table, so
no emulator is needed. Prints, per run and as medians over BENCH_COLDSTART_N runs, the import
time, the first request's time and how many modules (and library modules) were loaded. The
first request loads only the family it serves; before the architecture step it loaded all 15.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("BENCH_COLDSTART_N", "9"))

ONE_RUN = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, "functions")
import main  # noqa: F401
t1 = time.perf_counter()
from flask import Request
from werkzeug.test import EnvironBuilder
from coinbox_platform.api.app import handle
req = Request(EnvironBuilder(path="/v1/loans/x/y/z", method="GET").get_environ())
t2 = time.perf_counter()
resp = handle(req, "loans")
t3 = time.perf_counter()
assert resp.status_code == 404, resp.status_code
mods = len(sys.modules)
lib = len([m for m in sys.modules if m.startswith("coinbox_platform")])
print(f"COLDSTART {1000 * (t1 - t0):.1f} {1000 * (t3 - t2):.1f} {mods} {lib}")
"""


def main() -> int:
    # What a deployed sandbox function has: no emulator, a project and the portal's origin.
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith("_EMULATOR_HOST")},
        "GCLOUD_PROJECT": "demo-coinbox",
        "PORTAL_ORIGINS": "https://portal.example",
        "COINBOX_SANDBOX": "1",
    }
    imports, firsts = [], []
    for i in range(N + 1):
        out = subprocess.run(
            [sys.executable, "-c", ONE_RUN],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        # The library's structured log lines share stdout; the result is the marked line.
        line = next(ln for ln in out.splitlines() if ln.startswith("COLDSTART "))
        _, imp_s, first_s, mods, lib = line.split()
        imp, first = float(imp_s), float(first_s)
        label = "warm-up" if i == 0 else f"run {i}"
        print(f"{label:>8}: import main {imp:6.0f} ms, first handle {first:5.0f} ms, "
              f"{mods} modules ({lib} coinbox_platform)")  # fmt: skip
        if i:
            imports.append(imp)
            firsts.append(first)
    print(
        f"median of {N}: import main {statistics.median(imports):.0f} ms, "
        f'first handle("loans") {statistics.median(firsts):.0f} ms'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
