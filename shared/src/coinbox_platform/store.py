"""Firestore access: the client, collection names, transactions with retry, one way to page.

The client is created lazily (importing this module costs nothing) and reused by every request
of an instance. With FIRESTORE_EMULATOR_HOST set, google-cloud-firestore talks to the emulator
with no credentials.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from coinbox_platform.config import settings
from coinbox_platform.errors import ServiceUnavailable

if TYPE_CHECKING:
    from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot, Transaction

T = TypeVar("T")

USERS = "users"
WALLETS = "wallets"
TRANSACTIONS = "transactions"
LOANS = "loans"
INVESTMENTS = "investments"
CRYPTO_ORDERS = "cryptoOrders"
NOTIFICATIONS = "notifications"
IDEMPOTENCY = "idempotencyKeys"
HEALTH = "health"

_client: Client | None = None


def db() -> Client:
    """The instance's Firestore client."""
    global _client
    if _client is None:
        from google.cloud import firestore

        _client = firestore.Client(project=settings().project_id)
    return _client


def run_transaction(fn: Callable[[Transaction], T], *, attempts: int = 16) -> T:
    """Run `fn(transaction)` in a Firestore transaction, retrying contention with backoff.

    `fn` must do all its reads before its writes and may run more than once. Domain errors
    raised by `fn` propagate at once (nothing was written). Contention that outlasts every
    attempt becomes a 503 the caller may retry.

    Retried: Aborted (contention) at any point, and DeadlineExceeded while `fn` was still
    reading (a lock wait that outlasted the call). Never a DeadlineExceeded of the commit itself:
    that commit may have been applied, and a rerun would apply it again with new ledger ids.
    Never AlreadyExists: creating an existing document stays an error.
    """
    from google.api_core import exceptions as gexc
    from google.cloud import firestore

    client = db()
    last: Exception | None = None
    for attempt in range(attempts):
        txn = client.transaction(max_attempts=1)
        committing = False

        def body(t: Transaction) -> T:
            nonlocal committing
            out = fn(t)
            committing = True  # the wrapper commits right after fn returns
            return out

        try:
            result: T = firestore.transactional(body)(txn)
            return result
        except gexc.Aborted as exc:
            last = exc
        except gexc.DeadlineExceeded as exc:
            if committing:
                raise
            last = exc
        except ValueError as exc:  # "Failed to commit transaction in 1 attempts."
            if not isinstance(exc.__cause__, gexc.Aborted):
                raise
            last = exc
        # Full jitter: spreads contending writers apart.
        time.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))
    raise ServiceUnavailable(
        "The data store is busy; retry the request.", headers={"Retry-After": "1"}
    ) from last


def get_all(
    refs: Sequence[DocumentReference], transaction: Transaction | None = None
) -> dict[str, DocumentSnapshot]:
    """Read many documents in one round trip; keyed by document path."""
    if not refs:
        return {}
    snaps = db().get_all(list(refs), transaction=transaction)
    return {snap.reference.path: snap for snap in snaps}


def page_query(
    query: Any,
    *,
    collection: str,
    limit: int,
    starting_after: str | None,
    order_field: str = "createdAt",
    descending: bool = True,
    owner_check: Callable[[dict[str, Any]], bool] | None = None,
) -> tuple[list[DocumentSnapshot], bool]:
    """Cursor pagination: order by (order_field, __name__), start after the cursor document.

    The cursor is a document id of the same collection; one that does not exist (or that the
    caller may not see, per owner_check) is an invalid_request rather than a silent restart.
    Fetches limit+1 to know whether there is more.
    """
    from google.cloud import firestore

    from coinbox_platform.errors import FieldError, InvalidRequest

    direction = firestore.Query.DESCENDING if descending else firestore.Query.ASCENDING
    q = query.order_by(order_field, direction=direction).order_by("__name__", direction=direction)
    if starting_after:
        snap = db().collection(collection).document(starting_after).get()
        if not snap.exists or (owner_check is not None and not owner_check(snap.to_dict() or {})):
            raise InvalidRequest(
                "startingAfter does not name an object of this list.",
                errors=[FieldError("startingAfter", "unknown cursor", "invalid_cursor")],
            )
        q = q.start_after(snap)
    docs = list(q.limit(limit + 1).stream())
    return docs[:limit], len(docs) > limit


def chunked(items: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
