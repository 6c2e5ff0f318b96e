"""Regenerate the SDK's generated code from the committed OpenAPI document.

    functions/venv/bin/python sdks/python/scripts/generate.py            write the files
    functions/venv/bin/python sdks/python/scripts/generate.py --check    exit 1 on drift

Two files are generated and committed:

  src/coinbox/models.py            pydantic v2 models of every schema in docs/openapi.json
                                   (datamodel-code-generator, pinned in requirements-dev.txt)
  src/coinbox/_async_resources.py  the AsyncCoinbox resources, derived from the hand-written
                                   synchronous ones in src/coinbox/_resources.py (every call
                                   through the client becomes awaited, every method doing I/O
                                   becomes `async def`), so the two clients cannot diverge

Both are formatted with the repo's ruff settings. tests/unit/test_sdk_python_generated.py runs
this with --check.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

SDK = Path(__file__).resolve().parent.parent
ROOT = SDK.parent.parent
SPEC = ROOT / "docs" / "openapi.json"
MODELS = SDK / "src" / "coinbox" / "models.py"
SYNC_RESOURCES = SDK / "src" / "coinbox" / "_resources.py"
ASYNC_RESOURCES = SDK / "src" / "coinbox" / "_async_resources.py"

MODELS_HEADER = '''# The generator gives a nullable constrained field a RootModel whose root defaults to None;
# pydantic never uses that default (the field holding it is optional), mypy flags it.
# mypy: disable-error-code="assignment"
"""Typed models of every request and response of the CoinBox API.

Generated from docs/openapi.json by sdks/python/scripts/generate.py (datamodel-code-generator);
do not edit. Field names are snake_case; the API's camelCase names are their aliases, and both
are accepted when building a model. Unknown fields sent by a newer API are kept, not refused.
"""

'''

CODEGEN_ARGS = [
    "--input-file-type",
    "openapi",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--target-python-version",
    "3.11",
    "--snake-case-field",
    "--allow-population-by-field-name",
    "--extra-fields",
    "allow",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-schema-description",
    "--use-double-quotes",
    "--use-annotated",
    "--disable-timestamp",
    "--use-subclass-enum",
    "--set-default-enum-member",
    "--capitalise-enum-members",
]


def _ruff(path: Path) -> None:
    for args in (["check", "--fix-only", "--quiet", "--unsafe-fixes"], ["format", "--quiet"]):
        subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(ROOT / "ruff.toml"), str(path)],
            check=True,
            cwd=ROOT,
        )


def render_models() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "models.py"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "datamodel_code_generator",
                "--input",
                str(SPEC),
                "--output",
                str(out),
                *CODEGEN_ARGS,
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        body = out.read_text()
        # the generator's own header names the input path; ours says where it came from
        body = re.sub(r"\A(#[^\n]*\n)+\n*", "", body)
        out.write_text(MODELS_HEADER + body)
        _ruff(out)
        return out.read_text()


ASYNC_HEADER = '''"""The AsyncCoinbox resources: generated from _resources.py by scripts/generate.py; do not
edit (change _resources.py and regenerate)."""

'''

_IO_CALL = re.compile(r"self\._client\._(request|request_raw|sleep)\(")


def asyncify(source: str) -> str:
    """The synchronous resources rewritten for the async client."""
    # drop the module docstring: the async module has its own
    source = re.sub(r'\A"""(?:.|\n)*?"""\n', "", source, count=1)
    names = re.findall(r"^class (\w+)\(SyncResource\)", source, flags=re.M)
    for name in sorted(names, key=len, reverse=True):
        source = re.sub(rf"(?<![.\w]){name}\b", f"Async{name}", source)
    source = source.replace("(SyncResource)", "(AsyncResource)")
    source = source.replace("SyncResource,", "AsyncResource,")
    source = re.sub(r"\bSyncPaginator\b", "AsyncPaginator", source)
    source = re.sub(r"\bSyncClient\b", "AsyncClient", source)
    source = re.sub(r"\bIterator\b", "AsyncIterator", source)
    out: list[str] = []
    # split into methods: a method is async when its body calls the client's I/O
    blocks = re.split(r"(?m)^(?=    def |    @|class |\S)", source)
    for block in blocks:
        text = block
        if text.startswith("    def ") and _IO_CALL.search(text):
            text = "    async def " + text[len("    def ") :]
            text = _IO_CALL.sub(lambda m: f"await self._client._{m.group(1)}(", text)
        out.append(text)
    return ASYNC_HEADER + "".join(out)


def render_async() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "_async_resources.py"
        out.write_text(asyncify(SYNC_RESOURCES.read_text()))
        _ruff(out)
        return out.read_text()


def main(argv: list[str]) -> int:
    targets = {MODELS: render_models(), ASYNC_RESOURCES: render_async()}
    if argv == ["--check"]:
        stale = [p for p, text in targets.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(
                f"{path.relative_to(ROOT)} is stale: run "
                "`functions/venv/bin/python sdks/python/scripts/generate.py`"
            )
        return 1 if stale else 0
    if argv:
        print(__doc__)
        return 2
    for path, text in targets.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
