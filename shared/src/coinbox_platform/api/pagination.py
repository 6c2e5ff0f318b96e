"""The one way to answer a list endpoint: a service's `store.Listing` paged by cursor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coinbox_platform.api.call import Reply
from coinbox_platform.api.schemas import ListParams
from coinbox_platform.store import Listing


def list_reply(
    listing: Listing,
    params: ListParams,
    to_api: Callable[[str, dict[str, Any]], dict[str, Any]],
) -> Reply:
    """One page of `listing` as `{object: "list", data, hasMore, nextCursor}` (the `Page`
    envelope of api/schemas); `to_api(id, data)` renders one object.

    Which documents are the caller's, and which may serve as the cursor, is the listing's
    rule (written once, in the service that owns the collection)."""
    docs, has_more = listing.page(params.limit, params.starting_after)
    data = [to_api(d.id, d.to_dict() or {}) for d in docs]
    return Reply(
        {
            "object": "list",
            "data": data,
            "hasMore": has_more,
            "nextCursor": data[-1]["id"] if has_more and data else None,
        }
    )
