"""Cloud Storage: the bucket that holds export files.

Locally google-cloud-storage talks to the gcp-storage-emulator named by STORAGE_EMULATOR_HOST
(with no credentials); deployed, it uses the function's service account.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from coinbox_platform.config import settings

if TYPE_CHECKING:
    from google.cloud.storage import Bucket

_bucket: Bucket | None = None
_lock = threading.Lock()


def bucket_name() -> str:
    return settings().exports_bucket


def bucket() -> Bucket:
    global _bucket
    if _bucket is None:
        with _lock:
            if _bucket is None:
                from google.cloud import storage

                if settings().storage_emulated:
                    from google.auth.credentials import AnonymousCredentials

                    client = storage.Client(
                        project=settings().project_id, credentials=AnonymousCredentials()
                    )
                else:
                    client = storage.Client(project=settings().project_id)
                _bucket = client.bucket(bucket_name())
    return _bucket
