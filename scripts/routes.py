"""Print the API's route table as Markdown, or rewrite it into README.md (`--write`).

The README's table sits between `<!-- routes:start -->` and `<!-- routes:end -->`;
tests/unit/test_readme.py fails when it no longer matches the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- routes:start -->", "<!-- routes:end -->"


def table() -> str:
    from coinbox_platform.api.routes import load_all
    from coinbox_platform.api.routing import TABLE

    load_all()
    order = {"GET": 0, "POST": 1, "PATCH": 2, "DELETE": 3}
    rows = ["| method | path | who / API-key scope | what |", "|---|---|---|---|"]
    for r in sorted(TABLE.routes, key=lambda r: (r.template, order.get(r.method, 9))):
        who = {"none": "public", "user": "", "staff": "staff", "admin": "admin"}[r.auth]
        scope = f"`{r.scope}`" if r.scope else ""
        rows.append(
            f"| {r.method} | `{r.template}` | {' '.join(x for x in (who, scope) if x)} "
            f"| {r.summary} |"
        )
    return "\n".join(rows)


def rewrite(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        path = ROOT / "README.md"
        path.write_text(rewrite(path.read_text()))
    else:
        print(table())
