"""Firestore access: the client, collection names, transactions with retry, one way to page.

The client is created lazily (importing this module costs nothing) and reused by every request
of an instance. With FIRESTORE_EMULATOR_HOST set, google-cloud-firestore talks to the emulator
with no credentials.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
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
USER_QUOTAS = "userQuotas"  # one document per user: what makes a per-user cap atomic

_client: Client | None = None


def db() -> Client:
    """The instance's Firestore client."""
    global _client
    if _client is None:
        from google.cloud import firestore

        _client = firestore.Client(project=settings().project_id)
    if _counter is not None:
        _instrument(_client)
    return _client


# --- operation counting (benchmarks: scripts/bench.py) --------------------------------------


@dataclass
class StoreOps:
    """Firestore operations as billed: documents read (lookups and query results, at least
    one per query), documents written (every write of a commit or batch write), plus the
    round trips that carried them."""

    reads: int = 0
    writes: int = 0
    queries: int = 0
    commits: int = 0
    transactions: int = 0

    def copy(self) -> StoreOps:
        return StoreOps(self.reads, self.writes, self.queries, self.commits, self.transactions)

    def minus(self, other: StoreOps) -> StoreOps:
        return StoreOps(
            self.reads - other.reads,
            self.writes - other.writes,
            self.queries - other.queries,
            self.commits - other.commits,
            self.transactions - other.transactions,
        )


_counter: StoreOps | None = None
_counter_lock = threading.Lock()


def _bump(**kw: int) -> None:
    c = _counter
    if c is None:
        return
    with _counter_lock:
        for name, n in kw.items():
            setattr(c, name, getattr(c, name) + n)


def _instrument(client: Any) -> None:
    """Wrap the client's RPC stub (once) so that every call is counted while counting is on.
    Counting happens at the RPC, so it sees what the code path really sends, transactions,
    queries and background flushes included."""
    api = client._firestore_api
    if getattr(api, "_coinbox_counted", False):
        return

    def streamed(name: str, found: Callable[[Any], int], query: bool) -> None:
        inner = getattr(api, name)

        def call(*a: Any, **kw: Any) -> Iterator[Any]:
            n = 0
            for resp in inner(*a, **kw):
                k = found(resp)
                n += k
                _bump(reads=k)
                yield resp
            if query:
                _bump(queries=1, reads=0 if n else 1)  # an empty query bills one read

        setattr(api, name, call)

    def unary(name: str, count: Callable[[Any, dict[str, Any]], dict[str, int]]) -> None:
        inner = getattr(api, name)

        def call(*a: Any, **kw: Any) -> Any:
            _bump(**count(a, kw))
            return inner(*a, **kw)

        setattr(api, name, call)

    def writes_of(a: Any, kw: dict[str, Any]) -> int:
        req = kw.get("request") or (a[0] if a else {})
        writes = req.get("writes") if isinstance(req, dict) else getattr(req, "writes", ())
        return len(writes or ())

    # A lookup is billed whether or not the document exists.
    streamed("batch_get_documents", lambda r: 1 if r.found or r.missing else 0, False)
    streamed("run_query", lambda r: 1 if getattr(r, "document", None) else 0, True)
    unary("commit", lambda a, kw: {"commits": 1, "writes": writes_of(a, kw)})
    unary("batch_write", lambda a, kw: {"commits": 1, "writes": writes_of(a, kw)})
    unary("begin_transaction", lambda a, kw: {"transactions": 1})
    api._coinbox_counted = True


@contextmanager
def counting() -> Iterator[StoreOps]:
    """Count this process's Firestore operations while the block runs (benchmarks only: the
    counter is process-wide, so run the measured code alone). Yields the live counter."""
    global _counter
    _counter = StoreOps()
    if _client is not None:
        _instrument(_client)
    try:
        yield _counter
    finally:
        _counter = None


def run_transaction(fn: Callable[[Transaction], T], *, attempts: int = 16) -> T:
    """Run `fn(transaction)` in a Firestore transaction, retrying contention with backoff.

    `fn` must do all its reads before its writes and may run more than once. Domain errors
    raised by `fn` propagate at once (nothing was written). Contention that outlasts every
    attempt becomes a 503 the caller may retry.

    Retried: Aborted (contention) at any point, and DeadlineExceeded while `fn` was still
    reading (a lock wait that outlasted the call). Never a DeadlineExceeded of the commit itself:
    that commit may have been applied, and a rerun would apply it again with new ledger ids.
    Never AlreadyExists: creating an existing document stays an error.

    Money moves hold their wallets' gates (coinbox_platform/gates.py): `fn` calls
    `gates.enter(keys)` before its reads; when another caller holds one, the transaction is
    rolled back, this call queues for the gates with no transaction open, and runs `fn` again.
    The gates are given back when this call returns or raises.
    """
    from coinbox_platform import gates

    with gates.Scope(db()) as scope:
        return _run_transaction(fn, attempts, scope)


