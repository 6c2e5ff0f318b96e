"""The one way to answer a list endpoint: a Firestore query paged by cursor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coinbox_platform import store
from coinbox_platform.api.call import Reply
from coinbox_platform.api.schemas import ListParams


def list_reply(
    query: Any,
    params: ListParams,
    *,
    collection: str,
    to_api: Callable[[str, dict[str, Any]], dict[str, Any]],
    owner_check: Callable[[dict[str, Any]], bool] | None = None,
    order_field: str = "createdAt",
    descending: bool = True,
) -> Reply:
    """Page `query` (newest first by default) and render `{object, data, hasMore, nextCursor}`.

    `owner_check` says whether the cursor document belongs to this list (so a cursor cannot
    probe other users' objects); `to_api(id, data)` renders one object.
    """
    docs, has_more = store.page_query(
        query,
        collection=collection,
        limit=params.limit,
        starting_after=params.starting_after,
        order_field=order_field,
        descending=descending,
        owner_check=owner_check,
    )
    data = [to_api(d.id, d.to_dict() or {}) for d in docs]
    return Reply(
        {
            "object": "list",
            "data": data,
            "hasMore": has_more,
            "nextCursor": data[-1]["id"] if has_more and data else None,
        }
    )
