"""Make the functions emulator give every Python worker a port of its own.

firebase-tools starts each Python worker on `portfinder.getPortPromise({port: 8081 + random})`.
When many workers start at once (a burst of concurrent requests or trigger events spawns one
per event), two can be handed the same free port before either binds it: the second worker's
gunicorn fails with "Address already in use" and the emulator routes that function's requests
to the OTHER function's worker (seen here: webhook deliveries answered by the withdrawal task).
The patch remembers the ports handed out in the emulator process and never hands one out
twice. Idempotent; fails loudly if firebase-tools changed so that the patch no longer applies.
"""

from __future__ import annotations

import sys
from pathlib import Path

TARGET = Path("node_modules/firebase-tools/lib/emulator/functionsEmulator.js")
MARK = "__coinboxWorkerPorts"
ORIGINAL = """    async startPython(backend, envs) {
        const args = ["functions-framework"];
        if (this.debugMode) {
            this.logger.log("WARN", "--inspect-functions not supported for Python functions. Ignored.");
        }
        const port = await portfinder.getPortPromise({
            port: 8081 + (0, utils_1.randomInt)(0, 1000),
        });
"""
PATCHED = """    async startPython(backend, envs) {
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


def main() -> int:
    text = TARGET.read_text()
    if MARK in text:
        return 0
    if ORIGINAL not in text:
        print(
            f"{TARGET}: startPython changed; update scripts/patch_firebase_tools.py",
            file=sys.stderr,
        )
        return 1
    TARGET.write_text(text.replace(ORIGINAL, PATCHED, 1))
    print("patched firebase-tools: one port per Python worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
