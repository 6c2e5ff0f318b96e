"""Every deployed function runs outside the emulator with only what production gives it.

For each function of the deploy manifest (the Firebase SDK's own discovery, what
`firebase deploy` reads), tests/production_harness.py runs its code path in a subprocess whose
environment holds only the project id, K_SERVICE/FUNCTION_TARGET, the secrets that function
declares (functions/deploy.py), a service-account credential file made here, and no emulator
variable. The run must get past settings, credentials, client construction and imports to the
network (or finish without needing it), log no error, and read no secret it did not declare.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
HARNESS = ROOT / "tests" / "production_harness.py"
PROJECT = "coinbox-production-check"
SECRET_VALUES = {
    "API_KEY_PEPPER": "production-check-pepper-" + "p" * 40,
    "WEBHOOK_SECRET_KEY": base64.b64encode(b"w" * 32).decode(),
}
DISCOVER = r"""
import json, main
from firebase_functions.private import serving
print("MANIFEST " + json.dumps({
    name: [s["key"] for s in (fn.__firebase_endpoint__.secretEnvironmentVariables or [])]
    for name, fn in serving.get_functions().items()
}))
"""


@pytest.fixture(scope="module")
def credential_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service-account key file, as a deployed function's default credentials resolve to."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path_factory.mktemp("credentials") / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "0" * 40,
                "private_key": pem,
                "client_email": f"functions@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "1" * 21,
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    return path


def production_env(function: str, secrets: list[str], credentials: Path) -> dict[str, str]:
    """What Cloud Functions (2nd gen) sets for `function`, nothing from this machine's shell
    (so no FIRESTORE_EMULATOR_HOST, FUNCTIONS_EMULATOR, COINBOX_SANDBOX, ...)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(FUNCTIONS),
        "GCLOUD_PROJECT": PROJECT,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "K_SERVICE": function,
        "K_REVISION": f"{function}-00001-abc",
        "FUNCTION_TARGET": function,
        "PORT": "8080",
        "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        "PORTAL_ORIGINS": "https://developers.coinbox.example",
    }
    env |= {name: SECRET_VALUES[name] for name in secrets}
    return env


def _json_line(stdout: str, marker: str) -> Any:
    for line in stdout.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1 :])
    raise AssertionError(f"no {marker} line in:\n{stdout[-3000:]}")


@pytest.fixture(scope="module")
def manifest(credential_file: Path) -> dict[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", DISCOVER],
        cwd=FUNCTIONS,
        env=production_env("discovery", [], credential_file),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(_json_line(proc.stdout, "MANIFEST"))


def run_in_production(function: str, secrets: list[str], credentials: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(HARNESS), function],
        cwd=FUNCTIONS,
        env=production_env(function, secrets, credentials),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    result = dict(_json_line(proc.stdout, "HARNESS"))
    result["stderr"] = proc.stderr[-1500:]
    return result


def problems(result: dict[str, Any], declared: list[str]) -> list[str]:
    """What went wrong in a production run of a function that declares `declared`."""
    out = []
    if result["ended"] not in ("returned", "network"):
        out.append(f"raised before reaching the network:\n{result.get('exception')}")
    if result.get("status", 200) >= 500 and result["ended"] != "network":
        out.append(f"answered {result['status']} without reaching the network")
    out += [f"logged an error: {e}" for e in result["errors"]]
    undeclared = sorted(set(result["secretsRead"]) - set(declared))
    if undeclared:
        out.append(f"read secrets it does not declare: {undeclared}")
    return out


def test_the_manifest_has_every_function(manifest: dict[str, list[str]]) -> None:
    sys.path.insert(0, str(FUNCTIONS))
    try:
        from deploy import SECRETS
    finally:
        sys.path.remove(str(FUNCTIONS))
    assert len(manifest) == 30, sorted(manifest)
    # The manifest declares exactly the table of functions/deploy.py, and nothing more.
    assert {n: s for n, s in manifest.items() if s} == {
        n: [p.name for p in ps] for n, ps in SECRETS.items()
    }


def test_every_function_runs_with_only_what_production_gives_it(
    manifest: dict[str, list[str]], credential_file: Path
) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(
            zip(
                manifest,
                pool.map(
                    lambda name: run_in_production(name, manifest[name], credential_file),
                    manifest,
                ),
                strict=True,
            )
        )
    failures = {
        name: problems(result, manifest[name])
        for name, result in results.items()
        if problems(result, manifest[name])
    }
    assert not failures, json.dumps(failures, indent=2)
    # Each code path got somewhere real: to the network, or to a finished answer.
    assert all(r["ended"] in ("network", "returned") for r in results.values())
    reached = {n for n, r in results.items() if r["ended"] == "network"}
    assert len(reached) >= 25, sorted(set(results) - reached)
    # The secrets each function declares are the ones its code path reads.
    for name, result in results.items():
        assert set(result["secretsRead"]) == set(manifest[name]), (name, result)


@pytest.mark.parametrize(
    ("function", "withheld"),
    [
        ("loans", "API_KEY_PEPPER"),
        ("webhooks", "WEBHOOK_SECRET_KEY"),
        ("deliverwebhook", "WEBHOOK_SECRET_KEY"),
    ],
)
def test_a_function_that_omits_a_secret_it_reads_is_caught(
    manifest: dict[str, list[str]], credential_file: Path, function: str, withheld: str
) -> None:
    """As if `function` had not declared `withheld`: the same check reports it."""
    declared = [s for s in manifest[function] if s != withheld]
    assert declared != manifest[function]
    result = run_in_production(function, declared, credential_file)
    found = problems(result, declared)
    assert any(withheld in p for p in found), (found, result)
