"""Endpoint family `exports` (see functions/api/exports.py): asynchronous exports of the
caller's data as CSV, JSON or XLSX (docs/product.md §7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas.exports import ExportCreate, ExportListParams, ExportOut
from coinbox_platform.errors import NotFound
from coinbox_platform.exports import service
from coinbox_platform.exports.catalog import TYPES
from coinbox_platform.ids import has_prefix


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        from datetime import UTC

        return value.replace(tzinfo=UTC)
    return value


@TABLE.route(
    "POST",
    "/v1/exports",
    "exports",
    summary="Start an export",
    scope="write:exports",
    body=ExportCreate,
    response=ExportOut,
    status=202,
    errors=(400, 422),
    tags=("Exports",),
    description=(
        "Queues an export of the caller's objects and answers 202 with the export record and a "
        "Location header. Poll GET /v1/exports/{exportId}; when it is completed, download "
        "GET /v1/exports/{exportId}/file within 24 h. Up to 100,000 records; amounts filter "
        "(minAmount/maxAmount) applies to the `amount` column. Columns per type: "
        + "; ".join(f"{t.name}: {', '.join(t.default_fields)}" for t in TYPES.values())
    ),
)
def create(call: Call[None, ExportCreate]) -> Reply:
    body = call.body
    f = body.filters
    spec = service.ExportSpec(
        type=body.type,
        format=body.format,
        fields=body.fields,
        date_from=_utc(f.from_),
        date_to=_utc(f.to),
        status=f.status,
        min_amount=f.min_amount,
        max_amount=f.max_amount,
    )
    assert call.principal is not None
    record = service.create_export(
        call.uid, spec, key_id=call.principal.key_id, request_id=call.request_id, now=call.now
    )
    return Reply(record, status=202, headers={"Location": f"/v1/exports/{record['id']}"})


@TABLE.route(
    "GET",
    "/v1/exports",
    "exports",
    summary="List your exports (history)",
    scope="read:exports",
    query=ExportListParams,
    tags=("Exports",),
)
def list_exports(call: Call[ExportListParams]) -> Reply:
    return list_reply(
        service.owned_exports(call.uid),
        call.query,
        to_api=lambda i, d: service.ExportJob.from_doc(i, d).to_api(),
    )


def _export_id(call: Call[Any, Any]) -> str:
    export_id = call.params["exportId"]
    if not has_prefix(export_id, "exp"):
        raise NotFound(f"No export {export_id}.")
    return export_id


@TABLE.route(
    "GET",
    "/v1/exports/{exportId}",
    "exports",
    summary="An export's status",
    scope="read:exports",
    response=ExportOut,
    tags=("Exports",),
)
def get(call: Call) -> Reply:
    return Reply(service.get_export(call.uid, _export_id(call)))


@TABLE.route(
    "GET",
    "/v1/exports/{exportId}/file",
    "exports",
    summary="Download an export's file",
    scope="read:exports",
    errors=(409, 410),
    tags=("Exports",),
    description="The file, to its owner, until it expires (410 after). 409 while not completed.",
    extra={"binary": True},
    codes=("export_not_ready", "export_expired"),
)
def download(call: Call) -> Reply:
    dl = service.open_download(call.uid, _export_id(call), now=call.now)
    name = dl.record["fileName"]
    return Reply(
        stream=dl.chunks,
        content_type=dl.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-SHA256": dl.record["sha256"],
            "Content-Length": str(dl.record["bytes"]),
        },
    )
