"""Request and response models: validation at the boundary and the OpenAPI document's schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from coinbox_platform.domain.models import Document

T = TypeVar("T")


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Health(ApiModel):
    status: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])


class TierLimitsOut(ApiModel):
    loan_limit: int
    investment_limit: int
    crypto_max_per_trade: int | None
    crypto_weekly_volume: int | None
    max_open_crypto_orders: int | None
    api_tier: str


class Usage(ApiModel):
    active_invested: int
    crypto_weekly_volume: int
    open_crypto_orders: int


class Me(ApiModel):
    id: str
    object: str = "user"
    email: str | None
    display_name: str | None
    role: str
    membership_tier: str
    kyc_status: str
    kyc_reason: str | None
    created_at: str
    updated_at: str | None
    limits: TierLimitsOut
    usage: Usage


class ListParams(ApiModel):
    """Cursor pagination: `?limit=` (1–100, default 20) and `?startingAfter=<id>`."""

    limit: int = Field(20, ge=1, le=100, description="How many objects to return (1–100).")
    starting_after: str | None = Field(
        None,
        max_length=64,
        # Ids are base62 with a prefix; anything else (Firestore's reserved "__x__" ids
        # included) is refused here rather than reaching the database.
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
        description="An object id from the previous page; the page starts after it.",
    )


class Page(ApiModel, Generic[T]):
    """One page of a list: `{object: "list", data, hasMore, nextCursor}`. Each list names its
    page, so the OpenAPI document and the SDKs get a type per list:

        class LoanList(Page[LoanOut]):
            pass

    `nextCursor` is the last object's id when there is more (pass it as `startingAfter`)."""

    object: str = "list"
    data: list[T]
    has_more: bool
    next_cursor: str | None


class ListEnvelope(Page[dict[str, Any]]):
    """Every list response: `{object: "list", data, hasMore, nextCursor}`."""


def shown_as(model: type[ApiModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a stored model's `to_api()`) passed through the API model: checked against the
    documented shape, and only its fields kept."""
    out: dict[str, Any] = model.model_validate(data).model_dump(by_alias=True, mode="json")
    return out


def cursor_after(pattern: str, noun: str) -> Any:
    """The `startingAfter` field of a list of one kind of object: only that kind's ids pass
    (`pattern`), so a malformed cursor is a 400 before any read.

        starting_after: str | None = cursor_after(LOAN_ID_PATTERN, "loan")"""
    article = "An" if noun[:1] in "aeiou" else "A"
    return Field(
        None,
        pattern=pattern,
        description=f"{article} {noun} id from the previous page; the page starts after it.",
    )


def resource_fields(
    stored: type[Document],
    docs: dict[str, FieldInfo | tuple[Any, FieldInfo]],
    example: dict[str, Any] | None = None,
    *,
    hidden: tuple[str, ...] = (),
) -> type[ApiModel]:
    """The fields of a resource as the API shows it, from its stored model (domain/models.py):
    `id`, `object`, then every stored field in its order and with its type, each required
    (a response always carries every key), documented by `docs` (a `Field(description=…,
    examples=…)` per field name). The API model subclasses it and adds its docstring:

        class LoanOut(resource_fields(Loan, LOAN_DOCS, _LOAN_EXAMPLE)):
            \"\"\"A loan as the API shows it.\"\"\"

    Where the API shows a stored value in another type (a crypto quantity stored in atoms is
    a decimal string; a time may be shown as its ISO string), `docs` gives `(type, Field(…))`
    for it; `hidden` names stored fields the API never shows; `id` and `object` may be
    documented the same way. `example` is the whole object's example (optional).

    So a field added to the stored model is in the API model, the OpenAPI document and the
    webhook payload (webhooks/catalog.py reads the stored model) at once."""
    stored_fields = {n: i for n, i in stored.model_fields.items() if n not in hidden}
    unknown = (set(docs) - set(stored_fields) - {"id", "object"}) | (
        set(hidden) - set(stored.model_fields)
    )
    if unknown:
        raise ValueError(f"{stored.__name__} has no fields {sorted(unknown)}")
    kind = stored.object_name

    def field(name: str, annotation: Any, default: FieldInfo | Any) -> tuple[Any, Any]:
        doc = docs.get(name)
        if isinstance(doc, tuple):
            return doc
        return (annotation, doc if doc is not None else default)

    fields: dict[str, Any] = {
        "id": field("id", str, Field(examples=[example["id"]] if example else None)),
        "object": field("object", str, Field(kind, examples=[kind])),
    }
    for name, info in stored_fields.items():
        if name != "id":
            fields[name] = field(name, info.annotation, ...)
    config = ConfigDict(json_schema_extra={"examples": [example]}) if example else ConfigDict()
    base = type(f"{stored.__name__}Fields", (ApiModel,), {"model_config": config})
    return create_model(f"{stored.__name__}Fields", __base__=base, **fields)
