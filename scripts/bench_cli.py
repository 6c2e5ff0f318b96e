"""The `coinbox` CLI's wall time for a 100-row bulk loans CSV, next to the API time for the
same rows sent directly.

Run inside the stack (`make bench-cli`, or scripts/stack.py exec -- python
scripts/bench_cli.py [rounds]). Each round makes two fresh business-tier users with an API key
each and the same 100-row file, then:

  cli     `coinbox bulk loans FILE.csv --json` as a subprocess: interpreter start, imports,
          client-side validation of every row, 5 uploads of 20 rows (timed by the CLI itself
          as `seconds`), results file
  direct  the same 5 CSV bodies of 20 rows POSTed to /v1/bulk/loans with one httpx client
  server  the sum of the 5 batches' durationMs (the API's own time inside the function)
  startup `coinbox --help` (interpreter and CLI import only)

The order of cli and direct alternates between rounds; the first round warms the function
workers and is not counted; figures are medians.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from coinbox import Coinbox  # noqa: E402

from coinbox_platform.tiers import MembershipTier  # noqa: E402
from tests.support import api_base, make_api_user  # noqa: E402

CLI = str(Path(sys.executable).parent / "coinbox")
ROWS = 100
HEADER = ["amount", "interestRate", "termDays", "purpose"]


def rows() -> list[list[str]]:
    return [[str(20000 + i), str(15 + i % 10), str(7 + i), f"bench row {i}"] for i in range(ROWS)]


def csv_bytes(data: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(data)
    return out.getvalue().encode()


def new_key() -> str:
    user = make_api_user(tier=MembershipTier.BUSINESS)
    with Coinbox(api_key=user.token, base_url=api_base()) as client:
        return client.api_keys.create(name="bench", tier="enterprise").secret


def run_cli(path: Path, key: str) -> tuple[float, float, float]:
    env = {"PATH": "/usr/bin:/bin", "COINBOX_API_KEY": key, "COINBOX_BASE_URL": api_base()}
    t0 = time.perf_counter()
    done = subprocess.run(
        [CLI, "bulk", "loans", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["succeeded"] == ROWS, done.stdout + done.stderr
    with Coinbox(api_key=key, base_url=api_base()) as client:
        server = sum(client.bulk.retrieve(b).duration_ms or 0 for b in report["batches"]) / 1000
    return wall, report["seconds"], server


def run_direct(data: list[list[str]], key: str) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}
    server = 0.0
    with httpx.Client(timeout=120) as http:
        t0 = time.perf_counter()
        for i in range(0, ROWS, 20):
            resp = http.post(
                f"{api_base()}/bulk/loans",
                content=csv_bytes(data[i : i + 20]),
                headers={**headers, "Idempotency-Key": f"bench-{key[-8:]}-{i}"},
            )
            assert resp.status_code == 201, resp.text
            server += resp.json()["durationMs"] / 1000
        wall = time.perf_counter() - t0
    return wall, server


def startup() -> float:
    t0 = time.perf_counter()
    subprocess.run([CLI, "--help"], capture_output=True, check=True)
    return time.perf_counter() - t0


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 4
    data = rows()
    results: dict[str, list[float]] = {
        k: [] for k in ("cli", "cli_upload", "cli_server", "direct", "direct_server", "startup")
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        path.write_bytes(csv_bytes(data))
        for r in range(rounds):
            # alternate which goes first, so neither always meets the warmer workers
            if r % 2:
                direct_wall, direct_server = run_direct(data, new_key())
                cli_wall, cli_upload, cli_server = run_cli(path, new_key())
            else:
                cli_wall, cli_upload, cli_server = run_cli(path, new_key())
                direct_wall, direct_server = run_direct(data, new_key())
            start = startup()
            print(
                f"round {r}{' (warm-up, not counted)' if r == 0 else ''}: cli {cli_wall:.2f} s "
                f"(uploads {cli_upload:.2f} s, server {cli_server:.2f} s) · direct "
                f"{direct_wall:.2f} s (server {direct_server:.2f} s) · cli start-up {start:.2f} s",
                flush=True,
            )
            if r:
                measured = (cli_wall, cli_upload, cli_server, direct_wall, direct_server, start)
                for k, v in zip(results, measured, strict=True):
                    results[k].append(v)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(
        f"\n{ROWS}-row bulk loans CSV, medians of {rounds - 1} rounds:\n"
        f"  coinbox bulk, CLI wall time        {med['cli']:.2f} s\n"
        f"    of which the 5 uploads           {med['cli_upload']:.2f} s  "
        f"(API inside: {med['cli_server']:.2f} s)\n"
        f"  same rows POSTed directly (5×20)   {med['direct']:.2f} s  "
        f"(API inside: {med['direct_server']:.2f} s)\n"
        f"  CLI / direct                       {med['cli'] / med['direct']:.2f}×\n"
        f"  CLI start-up (coinbox --help)      {med['startup']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
