"""Three fixes to the functions emulator's Python code paths, applied after `npm ci`.

1. Give every Python worker a port of its own.

firebase-tools starts each Python worker on `portfinder.getPortPromise({port: 8081 + random})`.
When many workers start at once (a burst of concurrent requests or trigger events spawns one
per event), two can be handed the same free port before either binds it: the second worker's
gunicorn fails with "Address already in use" and the emulator routes that function's requests
to the OTHER function's worker (seen here: webhook deliveries answered by the withdrawal task).
The patch remembers the ports handed out in the emulator process and never hands one out
twice.

2. Send each request to a worker on a fresh connection. Node 20's global HTTP agent keeps
connections alive for 5 s; the worker's gunicorn closes an idle one after 2 s. A request sent
on a connection the worker is closing at that moment fails with "socket hang up", and the
emulator answers 500 and kills the worker (seen under bursts of concurrent requests, when the
loaded event loop reads the close late). A local connection per request costs microseconds.

3. Discover a stack's functions on a port of its own. To read the functions' definitions,
firebase-tools serves the Python code on the first free port from 8081 (an admin server it
stops afterwards). Two stacks starting at the same moment (tests/api/test_side_by_side.py) both
found 8081 free; the second's server failed with "Address already in use" and its functions
never loaded ("User code failed to load ... Timeout after 60000"). scripts/stack.py names a
port inside the stack's own port block in COINBOX_DISCOVERY_PORT; the search starts there.

Idempotent; fails loudly if firebase-tools changed so that a patch no longer applies.
"""

from __future__ import annotations

import sys
from pathlib import Path

TARGET = Path("node_modules/firebase-tools/lib/emulator/functionsEmulator.js")
PYTHON_RUNTIME = Path("node_modules/firebase-tools/lib/deploy/functions/runtimes/python/index.js")
MARK = "__coinboxWorkerPorts"
ORIGINAL_PORT = """    async startPython(backend, envs) {
        const args = ["functions-framework"];
        if (this.debugMode) {
            this.logger.log("WARN", "--inspect-functions not supported for Python functions. Ignored.");
        }
        const port = await portfinder.getPortPromise({
            port: 8081 + (0, utils_1.randomInt)(0, 1000),
        });
"""
PATCHED_PORT = """    async startPython(backend, envs) {
        const args = ["functions-framework"];
        if (this.debugMode) {
            this.logger.log("WARN", "--inspect-functions not supported for Python functions. Ignored.");
        }
        // Patched by scripts/patch_firebase_tools.py: never hand one port to two workers.
        const handedOut = (globalThis.__coinboxWorkerPorts ??= new Set());
        let port;
        do {
            port = await portfinder.getPortPromise({
                port: 8081 + (0, utils_1.randomInt)(0, 1000),
            });
        } while (handedOut.has(port));
        handedOut.add(port);
"""


CONN_MARK = "Patched by scripts/patch_firebase_tools.py: a fresh connection"
ORIGINAL_CONN = """    httpReqOpts() {
        return {
            host: this.host,
            port: this.port,
        };
    }
"""
PATCHED_CONN = """    httpReqOpts() {
        // Patched by scripts/patch_firebase_tools.py: a fresh connection per request.
        return {
            host: this.host,
            port: this.port,
            agent: false,
        };
    }
"""
DISCOVERY_MARK = "Patched by scripts/patch_firebase_tools.py: the stack's discovery port"
ORIGINAL_DISCOVERY = """            const adminPort = await portfinder.getPortPromise({
                port: 8081,
            });
"""
PATCHED_DISCOVERY = """            // Patched by scripts/patch_firebase_tools.py: the stack's discovery port.
            const adminPort = await portfinder.getPortPromise({
                port: Number(process.env.COINBOX_DISCOVERY_PORT) || 8081,
            });
"""
PATCHES = [
    (TARGET, "one port per Python worker", MARK, ORIGINAL_PORT, PATCHED_PORT),
    (TARGET, "a fresh connection per worker request", CONN_MARK, ORIGINAL_CONN, PATCHED_CONN),
    (
        PYTHON_RUNTIME,
        "a discovery port per stack",
        DISCOVERY_MARK,
        ORIGINAL_DISCOVERY,
        PATCHED_DISCOVERY,
    ),
]


def main() -> int:
    for target in dict.fromkeys(p[0] for p in PATCHES):
        text = target.read_text()
        for path, name, mark, original, patched in PATCHES:
            if path != target or mark in text:
                continue
            if original not in text:
                print(f"{target}: cannot apply '{name}'; update {__file__}", file=sys.stderr)
                return 1
            text = text.replace(original, patched, 1)
            print(f"patched firebase-tools: {name}")
        target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
