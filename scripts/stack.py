"""Start, use and stop the local stack: the Firebase emulators (functions, firestore, auth,
hosting, tasks) and the Cloud Storage emulator, all on 127.0.0.1.

    python scripts/stack.py dev            start, seed demo data, print URLs and credentials,
                                           run until Ctrl-C
    python scripts/stack.py exec -- CMD    start, run CMD with the emulator variables set,
                                           stop, exit with CMD's status
    python scripts/stack.py stop           kill whatever a crashed run left behind
    python scripts/stack.py ports          print the ports of this COINBOX_PORT_OFFSET

COINBOX_PORT_OFFSET=0 (the default) uses the documented ports of firebase.json; 20, 40, ...
(multiples of BLOCK) each give a stack its own block of ports, so stacks run side by side.

Every process started here is stopped on exit, including the Python workers the functions
emulator leaks and the Firestore java process that runs in a process group of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".stack"
CONFIG = json.loads((ROOT / "firebase.json").read_text())
PROJECT = "demo-coinbox"
ONLY = "functions,firestore,auth,hosting,tasks"
# Ports. COINBOX_PORT_OFFSET=0 (the default) is the documented layout: firebase.json's ports and
# 9023 for Cloud Storage. Any other offset N must be a multiple of BLOCK: the stack then gets the
# BLOCK ports from BASE + N on, one per service in SERVICES order (hub BASE + N, logging + 1,
# functions + 2, ...). Blocks of different offsets never overlap, and every block lies above the
# default ports and Node's bad ports and below Linux's ephemeral range (32768-60999), where
# outgoing connections and the test Firestore emulators take their ports. The shifted config is
# written beside firebase.json (firebase.offset-N.json, gitignored).
BASE = 20000
BLOCK = 20
MAX_OFFSET = ((32768 - BASE) // BLOCK - 1) * BLOCK  # the last block ends below 32768
# (emulator in firebase.json, its port key) in block order; storage is the gcp-storage-emulator.
SERVICES: tuple[tuple[str, str], ...] = (
    ("hub", "port"),
    ("logging", "port"),
    ("functions", "port"),
    ("hosting", "port"),
    ("firestore", "port"),
    ("firestore", "websocketPort"),
    ("auth", "port"),
    ("eventarc", "port"),
    ("tasks", "port"),
    ("storage", "port"),
)
DEFAULT_STORAGE_PORT = 9023
# Where firebase-tools looks for a free port to read the Python functions' definitions
# (scripts/patch_firebase_tools.py): 8081 on the default ports, else the first port after the
# block's services, so two stacks starting at once never race for one port.
DEFAULT_DISCOVERY_PORT = 8081


def discovery_port(offset: int) -> int:
    return DEFAULT_DISCOVERY_PORT if offset == 0 else BASE + offset + len(SERVICES)


def parse_offset(raw: str | None) -> int:
    """COINBOX_PORT_OFFSET as an int; exits with the reason if the offset is not allowed."""
    try:
        offset = int((raw or "0").strip())
    except ValueError:
        sys.exit(f"[stack] COINBOX_PORT_OFFSET={raw!r} is not a whole number.")
    if offset != 0 and (offset < 0 or offset % BLOCK or offset > MAX_OFFSET):
        sys.exit(
            f"[stack] COINBOX_PORT_OFFSET={offset} is not allowed: use 0 (the default ports) or a "
            f"multiple of {BLOCK} from {BLOCK} to {MAX_OFFSET} (each such offset owns the ports "
            f"{BASE}+offset .. {BASE}+offset+{BLOCK - 1}, so no two stacks share a port)."
        )
    return offset


def layout(offset: int) -> dict[tuple[str, str], int]:
    """Every port of the stack at `offset`, keyed by (emulator, port key)."""
    if offset == 0:
        out = {
            (name, key): int(CONFIG["emulators"][name][key])
            for name, key in SERVICES
            if name != "storage"
        }
        out[("storage", "port")] = DEFAULT_STORAGE_PORT
        return out
    return {svc: BASE + offset + i for i, svc in enumerate(SERVICES)}


def emulators_config(offset: int) -> dict[str, Any]:
    """firebase.json's `emulators` section with the ports of `offset`."""
    ports = layout(offset)
    emu: dict[str, Any] = json.loads(json.dumps(CONFIG["emulators"]))
    for (name, key), value in ports.items():
        if name in emu:
            emu[name][key] = value
    return emu


