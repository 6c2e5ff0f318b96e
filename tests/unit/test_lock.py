"""functions/requirements.txt is the lock of functions/requirements.in, and both declare exactly
what the code imports. Offline and fast: nothing is resolved or downloaded here (`make lock`
regenerates the lock; tests/unit/test_predeploy.py installs it into a clean venv).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata as md
import importlib.util
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
LIBRARY = ROOT / "shared" / "src" / "coinbox_platform"
IN = FUNCTIONS / "requirements.in"
LOCK = FUNCTIONS / "requirements.txt"
PYPROJECT = ROOT / "shared" / "pyproject.toml"
SHA_LINE = re.compile(r"^# requirements\.in sha256: ([0-9a-f]{64})$", re.M)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def _logical_lines(text: str) -> list[str]:
    """Requirement lines with their backslash continuations joined, comments dropped."""
    out: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        out.append(current + line)
        current = ""
    assert not current, "the lock ends inside a continued line"
    return out


@cache
def lock() -> dict[str, tuple[Version, list[str]]]:
    """canonical name → (pinned version, hashes)."""
    entries: dict[str, tuple[Version, list[str]]] = {}
    for line in _logical_lines(LOCK.read_text()):
        spec, *opts = line.split()
        m = PIN.match(spec)
        assert m, f"not an exact pin: {line[:100]!r}"
        assert all(HASH.match(o) for o in opts), f"{spec}: only --hash options may follow"
        name = canonicalize_name(m.group(1))
        assert name not in entries, f"{name} is locked twice"
        entries[name] = (Version(m.group(2)), opts)
    return entries


def direct() -> list[Requirement]:
    return [Requirement(line) for line in _logical_lines(IN.read_text())]


def test_lock_header_matches_requirements_in() -> None:
    m = SHA_LINE.search(LOCK.read_text())
    assert m, "the lock has no '# requirements.in sha256:' line: run `make lock`"
    assert m.group(1) == hashlib.sha256(IN.read_bytes()).hexdigest(), (
        "functions/requirements.in changed since the lock was made: run `make lock`"
    )


def test_every_locked_package_is_pinned_with_hashes() -> None:
    assert len(lock()) > 20  # the whole tree, not just the direct requirements
    for name, (_version, hashes) in lock().items():
        assert hashes, f"{name} has no --hash"


def test_every_direct_requirement_is_locked_at_a_version_it_allows() -> None:
    for req in direct():
        name = canonicalize_name(req.name)
        assert name in lock(), f"{req} is not in the lock: run `make lock`"
        version = lock()[name][0]
        assert req.specifier.contains(version, prereleases=True), f"{req} but locked {version}"
    assert "google-cloud-tasks" not in lock(), "nothing imports google-cloud-tasks (README)"


def test_the_venv_has_the_locked_versions() -> None:
    """scripts/setup.sh installs the lock, so the local stack runs what is deployed."""
    for name, (version, _hashes) in lock().items():
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            raise AssertionError(f"{name} is locked but not installed: run `make setup`") from None
        assert Version(installed) == version, f"{name}: venv {installed}, lock {version}"


# --- what the code imports ----------------------------------------------------------------------

LOCAL = {"coinbox_platform", *(p.stem for p in FUNCTIONS.iterdir() if p.suffix in ("", ".py"))}


def _imports(root: Path) -> set[str]:
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if {"venv", "coinbox_platform"} & set(path.relative_to(root).parts[:1]):
            continue  # functions/venv and a staged copy of the library
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from google.cloud import storage` imports the module google.cloud.storage;
                # `from flask import Flask` a name of flask (sorted out in _origin).
                found.update(f"{node.module}.{a.name}" for a in node.names)
    return {
        m
        for m in found
        if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] not in LOCAL
    }


@cache
def _file_owners() -> dict[Path, str]:
    owners: dict[Path, str] = {}
    for dist in md.distributions():
        for f in dist.files or ():
            owners[Path(str(dist.locate_file(f))).resolve()] = canonicalize_name(
                dist.metadata["Name"]
            )
    return owners


def _origin(module: str) -> str:
    """The file that provides `module`, or the module `module`'s last part is a name of."""
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        spec = None
    if spec is None and "." in module:
        return _origin(module.rsplit(".", 1)[0])
    assert spec and spec.origin, f"{module} is imported but not installed (or a bare namespace)"
    return spec.origin


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    """distribution → the imported modules it provides."""
    out: dict[str, set[str]] = {}
    for module in sorted(modules):
        origin = _origin(module)
        dist = _file_owners().get(Path(origin).resolve())
        assert dist, f"no installed distribution provides {module} ({origin})"
        out.setdefault(dist, set()).add(module)
    return out


def test_requirements_in_declares_exactly_what_the_deployed_code_imports() -> None:
    imported = _distributions(_imports(FUNCTIONS) | _imports(LIBRARY))
    declared = {canonicalize_name(r.name) for r in direct()}
    undeclared = {d: sorted(m) for d, m in imported.items() if d not in declared}
    assert not undeclared, f"imported but not in functions/requirements.in: {undeclared}"
    assert not declared - set(imported), f"declared but never imported: {declared - set(imported)}"


def test_shared_pyproject_declares_what_the_library_imports() -> None:
    deps = [Requirement(d) for d in tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]]
    declared = {canonicalize_name(r.name): r for r in deps}
    imported = _distributions(_imports(LIBRARY))
    missing = {d: sorted(m) for d, m in imported.items() if d not in declared}
    assert not missing, f"shared/src imports these without declaring them: {missing}"
    assert not set(declared) - set(imported), set(declared) - set(imported)
    for name, req in declared.items():  # the ranges admit the deployed versions
        assert req.specifier.contains(lock()[name][0], prereleases=True), (req, lock()[name][0])
