"""Endpoint family `transactions` (functions/api/transactions.py): the caller's ledger.

    GET /v1/transactions        newest first; filters type, status, asset, from/to (createdAt)
    GET /v1/transactions/{id}   one entry; another user's is a 404

Every query is `userId == caller` plus the chosen equality filters, ordered by createdAt
(descending) with an optional createdAt range: `index_fields` names the composite index each
needs, and firestore.indexes.json holds one per combination of filters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas import ListParams, Page
from coinbox_platform.api.schemas.transactions import LedgerAsset, Transaction
from coinbox_platform.domain.ledger import entries, owned_entry
from coinbox_platform.domain.models import LedgerEntry, LedgerStatus, LedgerType

EQUALITY_FILTERS = ("type", "status", "asset")  # in the order of the index fields


class TransactionList(Page[Transaction]):
    pass


class TransactionQuery(ListParams):
    type: LedgerType | None = Field(None, description="Only entries of this type.")
    status: LedgerStatus | None = Field(None, description="Only entries in this status.")
    asset: LedgerAsset | None = Field(None, description="Only entries of this asset.")
    from_: datetime | None = Field(
        None,
        alias="from",
        description="Only entries created at or after this time (ISO 8601; UTC if no offset).",
    )
    to: datetime | None = Field(
        None, description="Only entries created before this time (ISO 8601; UTC if no offset)."
    )

    @field_validator("from_", "to")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TransactionQuery:
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise ValueError("`from` must be earlier than `to`")
        return self


def index_fields(query: TransactionQuery) -> list[tuple[str, str]]:
    """The composite index (field, ASCENDING|DESCENDING) that the list query needs."""
    fields = [("userId", "ASCENDING")]
    fields += [(name, "ASCENDING") for name in EQUALITY_FILTERS if getattr(query, name)]
    return [*fields, ("createdAt", "DESCENDING")]


def _render(doc_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return LedgerEntry.from_doc(doc_id, data).to_api()


@TABLE.route(
    "GET",
    "/v1/transactions",
    "transactions",
    summary="List the caller's ledger entries",
    scope="read:transactions",
    query=TransactionQuery,
    response=TransactionList,
    errors=(400, 401, 403),
    tags=("Transactions",),
    description=(
        "Newest first. Filters combine (AND). Page with `limit` and `startingAfter` "
        "(the `nextCursor` of the previous page)."
    ),
)
def list_transactions(call: Call[TransactionQuery]) -> Reply:
    params = call.query
    listing = entries(
        call.uid,
        type=params.type,
        status=params.status,
        asset=params.asset,
        created_from=params.from_,
        created_before=params.to,
    )
    return list_reply(listing, params, to_api=_render)


@TABLE.route(
    "GET",
    "/v1/transactions/{transactionId}",
    "transactions",
    summary="Get one of the caller's ledger entries",
    scope="read:transactions",
    response=Transaction,
    errors=(401, 403, 404),
    tags=("Transactions",),
)
def get_transaction(call: Call) -> Reply:
    return Reply(owned_entry(call.uid, call.params["transactionId"]).to_api())
