"""Every environment read goes through `config.Settings` (secrets through `config.secret`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import coinbox_platform
from coinbox_platform.config import settings

LIBRARY = Path(coinbox_platform.__file__).resolve().parent


def environment_reads(source: str) -> list[int]:
    """Lines that read the environment: os.environ, os.getenv, or either imported from os."""
    names = {"environ", "getenv", "environb"}
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if (isinstance(node, ast.Attribute) and node.attr in names)
        or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and bool({a.name for a in node.names} & names)
        )
    ]


def test_only_config_reads_the_environment() -> None:
    found = {
        str(path.relative_to(LIBRARY)): lines
        for path in sorted(LIBRARY.rglob("*.py"))
        if path.name != "config.py" and (lines := environment_reads(path.read_text()))
    }
    assert found == {}


def test_the_check_sees_each_way_of_reading_it() -> None:
    assert environment_reads("import os\nos.environ.get('X')\n") == [2]
    assert environment_reads("import os\nos.getenv('X')\n") == [2]
    assert environment_reads("from os import environ\n") == [1]
    assert environment_reads("import os\nos.path.join('a')\n") == []


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_settings_read_every_variable(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("GCLOUD_PROJECT", "demo-settings")
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    monkeypatch.setenv("COINBOX_TRUSTED_PROXY_HOPS", "2")
    monkeypatch.setenv("COINBOX_EXPORTS_BUCKET", "exports-bucket")
    monkeypatch.setenv("COINBOX_WEBHOOK_RETRY", " 1,2,3,4 ")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "127.0.0.1:9199")
    monkeypatch.setenv("CLOUD_TASKS_EMULATOR_HOST", "127.0.0.1:9499")
    s = settings()
    assert (s.project_id, s.emulated, s.sandbox) == ("demo-settings", True, True)
    assert s.trusted_proxy_hops == 2
    assert s.exports_bucket == "exports-bucket"
    assert s.webhook_retry == "1,2,3,4"
    assert s.storage_emulated and s.firebase_emulated


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    monkeypatch.setenv("GCLOUD_PROJECT", "demo-settings")
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    for name in (
        "COINBOX_TRUSTED_PROXY_HOPS",
        "COINBOX_EXPORTS_BUCKET",
        "COINBOX_WEBHOOK_RETRY",
        "STORAGE_EMULATOR_HOST",
        "FIREBASE_AUTH_EMULATOR_HOST",
        "CLOUD_TASKS_EMULATOR_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    s = settings()
    assert s.trusted_proxy_hops == 1
    assert s.exports_bucket == "demo-settings.appspot.com"
    assert s.webhook_retry == ""
    assert not s.storage_emulated and not s.firebase_emulated
    settings.cache_clear()
    monkeypatch.setenv("COINBOX_TRUSTED_PROXY_HOPS", "two")  # unreadable: the default
    assert settings().trusted_proxy_hops == 1