def _run_transaction(fn: Callable[[Transaction], T], attempts: int, scope: Any) -> T:
    from google.api_core import exceptions as gexc
    from google.cloud import firestore

    from coinbox_platform.gates import GatesBusy

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

        scope.attempt()
        try:
            result: T = firestore.transactional(body)(txn)
            scope.committed()
            return result
        except GatesBusy as busy:
            # Rolled back before any write: queue for the gates, then run again at once.
            scope.wait(busy)
            continue
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


def hold_user_quota(transaction: Transaction, uid: str) -> DocumentReference:
    """Inside `run_transaction`, before counting what a per-user cap limits (API keys,
    webhook endpoints, exports in progress): read the user's quota document, so that two
    parallel creates conflict on it and the cap cannot be passed; the caller writes it back
    (`transaction.set(ref, {...}, merge=True)`) with the create. The quota's gate
    (coinbox_platform/gates.py) queues the parallel creates instead of letting them abort
    each other until the retries run out."""
    from coinbox_platform import gates

    gates.enter([gates.quota_key(uid)])
    ref = db().collection(USER_QUOTAS).document(uid)
    ref.get(transaction=transaction)
    return ref


def get_all(
    refs: Sequence[DocumentReference], transaction: Transaction | None = None
) -> dict[str, DocumentSnapshot]:
    """Read many documents in one round trip; keyed by document path."""
    if not refs:
        return {}
    snaps = db().get_all(list(refs), transaction=transaction)
    return {snap.reference.path: snap for snap in snaps}


@dataclass(frozen=True)
class Where:
    """One condition of a query, as Firestore takes it and as Python checks it."""

    field: str
    op: str  # "==", "array_contains", ">", ">=", "<"
    value: Any

    def holds(self, data: dict[str, Any]) -> bool:
        """Whether a document's data meets it (only the owner ops are needed here)."""
        have = data.get(self.field)
        if self.op == "==":
            return bool(have == self.value)
        if self.op == "array_contains":
            return isinstance(have, list) and self.value in have
        raise ValueError(f"no Python check for {self.op!r}")


@dataclass(frozen=True)
class Listing:
    """One list a caller may page through: the documents of `collection` that belong to the
    caller, narrowed by optional filters, newest first.

    `owner` is the list's access rule, stated once: its conditions are the query's first
    filters, and the cursor document (`startingAfter`) must meet them too, so a cursor
    cannot probe documents outside the caller's list. `filters` only narrow the page (a
    cursor that has since left a status filter still pages on). A public list has no owner
    and says in `cursor_rule` which documents may serve as its cursor.
    """

    collection: str
    owner: tuple[Where, ...]
    filters: tuple[Where, ...] = ()
    order_field: str = "createdAt"
    descending: bool = True
    cursor_rule: Callable[[dict[str, Any]], bool] | None = None

    def where(self, field: str, op: str, value: Any) -> Listing:
        """This listing narrowed by one more filter; a None value adds nothing (an absent
        query parameter)."""
        if value is None:
            return self
        if isinstance(value, Enum):
            value = value.value
        return replace(self, filters=(*self.filters, Where(field, op, value)))

    def admits(self, data: dict[str, Any]) -> bool:
        """May this document serve as the cursor?"""
        if self.cursor_rule is not None and not self.cursor_rule(data):
            return False
        return all(w.holds(data) for w in self.owner)

    def page(self, limit: int, starting_after: str | None) -> tuple[list[DocumentSnapshot], bool]:
        """Cursor pagination: order by (order_field, __name__), start after the cursor.

        The cursor is a document id of the same collection; one that does not exist (or that
        is not in this list, per `admits`) is an invalid_request rather than a silent restart.
        Fetches limit+1 to know whether there is more.
        """
        from google.cloud import firestore

        from coinbox_platform.errors import FieldError, InvalidRequest

        q: Any = db().collection(self.collection)
        for w in (*self.owner, *self.filters):
            q = q.where(filter=firestore.FieldFilter(w.field, w.op, w.value))
        direction = firestore.Query.DESCENDING if self.descending else firestore.Query.ASCENDING
        q = q.order_by(self.order_field, direction=direction).order_by(
            "__name__", direction=direction
        )
        if starting_after:
            snap = db().collection(self.collection).document(starting_after).get()
            if not snap.exists or not self.admits(snap.to_dict() or {}):
                raise InvalidRequest(
                    "startingAfter does not name an object of this list.",
                    errors=[FieldError("startingAfter", "unknown cursor", "invalid_cursor")],
                )
            q = q.start_after(snap)
        docs = list(q.limit(limit + 1).stream())
        return docs[:limit], len(docs) > limit


def owned(collection: str, owner_field: str, uid: str, **more_owner: Any) -> Listing:
    """The listing of `collection` whose `owner_field` is `uid` (plus any further equality
    conditions that belong to the list's identity, e.g. one loan's repayments)."""
    conditions = [Where(owner_field, "==", uid)]
    conditions += [Where(f, "==", v) for f, v in more_owner.items()]
    return Listing(collection, tuple(conditions))


def chunked(items: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
