"""The README stays true to the code: its route table is the route table."""

from __future__ import annotations

from pathlib import Path

from scripts.routes import rewrite

ROOT = Path(__file__).resolve().parents[2]


def test_readme_route_table_matches_the_code() -> None:
    readme = (ROOT / "README.md").read_text()
    assert rewrite(readme) == readme, "run: functions/venv/bin/python scripts/routes.py --write"


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make dev" in readme and "make test" in readme
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in ci
