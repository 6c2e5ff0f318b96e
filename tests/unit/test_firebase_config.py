"""firebase.json agrees with functions/main.py and the route table.

Written generally: routes and functions are added all the time, so nothing here lists them.
Hosting's rewrite matching (the first rewrite whose glob matches wins; globs are minimatch's) is
simulated in Python and cross-checked against the real minimatch the Hosting emulator uses.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
PYTHON = FUNCTIONS / "venv" / "bin" / "python"
CONFIG: dict[str, Any] = json.loads((ROOT / "firebase.json").read_text())

# Runs in functions/ with the functions' venv: what main.py exports and what the routes are.
_INTROSPECT = r"""
import json, main
from coinbox_platform.api.routes import load_all
from coinbox_platform.api.routing import TABLE
load_all()
out = {"all": list(main.__all__), "functions": {}, "routes": []}
for name in main.__all__:
    ep = getattr(getattr(main, name, None), "__firebase_endpoint__", None)
    out["functions"][name] = None if ep is None else {
        "entryPoint": ep.entryPoint,
        "region": list(ep.region or []),
        "https": ep.httpsTrigger is not None,
    }
for r in TABLE.routes:
    out["routes"].append({"method": r.method, "template": r.template, "family": r.family})
print(json.dumps(out))
"""


@cache
def introspect() -> dict[str, Any]:
    proc = subprocess.run(
        [str(PYTHON), "-c", _INTROSPECT],
        cwd=FUNCTIONS,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, f"importing functions/main.py failed:\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def hosting_sites() -> list[dict[str, Any]]:
    hosting = CONFIG.get("hosting", [])
    return hosting if isinstance(hosting, list) else [hosting]


def rewrites() -> list[dict[str, Any]]:
    return [rw for site in hosting_sites() for rw in site.get("rewrites", [])]


def function_of(rewrite: dict[str, Any]) -> tuple[str, str | None] | None:
    """(functionId, region) of a function rewrite; None for other kinds of rewrite."""
    fn = rewrite.get("function")
    if fn is None:
        return None
    if isinstance(fn, str):  # the legacy form: "function": "name"
        return fn, None
    return fn["functionId"], fn.get("region")


# --- Hosting's glob matching (minimatch 3 semantics, as superstatic applies them) -------------


def _expand_braces(glob: str) -> list[str]:
    m = re.search(r"\{([^{}]*,[^{}]*)\}", glob)
    if not m:
        return [glob]
    head, tail = glob[: m.start()], glob[m.end() :]
    return [x for alt in m.group(1).split(",") for x in _expand_braces(head + alt + tail)]


def _segment_regex(seg: str) -> re.Pattern[str] | None:
    """None for a literal segment; else the regex of a segment with * ? or [...]."""
    if not re.search(r"[*?\[]", seg):
        return None
    out, i = "", 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            out += "[^/]*?"
        elif c == "?":
            out += "[^/]"
        elif c == "[" and "]" in seg[i + 1 :]:
            j = seg.index("]", i + 1)
            body = seg[i + 1 : j]
            out += "[" + ("^" + body[1:] if body[:1] == "!" else body) + "]"
            i = j
        else:
            out += re.escape(c)
        i += 1
    # A magic segment matches something, and never a dotfile unless it starts with a dot itself.
    lead = "" if seg.startswith(".") else r"(?!\.)"
    return re.compile(rf"(?=.){lead}{out}\Z", re.S)


def _match_segments(path: list[str], glob: list[str]) -> bool:
    if not glob:
        # minimatch lets "/a" match "/a/": one trailing empty segment is fine.
        return not path or path == [""]
    if not path:
        return False
    g, rest = glob[0], glob[1:]
    if g == "**":
        if not rest:  # at the end: swallow one or more segments, none a dotfile
            return all(not s.startswith(".") for s in path)
        for i in range(len(path)):
            if i and path[i - 1].startswith("."):
                return False
            if _match_segments(path[i:], rest):
                return True
        return False
    rx = _segment_regex(g)
    ok = rx.match(path[0]) is not None if rx else path[0] == g
    return ok and _match_segments(path[1:], rest)


def hosting_matches(path: str, rewrite: dict[str, Any]) -> bool:
    if "regex" in rewrite:
        return re.search(rewrite["regex"], path) is not None
    glob = rewrite.get("source") or rewrite.get("glob") or ""
    # minimatch splits on runs of slashes: "/v1//x" is "/v1/x".
    segments = re.split("/+", path)
    return any(_match_segments(segments, re.split("/+", g)) for g in _expand_braces(glob))


def served_by(path: str) -> dict[str, Any] | None:
    """The rewrite Hosting applies to `path`: the first that matches."""
    return next((rw for rw in rewrites() if hosting_matches(path, rw)), None)


def sample_path(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"{m.group(1)}_x1", template)


# --- the tests --------------------------------------------------------------------------------


def test_every_rewrite_targets_an_exported_https_function_in_its_region() -> None:
    info = introspect()
    function_rewrites = [(rw, fn) for rw in rewrites() if (fn := function_of(rw))]
    assert function_rewrites, "no function rewrites in firebase.json"
    for rw, (function_id, region) in function_rewrites:
        where = f"rewrite {rw.get('source') or rw.get('regex')} -> {function_id}"
        assert function_id in info["all"], f"{where}: not exported by functions/main.py"
        ep = info["functions"][function_id]
        assert ep is not None, f"{where}: main.{function_id} is not a Firebase function"
        assert ep["https"], f"{where}: not an HTTPS function"
        assert ep["entryPoint"] == function_id
        if region is not None:
            assert region in ep["region"], f"{where}: function is in {ep['region']}, not {region}"


def test_main_exports_only_firebase_functions() -> None:
    info = introspect()
    assert len(set(info["all"])) == len(info["all"]), "duplicates in main.__all__"
    missing = [n for n, ep in info["functions"].items() if ep is None]
    assert not missing, f"in main.__all__ but without __firebase_endpoint__: {missing}"


def test_every_v1_route_reaches_its_family_function_through_hosting() -> None:
    info = introspect()
    routes = [r for r in info["routes"] if r["template"].startswith("/v1")]
    assert routes, "the route table is empty after load_all()"
    wrong = []
    for r in routes:
        path = sample_path(r["template"])
        rw = served_by(path)
        got = function_of(rw) if rw else None
        if got is None or got[0] != r["family"]:
            target = "nothing" if rw is None else (got[0] if got else json.dumps(rw))
            wrong.append(
                f"{r['method']} {r['template']} (family {r['family']}): {path} -> {target}"
            )
    assert not wrong, "Hosting sends these routes to the wrong place:\n" + "\n".join(wrong)


def test_every_route_family_is_an_exported_function() -> None:
    info = introspect()
    families = {r["family"] for r in info["routes"]}
    assert families <= set(info["all"]), (
        f"families without a function: {families - set(info['all'])}"
    )


def test_functions_runtime_is_python311_with_the_predeploy_hook() -> None:
    functions = CONFIG["functions"]
    codebases = functions if isinstance(functions, list) else [functions]
    assert codebases
    for cb in codebases:
        assert cb["runtime"] == "python311"
        assert "venv" in cb.get("ignore", []), "the venv would be uploaded"
        hooks = cb.get("predeploy", [])
        hooks = [hooks] if isinstance(hooks, str) else hooks
        assert any("scripts/predeploy.sh" in h for h in hooks), "functions/ would miss the library"


def test_every_emulator_binds_loopback_and_there_is_no_ui() -> None:
    emulators = CONFIG["emulators"]
    bound = {
        name: conf for name, conf in emulators.items() if isinstance(conf, dict) and "port" in conf
    }
    assert {"functions", "firestore", "auth", "hosting", "tasks"} <= set(bound)
    for name, conf in bound.items():
        assert conf.get("host") == "127.0.0.1", f"emulator {name} binds {conf.get('host')}"
    # The auth emulator starts offline only without the Emulator UI (it would download it).
    assert emulators.get("ui") == {"enabled": False}


# --- the web app (web/: portal, dashboard, docs) ---------------------------------------------

WEB_APPS = ("developer", "bulk", "docs")


def test_hosting_serves_the_vite_build_of_web() -> None:
    (site,) = hosting_sites()
    assert site["public"] == "web/dist"
    assert site.get("cleanUrls") is True  # /developer serves developer.html
    vite = (ROOT / "web/vite.config.ts").read_text()
    assert 'outDir: "dist"' in vite
    setup = (ROOT / "scripts/setup.sh").read_text()
    assert "vite build" in setup and "npm ci" in setup
    for app in ("index", *WEB_APPS):
        assert (ROOT / "web" / f"{app}.html").is_file(), (
            f"web/{app}.html is not a page of the build"
        )
        assert f'{app}: resolve(here, "{app}.html")' in vite, f"{app}.html is not a Vite input"


@pytest.mark.parametrize("app", WEB_APPS)
def test_every_sub_route_of_the_web_apps_serves_the_app(app: str) -> None:
    assert served_by(f"/{app}") is None  # the page itself, through cleanUrls
    for sub in ("x", "keys", "a/b/c", "errors"):
        rw = served_by(f"/{app}/{sub}")
        assert rw is not None and rw.get("destination") == f"/{app}.html", (app, sub, rw)


def test_the_web_apps_take_no_api_path_and_the_api_takes_none_of_theirs() -> None:
    info = introspect()
    for r in info["routes"]:
        rw = served_by(sample_path(r["template"]))
        assert rw is not None and function_of(rw) is not None, r["template"]
    for app in WEB_APPS:
        for path in (f"/{app}", f"/{app}/x/y"):
            rw = served_by(path)
            assert rw is None or function_of(rw) is None, f"{path} goes to a function"
    assert function_of(served_by("/v1/anything/else") or {}) == ("health", "us-central1")


# --- the simulator itself ---------------------------------------------------------------------

_EDGE_PATHS = [
    "/v1",
    "/v1/",
    "/v1/health",
    "/v1/health/",
    "/v1/unknown",
    "/v1/a/b/c",
    "/v1/.hidden",
    "/v1//x",
    "/v2/health",
    "/",
    "/index.html",
    "/developer",
    "/developer/keys",
    "/bulk/loans",
    "/docs/errors",
    "/docs/guides/x/y",
    "/developers",
]
_EDGE_GLOBS = ["/v1/**", "/v1/*", "/v1/**/b", "/v1/**/*", "/v1/{a,b}/c", "/v1/a?", "/v1/[ab]*"]


@pytest.mark.parametrize(
    ("path", "glob", "expected"),
    [
        ("/v1", "/v1/**", False),
        ("/v1/", "/v1/**", True),
        ("/v1/a/b", "/v1/**", True),
        ("/v1/loans", "/v1/loans/**", False),
        ("/v1/loans/x", "/v1/loans/*", True),
        ("/v1/loans/x/y", "/v1/loans/*", False),
        ("/v1/health/", "/v1/health", True),
        ("/v1/b", "/v1/**/b", True),
        ("/v1/.x", "/v1/**", False),
        ("/v1/loans", "/v1/{loans,investments}", True),
        ("/v1//x", "/v1/*", True),
    ],
)
def test_glob_simulation_known_cases(path: str, glob: str, expected: bool) -> None:
    assert hosting_matches(path, {"source": glob}) is expected


def test_glob_simulation_agrees_with_minimatch() -> None:
    """Same answers as the minimatch that the Hosting emulator (superstatic) uses."""
    node = shutil.which("node")
    candidates = [
        ROOT / "node_modules/superstatic/node_modules/minimatch",
        ROOT / "node_modules/minimatch",
    ]
    mm = next((p for p in candidates if (p / "package.json").exists()), None)
    if node is None or mm is None:
        pytest.skip("node or minimatch not installed (make setup)")
    paths = sorted({sample_path(r["template"]) for r in introspect()["routes"]} | set(_EDGE_PATHS))
    globs = sorted({rw["source"] for rw in rewrites() if "source" in rw} | set(_EDGE_GLOBS))
    pairs = [[p, g] for p in paths for g in globs]
    script = (
        f"let m = require({json.dumps(str(mm))}); m = m.minimatch || m;"
        "const pairs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(pairs.map(([p, g]) => m(p, g))));"
    )
    proc = subprocess.run(
        [node, "-e", script],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    truth = json.loads(proc.stdout)
    diff = [
        f"{p} ~ {g}: minimatch {t}, simulated {not t}"
        for (p, g), t in zip(pairs, truth, strict=True)
        if hosting_matches(p, {"source": g}) is not t
    ]
    assert not diff, "\n".join(diff)
