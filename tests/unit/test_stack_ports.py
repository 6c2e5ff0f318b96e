"""The port arithmetic of scripts/stack.py: offset 0 is the documented layout, and the stacks of
any two allowed offsets share no port (the two-stacks-at-once test is tests/api/test_side_by_side.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import stack

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = [0, *range(stack.BLOCK, stack.MAX_OFFSET + 1, stack.BLOCK)]
EPHEMERAL_LOW = 32768  # Linux's default ip_local_port_range starts here


def test_offset_zero_is_the_documented_layout() -> None:
    config = json.loads((ROOT / "firebase.json").read_text())["emulators"]
    ports = stack.layout(0)
    for name, conf in config.items():
        if isinstance(conf, dict):
            for key, value in conf.items():
                if key.endswith("ort"):
                    assert ports[(name, key)] == value, (name, key)
    assert ports[("storage", "port")] == 9023
    readme = (ROOT / "README.md").read_text()
    for name in ("hosting", "functions", "firestore", "auth", "tasks", "storage"):
        assert str(ports[(name, "port")]) in readme, f"README's port table lacks {name}"
    assert stack.emulators_config(0) == config


def test_every_port_in_firebase_json_has_a_slot() -> None:
    """An emulator added to firebase.json without a slot would keep its fixed port in every
    stack and collide."""
    config = json.loads((ROOT / "firebase.json").read_text())["emulators"]
    keyed = {
        (name, key)
        for name, conf in config.items()
        if isinstance(conf, dict)
        for key in conf
        if key.endswith("ort")
    }
    assert keyed <= set(stack.SERVICES)
    assert len(stack.SERVICES) == len(set(stack.SERVICES)) <= stack.BLOCK
    for offset in (20, 7000):
        emu = stack.emulators_config(offset)
        for name, key in keyed:
            assert emu[name][key] == stack.layout(offset)[(name, key)]


def test_stacks_of_different_offsets_share_no_port() -> None:
    owner: dict[int, int] = {}
    for offset in ALLOWED:
        ports = list(stack.layout(offset).values())
        assert len(set(ports)) == len(ports), f"offset {offset} uses a port twice"
        for p in ports:
            assert p not in owner, f"offsets {owner[p]} and {offset} both use port {p}"
            owner[p] = offset
    # The offsets the issue names (100 and 200 used to land on the default ports) and the
    # ones engineers use today.
    for a, b in [(100, 200), (0, 100), (0, 200), (1000, 3000), (5000, 7000)]:
        assert not set(stack.layout(a).values()) & set(stack.layout(b).values())


def test_each_stack_discovers_its_functions_on_a_port_of_its_own() -> None:
    """Two stacks starting at once used to race for firebase-tools' discovery port 8081."""
    seen: dict[int, int] = {}
    for offset in ALLOWED:
        port = stack.discovery_port(offset)
        assert port not in stack.layout(offset).values()
        if offset:
            assert stack.BASE + offset <= port < stack.BASE + offset + stack.BLOCK
        assert port not in seen, f"offsets {seen[port]} and {offset} share {port}"
        seen[port] = offset
    assert stack.discovery_port(0) == 8081  # firebase-tools' own default


def test_ports_avoid_bad_and_ephemeral_ports() -> None:
    for offset in ALLOWED:
        for p in stack.layout(offset).values():
            assert p not in stack.NODE_BAD_PORTS
            assert 1024 < p < EPHEMERAL_LOW, (offset, p)
            if offset:  # blocks lie above every default port and above Node's bad ports
                assert p > max(stack.layout(0).values()) and p > max(stack.NODE_BAD_PORTS)


@pytest.mark.parametrize("raw", ["1", "10", "150", "-20", str(stack.MAX_OFFSET + stack.BLOCK), "x"])
def test_offsets_that_could_collide_are_refused(raw: str) -> None:
    with pytest.raises(SystemExit) as exc:
        stack.parse_offset(raw)
    assert "COINBOX_PORT_OFFSET" in str(exc.value)


@pytest.mark.parametrize("raw", [None, "", "0", "20", "100", "1000", "3000", "5000", "7000"])
def test_offsets_in_use_stay_valid(raw: str | None) -> None:
    assert stack.parse_offset(raw) == int(raw or 0)


def test_stack_env_follows_the_offset() -> None:
    """A stack's processes get its own Hosting origin for CORS and not an outer stack's hosts."""
    code = (
        "import json, stack; e = stack.stack_env(); "
        "print(json.dumps({k: e.get(k) for k in "
        "('PORTAL_ORIGINS', 'FIRESTORE_EMULATOR_HOST', 'COINBOX_DISCOVERY_PORT')}))"
    )
    env = {**os.environ, "COINBOX_PORT_OFFSET": "7000", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "scripts",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    got = json.loads(out.strip().splitlines()[-1])
    hosting = stack.layout(7000)[("hosting", "port")]
    assert got["PORTAL_ORIGINS"] == f"http://127.0.0.1:{hosting},http://localhost:{hosting}"
    assert got["FIRESTORE_EMULATOR_HOST"] is None
    assert got["COINBOX_DISCOVERY_PORT"] == str(stack.BASE + 7000 + len(stack.SERVICES))


def test_ports_command_prints_the_layout() -> None:
    env = {**os.environ, "COINBOX_PORT_OFFSET": "3000"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts/stack.py"), "ports"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    printed = {int(p) for p in re.findall(r"\b(\d{4,5})\b", out)}
    assert printed == set(stack.layout(3000).values())
