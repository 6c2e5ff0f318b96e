"""The deployed functions folder is self-contained.

Firebase uploads functions/ alone (no venv, no shared/) and the runtime installs
requirements.txt into a fresh environment. This test does the same: it copies functions/ to a
temporary folder, stages the shared library into it with scripts/predeploy.sh, installs
requirements.txt into a clean Python 3.11 venv, and imports main there with no PYTHONPATH and no
way to reach the repository. Then it runs the Firebase SDK's own discovery (what the CLI calls to
build the deploy manifest) and loads every route module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREDEPLOY = ROOT / "scripts" / "predeploy.sh"
LIBRARY = ROOT / "shared" / "src" / "coinbox_platform"
WHEELHOUSE = ROOT / ".stack" / "wheelhouse"

# Runs inside the staged folder with the fresh venv's python; prints one JSON line.
CHECK = r"""
import json, os, sys
here = os.path.realpath(os.getcwd())
root = os.path.realpath(sys.argv[1])
import main
import coinbox_platform
from coinbox_platform.api.routes import load_all
from coinbox_platform.api.routing import TABLE
load_all()
from firebase_functions.private import serving
manifest = serving.functions_as_yaml(serving.get_functions())
leaks = sorted(
    name
    for name, mod in list(sys.modules.items())
    if (f := getattr(mod, "__file__", None)) and os.path.realpath(f).startswith(root + os.sep)
)
print(json.dumps({
    "library": os.path.realpath(coinbox_platform.__file__),
    "here": here,
    "prefix": os.path.realpath(sys.prefix),
    "version": list(sys.version_info[:2]),
    "path": sys.path,
    "all": list(main.__all__),
    "missing": [n for n in main.__all__ if not hasattr(getattr(main, n, None), "__firebase_endpoint__")],
    "discovered": sorted(serving.get_functions()),
    "manifest": manifest,
    "routes": len(TABLE.routes),
    "families": sorted({r.family for r in TABLE.routes}),
    "leaks": leaks,
}))
"""


def _python311() -> str:
    found = shutil.which("python3.11")
    if found:
        return found
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    pytest.fail("python3.11 is needed (the functions runtime is python311)")


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def _install_requirements(py: Path, requirements: Path) -> None:
    """pip install -r requirements.txt into the venv of `py`, from a local wheelhouse.

    The registry is slow here and pip caches nothing from it, so the wheels are downloaded once
    into .stack/wheelhouse (gitignored) and installed from there with no index; when
    requirements.txt changes and the wheelhouse lacks something, it is refreshed first.
    """
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    install = [
        *pip,
        "--python",
        str(py),
        "install",
        "--quiet",
        "--no-compile",
        "--no-index",
        "--find-links",
        str(WHEELHOUSE),
        "-r",
        str(requirements),
    ]
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    if subprocess.run(install, capture_output=True, check=False).returncode == 0:
        return
    _run([*pip, "download", "--quiet", "--dest", str(WHEELHOUSE), "-r", str(requirements)])
    _run(install)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("deploy") / "functions"
    shutil.copytree(
        ROOT / "functions",
        dest,
        ignore=shutil.ignore_patterns(
            "venv", "__pycache__", "*.pyc", ".mypy_cache", "coinbox_platform"
        ),
    )
    out = _run(["bash", str(PREDEPLOY), str(dest)], cwd="/").stdout
    assert "staged coinbox_platform" in out
    return dest


def _tree(base: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_predeploy_stages_an_exact_copy_of_the_library(staged: Path) -> None:
    staged_lib = staged / "coinbox_platform"
    assert _tree(staged_lib) == _tree(LIBRARY)
    assert not list(staged_lib.rglob("__pycache__"))
    # Running it again replaces the copy (a file removed from shared/ must not linger).
    (staged_lib / "stale.py").write_text("raise RuntimeError('stale')\n")
    _run(["bash", str(PREDEPLOY), str(staged)])
    assert not (staged_lib / "stale.py").exists()


def test_predeploy_refuses_a_folder_without_main_py(tmp_path: Path) -> None:
    proc = subprocess.run(
        ["bash", str(PREDEPLOY), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0
    assert "no main.py" in proc.stderr
    assert not (tmp_path / "coinbox_platform").exists()


def test_staged_functions_import_in_a_clean_venv(staged: Path) -> None:
    t0 = time.perf_counter()
    venv = staged / "venv"  # where the Firebase CLI expects it; never uploaded (firebase.json)
    _run([_python311(), "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    _install_requirements(py, staged / "requirements.txt")
    installed = time.perf_counter() - t0

    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(staged.parent),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    assert "PYTHONPATH" not in env
    proc = _run([str(py), "-s", "-c", CHECK, str(ROOT)], cwd=staged, env=env)
    info = json.loads(proc.stdout.strip().splitlines()[-1])

    # Imported from the staged copy, by the clean venv, with nothing of the repository reachable.
    here = info["here"]
    assert info["library"].startswith(here + os.sep), info["library"]
    assert info["prefix"] == str(venv.resolve())
    assert info["version"] == [3, 11]
    assert not [p for p in info["path"] if p.startswith(str(ROOT))], info["path"]
    assert info["leaks"] == [], f"modules loaded from the repository: {info['leaks']}"

    # Every exported function is a Firebase function, and discovery finds exactly those.
    assert info["all"], "main.__all__ is empty"
    assert info["missing"] == [], f"no __firebase_endpoint__: {info['missing']}"
    assert info["discovered"] == sorted(info["all"])
    for name in info["all"]:
        assert f"{name}:" in info["manifest"]

    # Every route module loads, and every route's family is an exported function.
    assert info["routes"] > 0
    assert set(info["families"]) <= set(info["all"]), set(info["families"]) - set(info["all"])
    print(f"clean venv + pip install: {installed:.1f} s")
