"""Exports at the API boundary: the request model of a new export (type, format, filters,
columns) and the export job as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from coinbox_platform.api.schemas import ApiModel, ListParams

_EXAMPLE: dict[str, Any] = {
    "id": "exp_4fGh7JkL9mN2pQ5rS8tV1wXy",
    "object": "export",
    "type": "transactions",
    "format": "xlsx",
    "fields": ["id", "type", "amount", "createdAt"],
    "filters": {"from": "2026-01-01T00:00:00.000Z", "status": "completed"},
    "status": "completed",
    "recordCount": 1250,
    "totalRecords": 1250,
    "bytes": 48213,
    "sha256": "9f2b…",
    "fileName": "coinbox-transactions-20260102-100000.xlsx",
    "error": None,
    "createdAt": "2026-01-02T10:00:00.000Z",
    "startedAt": "2026-01-02T10:00:01.000Z",
    "completedAt": "2026-01-02T10:00:03.000Z",
    "expiresAt": "2026-01-03T10:00:03.000Z",
}


class ExportFilters(ApiModel):
    from_: datetime | None = Field(None, alias="from", description="createdAt ≥ from (ISO 8601).")
    to: datetime | None = Field(None, description="createdAt < to (ISO 8601).")
    status: str | None = Field(None, max_length=32, description="Only objects in this status.")
    min_amount: int | None = Field(None, ge=0, le=10**12, description="amount ≥ (cents).")
    max_amount: int | None = Field(None, ge=0, le=10**12, description="amount ≤ (cents).")


class ExportCreate(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "transactions",
                    "format": "xlsx",
                    "filters": {"from": "2026-01-01T00:00:00Z", "status": "completed"},
                    "fields": ["id", "type", "amount", "createdAt"],
                }
            ]
        }
    )

    type: Literal["loans", "investments", "transactions", "crypto_orders", "api_requests"]
    format: Literal["csv", "json", "xlsx"] = "csv"
    filters: ExportFilters = Field(default_factory=ExportFilters)
    fields: list[str] = Field(
        default_factory=list,
        max_length=40,
        description="Columns to write, in order; empty means every column of the type.",
    )


class ExportOut(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: str
    object: str = "export"
    type: str
    format: str
    fields: list[str]
    filters: dict[str, Any]
    status: Literal["queued", "running", "completed", "failed", "expired"]
    record_count: int | None = Field(None, description="Rows written (progress while running).")
    total_records: int | None = Field(None, description="Rows matching, counted at the start.")
    bytes: int | None = None
    sha256: str | None = None
    file_name: str | None = None
    error: str | None = None
    created_at: str
    started_at: str | None = None
    completed_at: str | None = None
    expires_at: str | None = Field(None, description="When the file is deleted (24 h).")


class ExportListParams(ListParams):
    pass
