"""Bases of the resource classes (`client.loans`, …) and helpers they share."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from coinbox import errors

if TYPE_CHECKING:
    from coinbox._base import AsyncClient, SyncClient


class SyncResource:
    def __init__(self, client: SyncClient) -> None:
        self._client = client


class AsyncResource:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client


def seg(value: str) -> str:
    """One path segment, escaped."""
    return quote(str(value), safe="")


def body(**fields: Any) -> dict[str, Any]:
    """A JSON body of the fields that were given (None means not sent)."""
    return {k: v for k, v in fields.items() if v is not None}


def params(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def read_file(file: str | Path | bytes) -> bytes:
    return file if isinstance(file, bytes) else Path(file).read_bytes()


def check_sha256(content: bytes, expected: str | None, export_id: str) -> None:
    """Raise ExportError unless the file's sha256 is the one recorded for the export."""
    actual = hashlib.sha256(content).hexdigest()
    if not expected or actual != expected:
        raise errors.ExportError(
            f"The file of export {export_id} has sha256 {actual}; the export records "
            f"{expected or 'none'}."
        )


def export_done(record: Any) -> bool:
    """True when the export finished; raises ExportError when it failed or expired."""
    status = str(getattr(record.status, "value", record.status))
    if status in ("failed", "expired"):
        raise errors.ExportError(f"Export {record.id} {status}: {record.error or 'no detail'}.")
    return status == "completed"


def filters_of(filters: Mapping[str, Any] | None, **named: Any) -> dict[str, Any] | None:
    given = {**(filters or {}), **named}
    out = {k: v for k, v in given.items() if v is not None}
    return {k: getattr(v, "isoformat", lambda v=v: v)() for k, v in out.items()} or None
