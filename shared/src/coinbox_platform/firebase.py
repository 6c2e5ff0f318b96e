"""The instance's firebase_admin app, initialised once (Auth token checks, task queues).

Under the emulators no real credential exists: the app gets an anonymous credential (the Auth
and Cloud Tasks emulators accept any). Elsewhere it uses Application Default Credentials.
"""

from __future__ import annotations

import threading
from typing import Any

_app: Any = None
_lock = threading.Lock()


def app() -> Any:
    """The default firebase_admin App (created on first use; safe from concurrent requests)."""
    global _app
    if _app is not None:
        return _app
    with _lock:
        if _app is None:
            _app = _initialise()
    return _app


def _initialise() -> Any:
    import firebase_admin
    from firebase_admin import credentials

    from coinbox_platform.config import settings

    try:
        return firebase_admin.get_app()
    except ValueError:
        pass
    cred: Any = None
    if settings().firebase_emulated:

        class EmulatorCredential(credentials.Base):  # type: ignore[misc]
            """The emulators need no credential; firebase_admin wants one."""

            def get_credential(self) -> Any:
                from google.auth.credentials import AnonymousCredentials

                return AnonymousCredentials()

        cred = EmulatorCredential()
    return firebase_admin.initialize_app(cred, {"projectId": settings().project_id})
