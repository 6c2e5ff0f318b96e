"""No import circles among the modules of coinbox_platform (docs/architecture.md).

Every import counts: at the top of a module, inside a function (a lazy import) and under
TYPE_CHECKING. A lazy import that closes a circle still ties the two modules together: neither
can be read, tested or moved without the other. The check reads the source (ast); it imports
nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import coinbox_platform

PACKAGE = Path(coinbox_platform.__file__).resolve().parent


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """{module: modules it imports} among `sources` ({name: (source, is_package)})."""
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for name, (source, is_package) in sources.items():
        for node in ast.walk(ast.parse(source)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join([*here, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            graph[name] |= {t for t in targets if t in sources and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def library_sources() -> dict[str, tuple[str, bool]]:
    root = PACKAGE.parent
    return {
        module_name(p, root): (p.read_text(), p.name == "__init__.py")
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def test_no_import_circles_in_the_library() -> None:
    sources = library_sources()
    assert len(sources) > 50  # the whole package was read
    assert cycles(import_graph(sources)) == []


def test_the_check_sees_a_circle_through_a_lazy_or_type_checking_import() -> None:
    sources = {
        "pkg": ("", True),
        "pkg.a": ("from pkg import b\n", False),
        "pkg.b": ("def f():\n    from pkg.c import x\n", False),
        "pkg.c": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
            False,
        ),
        "pkg.d": ("import pkg.a\n", False),
    }
    assert cycles(import_graph(sources)) == [["pkg.a", "pkg.b", "pkg.c"]]
