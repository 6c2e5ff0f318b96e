"""Reading a request and writing JSON: path ids, query strings, JSON bodies (bounded in size
and depth) and pydantic validation into 400 problems with field errors. Used by the pipeline
(api/app.py) and by handlers that read their own body (CSV uploads)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from coinbox_platform.errors import FieldError, InvalidRequest, NotFound

if TYPE_CHECKING:
    from flask import Request

MAX_BODY = 1_000_000
MAX_JSON_DEPTH = 32  # arrays and objects nested deeper than this are refused (400)
# A path id is ours only if it could be: 1-128 of [A-Za-z0-9_-], and never a name Firestore
# reserves (__name__, __x__); anything else is a 404 before any Firestore call.
PATH_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
RESERVED_ID = re.compile(r"^__.*__$")

# What a family calls the object a path parameter names: a refused id gets the same answer as
# an unknown one ("No transaction __name__.").
NOT_FOUND_LABELS = {
    "loanId": "loan",
    "investmentId": "investment",
    "transactionId": "transaction",
    "orderId": "order",
    "messageId": "message",
    "webhookId": "webhook endpoint",
    "deliveryId": "delivery",
    "keyId": "API key",
    "exportId": "export",
    "batchId": "bulk batch",
    "eventId": "event",
    "uid": "user",
    "asset": "asset",
}


def check_path_ids(params: dict[str, str], path: str) -> None:
    """Every path parameter must be an id we could have issued (404 otherwise, worded as for
    an unknown id), so a reserved or malformed name never reaches Firestore."""
    for name, value in params.items():
        if not PATH_ID.match(value) or RESERVED_ID.match(value):
            if name == "kind":
                raise NotFound(f"No template {value}; choose loans, investments or crypto-orders.")
            raise NotFound(f"No {NOT_FOUND_LABELS.get(name, 'object')} {value}.")


def _json_depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def parse_json(raw: bytes) -> Any:
    """The JSON of a request body, or 400 invalid_json: malformed, or nested deeper than
    MAX_JSON_DEPTH (a deeply nested body must never reach a recursive parser or validator)."""
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise _too_deep() from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(
            "The request body is not valid JSON.",
            code="invalid_json",
            errors=[FieldError("body", str(exc)[:200], "invalid_json")],
        ) from exc
    if not _json_depth_ok(data, MAX_JSON_DEPTH):
        raise _too_deep()
    return data


def _too_deep() -> InvalidRequest:
    return InvalidRequest(
        f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.",
        code="invalid_json",
        errors=[FieldError("body", f"at most {MAX_JSON_DEPTH} levels of nesting", "too_deep")],
    )


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def validation_errors(exc: ValidationError, location: str) -> list[FieldError]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or location
        out.append(FieldError(loc, e["msg"], e["type"]))
    return out


def parse_model(model: type[BaseModel], data: Any, location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(
            f"The request {location} is invalid.", errors=validation_errors(exc, location)
        ) from exc


def read_json_body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise InvalidRequest("The request body is too large.", code="payload_too_large")
    if not raw.strip():
        return {}
    mimetype = request.mimetype or ""
    if mimetype not in ("application/json", "") and not mimetype.endswith("+json"):
        raise InvalidRequest(
            "Send the body as application/json.",
            code="unsupported_media_type",
            errors=[FieldError("Content-Type", f"got {mimetype}", "unsupported_media_type")],
        )
    return parse_json(raw)


def query_dict(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out
