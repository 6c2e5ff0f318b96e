"""Write a shim jar that starts the preinstalled Cloud Firestore emulator with `java -jar`.

firebase-tools launches the Firestore emulator as `java -jar <jar>`; the jar Debian ships has no
Main-Class. The shim is a zip holding only a manifest with the main class and a relative
Class-Path to the real jar. Rewritten only when its content would change.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile

MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"


def shim_bytes(target_jar: str, shim_path: str) -> bytes:
    rel = os.path.relpath(target_jar, os.path.dirname(os.path.abspath(shim_path)))
    manifest = f"Manifest-Version: 1.0\r\nMain-Class: {MAIN_CLASS}\r\nClass-Path: {rel}\r\n\r\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(2020, 1, 1, 0, 0, 0))
        zf.writestr(info, manifest)
    return buf.getvalue()


def main() -> None:
    target, shim = sys.argv[1], sys.argv[2]
    data = shim_bytes(target, shim)
    if os.path.exists(shim) and open(shim, "rb").read() == data:
        return
    with open(shim, "wb") as fh:
        fh.write(data)


if __name__ == "__main__":
    main()
