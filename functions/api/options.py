"""Deployment options shared by the endpoint functions."""

from typing import Any

from firebase_functions import options

HTTP_OPTIONS: dict[str, Any] = {
    "region": "us-central1",
    "memory": options.MemoryOption.MB_512,
    "concurrency": 40,
    "timeout_sec": 60,
    "invoker": "public",
}
