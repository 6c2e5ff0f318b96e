"""Endpoint family `bulk` (see functions/api/bulk.py): bulk operations (docs/product.md §6).

    POST /v1/bulk/loans            ≤ 20 loans                 write:bulk + write:loans
    POST /v1/bulk/investments      ≤ 20 fundings              write:bulk + write:investments
    POST /v1/bulk/crypto-orders    ≤ 20 listings              write:bulk + write:crypto
    POST /v1/bulk/messages         staff: ≤ 50 recipients or one group
                                                              write:bulk + write:messages
    GET  /v1/bulk/templates/{kind} the CSV template of loans, investments or crypto-orders
    GET  /v1/bulk                  the caller's batches, newest first
    GET  /v1/bulk/{batchId}        one batch, to its owner

The body is `{mode, items: [...]}` as JSON, or the same columns as CSV (`Content-Type:
text/csv`, `?mode=` in the query). The body is read here rather than by the pipeline because it
may be CSV; every item is then validated with the single endpoint's request model (LoanCreate,
InvestmentCreate, OrderCreate), so a bulk item is refused exactly when the single request would
be, and CSV and JSON give the same per-item errors. Nothing is written before every item has
been validated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.parsing import MAX_BODY, parse_json
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas.bulk import (
    BulkCryptoOrdersBody,
    BulkInvestmentsBody,
    BulkList,
    BulkListParams,
    BulkLoansBody,
    BulkMessagesBody,
    BulkMode,
    BulkParams,
    BulkResultOut,
    GroupMessageIn,
    MessageItem,
)
from coinbox_platform.api.schemas.crypto import OrderCreate
from coinbox_platform.api.schemas.investments import InvestmentCreate
from coinbox_platform.api.schemas.loans import LoanCreate
from coinbox_platform.bulk import MAX_ITEMS, csvfile, fanout, service
from coinbox_platform.bulk.results import ItemError, errors_of
from coinbox_platform.domain.crypto import OrderRequest
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.errors import (
    CoinboxError,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
    UnprocessableRule,
)
from coinbox_platform.ids import has_prefix

TAGS = ("Bulk",)
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


# ---------------------------------------------------------------- reading the body


def columns_of(model: type[BaseModel]) -> dict[str, type]:
    """The CSV columns of an item model: its aliases; int columns are read as integers."""
    return {
        (f.alias or name): (int if f.annotation is int else str)
        for name, f in model.model_fields.items()
    }


def _example(model: type[BaseModel]) -> dict[str, Any]:
    extra = cast(dict[str, Any], model.model_config.get("json_schema_extra") or {})
    return dict(extra["examples"][0])


TEMPLATES: dict[str, type[BaseModel]] = {
    "loans": LoanCreate,
    "investments": InvestmentCreate,
    "crypto-orders": OrderCreate,
}


def _require_scope(call: Call[Any, Any], scope: str) -> None:
    principal = call.principal
    if principal is not None and not principal.has_scope(scope):
        raise Forbidden(
            f"This API key lacks the scope {scope}.",
            code="insufficient_scope",
            extra={"requiredScope": scope},
        )


def _caller(call: Call[Any, Any]) -> service.Caller:
    assert call.principal is not None
    return service.Caller(call.user, call.principal.key_id, call.request_id)


def _too_many(count: int, limit: int) -> InvalidRequest:
    return InvalidRequest(
        f"At most {limit} items per request; got {count}.",
        code="too_many_items",
        errors=[FieldError("items", f"at most {limit}", "too_many_items")],
    )


def read_body(
    call: Call[BulkParams], columns: dict[str, type], limit: int, *, extra: Sequence[str] = ()
) -> tuple[BulkMode, list[Any] | None, dict[str, Any]]:
    """(mode, raw items, other top-level fields named in `extra`) from a JSON or CSV body."""
    params = call.query
    raw = call.request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise InvalidRequest("The request body is too large.", code="payload_too_large")
    mimetype = (call.request.mimetype or "").lower()
    if mimetype in ("text/csv", "application/csv"):
        return params.mode or BulkMode.INDEPENDENT, csvfile.parse(raw, columns, max_rows=limit), {}
    if mimetype not in ("application/json", "") and not mimetype.endswith("+json"):
        raise InvalidRequest(
            "Send the body as application/json or text/csv.",
            code="unsupported_media_type",
            errors=[FieldError("Content-Type", f"got {mimetype}", "unsupported_media_type")],
        )
    data = parse_json(raw) if raw.strip() else None
    if not isinstance(data, dict):
        raise InvalidRequest(
            "The body must be an object {mode, items: [...]}.",
            errors=[FieldError("body", "an object {mode, items}", "invalid_type")],
        )
    unknown = sorted(set(data) - {"mode", "items", *extra})
    if unknown:
        raise InvalidRequest(
            "The body has unknown fields.",
            errors=[FieldError(k, "unknown field", "extra_forbidden") for k in unknown],
        )
    mode_value = data.get("mode")
    try:
        mode = BulkMode(mode_value) if mode_value is not None else None
    except ValueError:
        raise InvalidRequest(
            "mode must be independent or atomic.",
            errors=[FieldError("mode", "independent or atomic", "enum")],
        ) from None
    if mode is not None and params.mode is not None and mode != params.mode:
        raise InvalidRequest(
            "The query and the body name different modes.",
            errors=[FieldError("mode", "differs from ?mode=", "mode_conflict")],
        )
    items = data.get("items")
    if items is not None and not isinstance(items, list):
        raise InvalidRequest(
            "items must be a list.", errors=[FieldError("items", "a list", "list_type")]
        )
    if items is not None and not items:
        raise InvalidRequest(
            "items is empty.", errors=[FieldError("items", "at least one item", "too_short")]
        )
    if items is not None and len(items) > limit:
        raise _too_many(len(items), limit)
    return (
        mode or params.mode or BulkMode.INDEPENDENT,
        items,
        {k: data[k] for k in extra if k in data},
    )


def _require_items(items: list[Any] | None) -> list[Any]:
    if items is None:
        raise InvalidRequest(
            "items is required.", errors=[FieldError("items", "Field required", "missing")]
        )
    return items


def validate_items(
    raw_items: list[Any], model: type[M], convert: Callable[[M], R]
) -> list[service.Item[R]]:
    """Each item through the single-item model, then into its domain request; errors by item."""
    out: list[service.Item[R]] = []
    for index, raw in enumerate(raw_items):
        try:
            parsed = model.model_validate(raw)
            out.append(service.Item(index, request=convert(parsed)))
        except ValidationError as exc:
            errors = [
                ItemError(".".join(str(p) for p in e["loc"]) or None, e["type"], e["msg"])
                for e in exc.errors()
            ]
            out.append(service.Item(index, errors=errors))
        except CoinboxError as err:
            out.append(service.Item(index, errors=errors_of(err)))
    return out


def _loan_request(body: LoanCreate) -> LoanRequest:
    request = LoanRequest(body.amount, body.interest_rate, body.term_days, body.purpose)
    request.validate()
    return request


def _order_request(body: OrderCreate) -> OrderRequest:
    request = OrderRequest(body.asset, body.side, body.quantity, body.price)
    request.parsed()  # quantity precision and the R10 minimum
    return request


def _reply(outcome: service.BatchResult) -> Reply:
    result = outcome.result
    if not outcome.committed:
        failing = result["errors"]
        raise UnprocessableRule(
            f"Nothing was written: {len({e['index'] for e in failing})} of "
            f"{result['totalItems']} items failed and the batch is atomic.",
            code="batch_failed",
            errors=[
                FieldError(
                    f"items.{e['index']}" + (f".{e['field']}" if e["field"] else ""),
                    e["message"],
                    e["code"],
                )
                for e in failing
            ],
            extra={"batchId": result["batchId"], "batch": result},
        )
    status = 201 if result["status"] == "completed" else 207
    return Reply(result, status=status, headers={"Location": f"/v1/bulk/{result['batchId']}"})


_PARTIAL = ((207, "Some items failed (independent mode): per-item results in `items`."),)


_POST_DESCRIPTION = (
    "Body: `{{mode, items: [...]}}` as JSON, each item what {single} takes; or the same "
    "columns as CSV (`Content-Type: text/csv`, header row first, `?mode=`; template: "
    "GET /v1/bulk/templates/{kind}). At most {limit} items. Every item is validated first; "
    "errors name the item `index` (0-based; CSV data rows count from 0 after the header), "
    "`field`, `code` and `message`. `mode: independent` (default): each item commits on its "
    "own, in order — 201 when all succeeded, **207** with the per-item outcomes when some "
    "failed. `mode: atomic`: every item in one Firestore transaction or none — 201, or 422 "
    "`batch_failed` with the per-item errors (`errors[].field` is `items.<index>.<field>`; "
    "the full result is in `batch`). Needs the API-key scopes `write:bulk` and `{scope}`."
)


# ---------------------------------------------------------------- routes


@TABLE.route(
    "POST",
    "/v1/bulk/loans",
    "bulk",
    summary="Request up to 20 loans",
    scope="write:bulk",
    query=BulkParams,
    response=BulkResultOut,
    status=201,
    errors=(400, 401, 403, 409, 422),
    documented_body=BulkLoansBody,
    body_media=("text/csv",),
    more_statuses=_PARTIAL,
    tags=TAGS,
    description=_POST_DESCRIPTION.format(
        single="POST /v1/loans", kind="loans", limit=MAX_ITEMS["loans"], scope="write:loans"
    ),
    codes=("invalid_csv", "too_many_items", "batch_failed"),
)
def bulk_loans(call: Call[BulkParams]) -> Reply:
    _require_scope(call, "write:loans")
    mode, raw, _ = read_body(call, columns_of(LoanCreate), MAX_ITEMS["loans"])
    items = validate_items(_require_items(raw), LoanCreate, _loan_request)
    return _reply(service.run_loans(_caller(call), mode.value, items, now=call.now))


@TABLE.route(
    "POST",
    "/v1/bulk/investments",
    "bulk",
    summary="Fund up to 20 loans",
    scope="write:bulk",
    query=BulkParams,
    response=BulkResultOut,
    status=201,
    errors=(400, 401, 403, 409, 422),
    documented_body=BulkInvestmentsBody,
    body_media=("text/csv",),
    more_statuses=_PARTIAL,
    tags=TAGS,
    description=_POST_DESCRIPTION.format(
        single="POST /v1/investments",
        kind="investments",
        limit=MAX_ITEMS["investments"],
        scope="write:investments",
    )
    + " Independent mode debits the running balance item by item: a batch costing more than "
    "the balance funds items in order while the money lasts and never overdraws. A loan named "
    "twice is refused (`duplicate_loan`).",
    codes=("invalid_csv", "too_many_items", "batch_failed"),
)
def bulk_investments(call: Call[BulkParams]) -> Reply:
    _require_scope(call, "write:investments")
    mode, raw, _ = read_body(call, columns_of(InvestmentCreate), MAX_ITEMS["investments"])
    items = validate_items(
        _require_items(raw),
        InvestmentCreate,
        lambda b: service.FundingRequest(b.loan_id, b.amount),
    )
    seen: set[str] = set()
    for item in items:
        if item.request is None:
            continue
        if item.request.loan_id in seen:
            item.request = None
            item.errors = [ItemError("loanId", "duplicate_loan", "This loan is named twice.")]
        else:
            seen.add(item.request.loan_id)
    return _reply(service.run_investments(_caller(call), mode.value, items, now=call.now))


@TABLE.route(
    "POST",
    "/v1/bulk/crypto-orders",
    "bulk",
    summary="Post up to 20 crypto listings",
    scope="write:bulk",
    query=BulkParams,
    response=BulkResultOut,
    status=201,
    errors=(400, 401, 403, 409, 422),
    documented_body=BulkCryptoOrdersBody,
    body_media=("text/csv",),
    more_statuses=_PARTIAL,
    tags=TAGS,
    description=_POST_DESCRIPTION.format(
        single="POST /v1/crypto/orders",
        kind="crypto-orders",
        limit=MAX_ITEMS["crypto_orders"],
        scope="write:crypto",
    ),
    codes=("invalid_csv", "too_many_items", "batch_failed"),
)
def bulk_crypto_orders(call: Call[BulkParams]) -> Reply:
    _require_scope(call, "write:crypto")
    mode, raw, _ = read_body(call, columns_of(OrderCreate), MAX_ITEMS["crypto_orders"])
    items = validate_items(_require_items(raw), OrderCreate, _order_request)
    return _reply(service.run_orders(_caller(call), mode.value, items, now=call.now))


_MESSAGE_FIELDS = ("group", "title", "body", "priority")


@TABLE.route(
    "POST",
    "/v1/bulk/messages",
    "bulk",
    summary="Message up to 50 users, or a group",
    auth="staff",
    scope="write:bulk",
    query=BulkParams,
    response=BulkResultOut,
    status=201,
    errors=(400, 401, 403, 409, 422),
    documented_body=BulkMessagesBody,
    body_media=("text/csv",),
    more_statuses=(*_PARTIAL, (202, "A group message: the running batch, delivered in chunks.")),
    tags=TAGS,
    description="Support and admin staff only; API-key scopes `write:bulk` and "
    "`write:messages`. Either explicit recipients — `{mode, items: [{recipient, title, body, "
    "priority}]}` (recipient: a user id or e-mail; at most 50; top-level `title`, `body`, "
    "`priority` are defaults for the items; CSV with those columns works too) — answered like "
    "the other bulk endpoints (201, 207, or 422 in atomic mode). Or one group — `{group, "
    "title, body, priority}` with group `all`, `tier:<basic|ambassador|vip|business>`, "
    "`borrowers` or `investors` — answered **202** with the running batch: the messages fan "
    "out through a task queue in chunks, `progress.delivered` grows while it runs, every "
    "recipient gets the message exactly once, and the batch is `completed` at the end "
    "(`bulk.completed` fires).",
    codes=("invalid_csv", "too_many_items", "batch_failed"),
)
def bulk_messages(call: Call[BulkParams]) -> Reply:
    _require_scope(call, "write:messages")
    mode, raw, top = read_body(
        call, columns_of(MessageItem), MAX_ITEMS["messages"], extra=_MESSAGE_FIELDS
    )
    group = top.pop("group", None)
    if group is not None:
        if raw is not None:
            raise InvalidRequest(
                "Send either items or a group, not both.",
                errors=[FieldError("group", "not together with items", "group_and_items")],
            )
        if mode == BulkMode.ATOMIC:
            raise InvalidRequest(
                "A group message is delivered in chunks; it cannot be atomic.",
                errors=[FieldError("mode", "independent for a group", "invalid_mode")],
            )
        try:
            parsed = GroupMessageIn.model_validate({"group": group, **top})
        except ValidationError as exc:
            raise InvalidRequest(
                "The group message is invalid.",
                errors=[
                    FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"], e["type"])
                    for e in exc.errors()
                ],
            ) from exc
        result = fanout.start(
            _caller(call),
            fanout.GroupMessage(parsed.group, parsed.title, parsed.body, parsed.priority),
            now=call.now,
        )
        return Reply(result, status=202, headers={"Location": f"/v1/bulk/{result['batchId']}"})
    items_raw = [
        {**top, **item} if isinstance(item, dict) else item for item in _require_items(raw)
    ]
    items = validate_items(
        items_raw,
        MessageItem,
        lambda m: service.MessageRequest(m.recipient, m.title, m.body, m.priority),
    )
    return _reply(service.run_messages(_caller(call), mode.value, items, now=call.now))


@TABLE.route(
    "GET",
    "/v1/bulk/templates/{kind}",
    "bulk",
    summary="A CSV template for bulk uploads",
    scope="read:bulk",
    errors=(401, 403, 404),
    tags=TAGS,
    description="`kind` is loans, investments or crypto-orders: the header row and one "
    "example row, as `text/csv`.",
    extra={"responseContentType": "text/csv"},
)
def template(call: Call) -> Reply:
    kind = call.params["kind"]
    model = TEMPLATES.get(kind)
    if model is None:
        raise NotFound(f"No template {kind}; choose loans, investments or crypto-orders.")
    columns = list(columns_of(model))
    return Reply(
        raw=csvfile.template(columns, _example(model)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="coinbox-bulk-{kind}.csv"'},
    )


@TABLE.route(
    "GET",
    "/v1/bulk",
    "bulk",
    summary="Your bulk batches (history)",
    scope="read:bulk",
    query=BulkListParams,
    response=BulkList,
    errors=(400, 401, 403),
    tags=TAGS,
    description="Your batches, newest first; filter by `operation`.",
)
def list_batches(call: Call[BulkListParams]) -> Reply:

    params = call.query
    uid = call.uid
    return list_reply(
        service.owned_batches(uid, params.operation),
        params,
        to_api=lambda i, d: service.BulkBatch.from_doc(i, d).to_api(),
    )


@TABLE.route(
    "GET",
    "/v1/bulk/{batchId}",
    "bulk",
    summary="A bulk batch",
    scope="read:bulk",
    response=BulkResultOut,
    errors=(401, 403, 404),
    tags=TAGS,
    description="The batch's outcome, or its progress while it runs; to its owner only.",
)
def get_batch(call: Call) -> Reply:
    batch_id = call.params["batchId"]
    if not has_prefix(batch_id, "bat"):
        raise NotFound(f"No bulk batch {batch_id}.")
    return Reply(service.get_batch(call.uid, batch_id))