OFFSET = parse_offset(os.environ.get("COINBOX_PORT_OFFSET"))
PORTS = layout(OFFSET)
EMU = emulators_config(OFFSET)
STORAGE_PORT = PORTS[("storage", "port")]
# Ports Node's fetch refuses (WHATWG "bad ports"): firebase-tools cannot reach an emulator there.
NODE_BAD_PORTS = {
    1,
    7,
    9,
    11,
    13,
    15,
    17,
    19,
    20,
    21,
    22,
    23,
    25,
    37,
    42,
    43,
    53,
    69,
    77,
    79,
    87,
    95,
    101,
    102,
    103,
    104,
    109,
    110,
    111,
    113,
    115,
    117,
    119,
    123,
    135,
    137,
    139,
    143,
    161,
    179,
    389,
    427,
    465,
    512,
    513,
    514,
    515,
    526,
    530,
    531,
    532,
    540,
    548,
    554,
    556,
    563,
    587,
    601,
    636,
    989,
    990,
    993,
    995,
    1719,
    1720,
    1723,
    2049,
    3659,
    4045,
    4190,
    5060,
    5061,
    6000,
    6566,
    6665,
    6666,
    6667,
    6668,
    6669,
    6679,
    6697,
    10080,
}
CONFIG_FILE = ROOT / ("firebase.json" if OFFSET == 0 else f"firebase.offset-{OFFSET}.json")


def port(name: str) -> int:
    return PORTS[(name, "port")]


def _label(svc: tuple[str, str]) -> str:
    name, key = svc
    return name if key == "port" else f"{name} {key.removesuffix('Port')}"


def describe_ports() -> str:
    return ", ".join(f"{_label(svc)} {p}" for svc, p in PORTS.items())


def urls() -> dict[str, str]:
    return {
        "api": f"http://127.0.0.1:{port('hosting')}/v1",
        "hosting": f"http://127.0.0.1:{port('hosting')}",
        "functions": f"http://127.0.0.1:{port('functions')}/{PROJECT}/us-central1",
        "firestore": f"127.0.0.1:{port('firestore')}",
        "auth": f"127.0.0.1:{port('auth')}",
        "tasks": f"127.0.0.1:{port('tasks')}",
        "storage": f"http://127.0.0.1:{STORAGE_PORT}",
    }


def client_env() -> dict[str, str]:
    """What a program needs to talk to the running stack."""
    u = urls()
    return {
        "GCLOUD_PROJECT": PROJECT,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "FIRESTORE_EMULATOR_HOST": u["firestore"],
        "FIREBASE_AUTH_EMULATOR_HOST": u["auth"],
        "CLOUD_TASKS_EMULATOR_HOST": u["tasks"],
        "STORAGE_EMULATOR_HOST": u["storage"],
        "COINBOX_API_BASE": u["api"],
        "COINBOX_FUNCTIONS_BASE": u["functions"],
        "COINBOX_HOSTING_BASE": u["hosting"],
    }


WEB_DIST = ROOT / "web" / "dist"  # the built portal, dashboard and docs (Hosting's public dir)


def write_web_config() -> None:
    """The web app's /coinbox-config.json: the Firebase project and this stack's Auth emulator
    (its port shifts with COINBOX_PORT_OFFSET, so the build cannot know it)."""
    if not WEB_DIST.is_dir():
        print("[stack] web/dist is missing (make setup builds it): no portal at /", flush=True)
        return
    config = {
        "firebase": {"apiKey": "demo-api-key", "authDomain": "127.0.0.1", "projectId": PROJECT},
        "authEmulator": f"http://{urls()['auth']}",
    }
    (WEB_DIST / "coinbox-config.json").write_text(json.dumps(config, indent=2) + "\n")


def stack_env() -> dict[str, str]:
    java_home = STATE / "java-home"
    if not java_home.exists():
        sys.exit("Run scripts/setup.sh first (make setup): Java for firebase-tools is missing.")
    env = dict(os.environ)
    for key in client_env():  # an outer stack's variables (a stack started from a stack test)
        env.pop(key, None)
    env["JAVA_HOME"] = str(java_home)
    env["PATH"] = f"{java_home / 'bin'}:{ROOT / 'node_modules' / '.bin'}:{env.get('PATH', '')}"
    shim = STATE / "firestore-shim.path"
    if shim.exists():
        env["FIRESTORE_EMULATOR_BINARY_PATH"] = shim.read_text().strip()
    env["STORAGE_EMULATOR_HOST"] = urls()["storage"]
    # CORS for the portal follows this stack's Hosting port (config.Settings.portal_origins).
    hosting = port("hosting")
    env["PORTAL_ORIGINS"] = f"http://127.0.0.1:{hosting},http://localhost:{hosting}"
    env.setdefault("FUNCTIONS_DISCOVERY_TIMEOUT", "60")
    env["COINBOX_DISCOVERY_PORT"] = str(discovery_port(OFFSET))
    env["NO_UPDATE_NOTIFIER"] = "1"
    env["COINBOX_SANDBOX"] = "1"
    env["COINBOX_STACK_ID"] = str(OFFSET)  # marks every process of this stack (see stop)
    return env


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError):
        return False


def _port_busy(p: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", p)) == 0


def _our_processes() -> list[int]:
    """Processes this project's stack may have left: found by their command lines."""
    markers = (
        str(ROOT / "node_modules"),
        str(STATE / "firestore-shim.jar"),
        "functions-framework",
        "gcp-storage-emulator",
        "cloud-firestore-emulator",
    )
    mine = {os.getpid(), os.getppid()}
    tag = f"COINBOX_STACK_ID={OFFSET}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if (
            any(m in cmd for m in markers)
            and (str(ROOT) in cmd or cwd.startswith(str(ROOT)))
            and tag in environ.split(b"\0")
        ):
            found.append(int(entry.name))
    return found


