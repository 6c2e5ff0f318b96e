"""A worker's peak memory does not grow with the number of exported rows (docs/product.md §7).

Runs the export job in a fresh process (as the runexport task does) for 2,000 and for 20,000
rows and compares the peak RSS. Holding the rows in memory would cost about 1 KiB a row
(+18 MiB here); streaming keeps the difference to the noise of a few MiB.
"""

from __future__ import annotations

import pytest

from coinbox_platform.ids import new_id
from scripts.bench_exports import run, seed

pytestmark = [pytest.mark.stack, pytest.mark.slow]


def test_peak_memory_is_flat_as_the_export_grows() -> None:
    small, large = f"mem-{new_id('req')[4:14]}", f"mem-{new_id('req')[4:14]}"
    seed(small, 2_000)
    seed(large, 20_000)
    for fmt in ("csv", "xlsx"):
        a, b = run(small, fmt), run(large, fmt)
        assert (a["records"], b["records"]) == (2_000, 20_000)
        assert b["bytes"] > 8 * a["bytes"]
        assert b["maxrss_mb"] - a["maxrss_mb"] < 8, (fmt, a, b)
