"""storage.rules denies every client request, and a deploy ships it.

The Cloud Storage emulator of firebase-tools cannot run here (it downloads its rules runtime, and
this machine has no internet), and the gcp-storage-emulator the stack uses has no rules, so the
rules are checked by parsing them (README: "Cloud Storage rules"). The parser is strict: any
statement other than the one catch-all deny fails the test, so a new rule has to change it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = json.loads((ROOT / "firebase.json").read_text())


def _rules_path() -> Path:
    storage = CONFIG.get("storage")
    assert isinstance(storage, dict), 'firebase.json has no "storage": {"rules": ...} entry'
    return ROOT / storage["rules"]


def _source() -> str:
    """The rules without comments (commented-out text neither hides nor fakes a rule)."""
    text = _rules_path().read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


# A statement or a block opening/closing of the rules language (match paths contain braces).
TOKEN = re.compile(
    r"rules_version\s*=\s*'[^']*'\s*;"
    r"|service\s+[\w.]+\s*\{"
    r"|match\s+/\S*\s*\{"
    r"|allow\s+[^;{}]*;"
    r"|function\s+[^{]*\{"
    r"|return\s+[^;]*;"
    r"|\}"
)


def _statements(src: str) -> list[str]:
    """Statements and block openings/closings, in order, with whitespace collapsed."""
    return [" ".join(m.group(0).split()) for m in TOKEN.finditer(src)]


def test_firebase_json_deploys_storage_rules() -> None:
    assert CONFIG["storage"] == {"rules": "storage.rules"}
    assert _rules_path().is_file()


def test_storage_rules_deny_every_client_request() -> None:
    src = _source()
    assert _statements(src) == [
        "rules_version = '2';",
        "service firebase.storage {",
        "match /b/{bucket}/o {",
        "match /{allPaths=**} {",
        "allow read, write: if false;",
        "}",
        "}",
        "}",
    ], "storage.rules must be the single catch-all deny (exports are served by the API only)"
    leftover = TOKEN.sub("", src)
    assert not leftover.strip(), f"unparsed text in storage.rules: {leftover.strip()!r}"


def test_every_allow_in_storage_rules_is_if_false() -> None:
    """The same property stated on its own, so that a reworded file keeps the meaning."""
    allows = re.findall(r"\ballow\b([^;]*);", _source())
    assert allows, "no allow statement: the parser is out of date"
    for stmt in allows:
        methods, _, condition = stmt.partition(":")
        assert condition.split() == ["if", "false"], f"allow{stmt};"
        assert {m.strip() for m in methods.split(",")} <= {"read", "write", "get", "list"}
    assert not re.search(r"\bfunction\s+\w+\s*\(", _source())