def stop_leftovers(quiet: bool = False) -> None:
    pids = _our_processes()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 5
        while time.time() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.1)
        pids = [p for p in pids if Path(f"/proc/{p}").exists()]
        if not pids:
            break
    if pids and not quiet:
        print(f"[stack] could not stop: {pids}", file=sys.stderr)


class Stack:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        STATE.mkdir(exist_ok=True)
        self.log_path = STATE / f"emulators{'-' + str(OFFSET) if OFFSET else ''}.log"

    def start(self) -> None:
        staged = ROOT / "functions" / "coinbox_platform"
        if staged.exists():
            # A predeploy snapshot would shadow shared/ in the functions emulator.
            import shutil

            shutil.rmtree(staged)
            print("[stack] removed functions/coinbox_platform (a predeploy snapshot)", flush=True)
        bad = sorted(p for p in PORTS.values() if p in NODE_BAD_PORTS)
        if bad:
            sys.exit(
                f"[stack] COINBOX_PORT_OFFSET={OFFSET} puts emulators on ports Node refuses "
                f"({bad}); choose another offset."
            )
        print(f"[stack] COINBOX_PORT_OFFSET={OFFSET}: {describe_ports()}", flush=True)
        busy = [svc for svc, p in PORTS.items() if _port_busy(p)]
        if busy:
            stop_leftovers(quiet=True)
            time.sleep(0.5)
            busy = [svc for svc in busy if _port_busy(PORTS[svc])]
            if busy:
                names = ", ".join(f"{_label(svc)} {PORTS[svc]}" for svc in busy)
                sys.exit(
                    f"[stack] ports in use by another program: {names}. Is `make dev` running "
                    "(or another stack on this COINBOX_PORT_OFFSET)?"
                )
        env = stack_env()
        # web/dist is one directory per checkout, served by every stack started from it: a
        # stack that does not serve the portal (COINBOX_STACK_WEB=0, e.g. the side-by-side
        # test's inner stacks) must not point the portal at its own Auth emulator, which
        # dies with it.
        if os.environ.get("COINBOX_STACK_WEB", "1") != "0":
            write_web_config()
        if OFFSET:
            CONFIG_FILE.write_text(json.dumps({**CONFIG, "emulators": EMU}, indent=2))
        log = open(self.log_path, "wb")
        t0 = time.perf_counter()
        self.procs.append(
            subprocess.Popen(
                [
                    str(ROOT / "functions/venv/bin/gcp-storage-emulator"),
                    "start",
                    "--host=127.0.0.1",
                    f"--port={STORAGE_PORT}",
                    "--in-memory",
                    "--default-bucket",
                    f"{PROJECT}.appspot.com",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        self.procs.append(
            subprocess.Popen(
                [
                    str(ROOT / "node_modules/.bin/firebase"),
                    "emulators:start",
                    "--only",
                    ONLY,
                    "--project",
                    PROJECT,
                    "--config",
                    str(CONFIG_FILE),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        health = urls()["api"] + "/health"
        # A shared, overloaded machine can need longer (COINBOX_STACK_READY_S, default 180).
        ready_s = float(os.environ.get("COINBOX_STACK_READY_S", "180"))
        deadline = time.time() + ready_s
        while not _http_ok(health):
            for p in self.procs:
                if p.poll() is not None:
                    self.stop()
                    tail = self.log_path.read_text(errors="replace")[-4000:]
                    sys.exit(f"[stack] an emulator exited early:\n{tail}")
            if time.time() > deadline:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-4000:]
                sys.exit(f"[stack] not ready after {ready_s:.0f} s:\n{tail}")
            time.sleep(0.25)
        self.ready_seconds = time.perf_counter() - t0
        print(f"[stack] ready in {self.ready_seconds:.1f} s (log: {self.log_path})", flush=True)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 10
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        stop_leftovers()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("dev", "exec", "stop", "env", "ports"):
        print(__doc__)
        return 2
    cmd = argv[0]
    if cmd == "stop":
        stop_leftovers()
        return 0
    if cmd == "ports":
        print(describe_ports())
        return 0
    if cmd == "env":
        for k, v in client_env().items():
            print(f"export {k}={v}")
        return 0
    stack = Stack()

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start()
        env = {**os.environ, **client_env(), "PYTHONPATH": str(ROOT)}
        if cmd == "exec":
            command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
            return subprocess.call(command, cwd=ROOT, env=env)
        seeded = subprocess.call([sys.executable, str(ROOT / "scripts/seed.py")], cwd=ROOT, env=env)
        if seeded != 0:
            return seeded
        web = urls()["hosting"]
        print(f"Web (Hosting): portal {web}/developer · dashboard {web}/bulk · docs {web}/docs")
        print("[stack] running; Ctrl-C stops everything.", flush=True)
        while all(p.poll() is None for p in stack.procs):
            time.sleep(1)
        print("[stack] an emulator exited; see", stack.log_path, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
