"""Endpoint family `transactions` (functions/api/transactions.py): the caller's ledger.

    GET /v1/transactions        newest first; filters type, status, asset, from/to (createdAt)
    GET /v1/transactions/{id}   one entry; another user's is a 404

Every query is `userId == caller` plus the chosen equality filters, ordered by createdAt
(descending) with an optional createdAt range: `index_fields` names the composite index each
needs, and firestore.indexes.json holds one per combination of filters.
"""

from __future__ import annotations

from typing import Any

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.pagination import list_reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas.transactions import Transaction, TransactionList, TransactionQuery
from coinbox_platform.domain.ledger import entries, owned_entry
from coinbox_platform.domain.models import LedgerEntry

EQUALITY_FILTERS = ("type", "status", "asset")  # in the order of the index fields


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
