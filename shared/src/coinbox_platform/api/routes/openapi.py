"""GET /v1/openapi.json: the OpenAPI 3.1 document of every route (see api/openapi.py)."""

from __future__ import annotations

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.parsing import json_bytes
from coinbox_platform.api.routing import TABLE

_document: bytes | None = None  # built once per instance: the route table never changes


def document_bytes() -> bytes:
    global _document
    if _document is None:
        from coinbox_platform.api.openapi import build_document

        _document = json_bytes(build_document())
    return _document


@TABLE.route(
    "GET",
    "/v1/openapi.json",
    "openapi",
    summary="The OpenAPI 3.1 document of this API",
    auth="none",
    tags=("Meta",),
    description="Generated from the route table and the request and response models.",
)
def openapi_document(call: Call) -> Reply:
    return Reply(raw=document_bytes(), content_type="application/json")
