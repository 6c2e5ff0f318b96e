"""`pip install ./sdks/python` into a fresh virtual environment (dependencies from the package
index), then the README's quick start and the installed `coinbox` command run from that
environment against the live stack. Marked slow (about 30 s, mostly pip)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sdk.sdk_support import make_sdk_user

pytestmark = [pytest.mark.stack, pytest.mark.slow]

SDK = Path(__file__).resolve().parents[2] / "sdks/python"


def test_fresh_venv_install_runs_the_quick_start(tmp_path: Path) -> None:
    started = time.monotonic()
    source = tmp_path / "src"
    # a copy, so the build leaves nothing in the work tree
    shutil.copytree(
        SDK, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    installed = time.monotonic() - started

    user = make_sdk_user(name="fresh venv")
    env = user.env()
    readme = (SDK / "README.md").read_text()
    quick_start = re.search(r"## Quick start\n\n```python\n(.*?)```", readme, flags=re.S)
    assert quick_start is not None
    ran = subprocess.run(
        [str(python), "-c", quick_start.group(1)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert "approved" in ran.stdout
    # the environment has its own copy: not this repo's source
    where = subprocess.run(
        [str(python), "-c", "import coinbox; print(coinbox.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(venv) in where

    cli = subprocess.run(
        [str(venv / "bin" / "coinbox"), "keys", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert "fresh venv" in cli.stdout
    print(f"fresh venv: pip install {installed:.1f} s")
