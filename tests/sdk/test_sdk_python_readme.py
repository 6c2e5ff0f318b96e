"""Every ```python block of sdks/python/README.md runs, in order and in one namespace (as a
reader would paste them), against the live stack with a real API key; so the examples cannot
rot."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from tests.sdk.sdk_support import make_sdk_user
from tests.support import api_base

pytestmark = pytest.mark.stack

README = Path(__file__).resolve().parents[2] / "sdks/python/README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.M | re.S)


def test_readme_has_examples() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 8
    assert any("webhooks.verify" in b for b in blocks) and any("AsyncCoinbox" in b for b in blocks)


def test_readme_examples_run_against_the_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_sdk_user(balance=1_000_000, name="readme")
    monkeypatch.setenv("COINBOX_API_KEY", user.key)
    monkeypatch.setenv("COINBOX_BASE_URL", api_base())
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    printed = io.StringIO()
    for number, block in enumerate(python_blocks(), start=1):
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(block, f"README.md python block {number}", "exec"), namespace)  # noqa: S102
            except Exception as exc:
                raise AssertionError(f"README python block {number} failed:\n{block}") from exc
    output = printed.getvalue()
    assert "approved" in output and "not_found" in output and "refused:" in output
    assert (tmp_path / "loans.csv").exists()  # the export example wrote its file
    assert os.environ["COINBOX_API_KEY"] == user.key
