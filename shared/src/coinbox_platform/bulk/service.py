"""Running a bulk batch of loans, investments, crypto orders or explicit messages
(docs/product.md §6).

    run_loans / run_investments / run_orders / run_messages(caller, mode, items, now=…)

`items` arrive validated (the API layer checked each against its single-item model): an
`Item` holds either its typed request or the errors that make it invalid. Then:

  independent  the valid items run one after another, each in its own transaction, through
               the same domain functions as the single endpoints (create_loan, fund_loan,
               create_order): investments debit the running balance item by item, so a batch
               that costs more than the balance funds items in order while the money lasts.
  atomic       any invalid item refuses the whole batch before anything is written; otherwise
               every item is staged in ONE transaction (loans.stage_funding, crypto.stage_order
               on one Ledger) and a refusal of any item rolls all of them back. Sizes stay far
               inside Firestore's 500 writes a transaction: 20 fundings write 80 ledger entries,
               20 loans, 20 investments and at most 22 wallets.

Either way the batch is recorded in `bulkOperationsLog/{bat_…}` (written as `running` first,
so a batch is visible while it runs) and `bulk.completed` is emitted when it finishes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from coinbox_platform import store
from coinbox_platform.bulk import BULK_LOG
from coinbox_platform.bulk.results import (
    FAILED,
    SUCCEEDED,
    ItemError,
    ItemOutcome,
    errors_of,
    summary,
)
from coinbox_platform.clock import iso, utcnow
from coinbox_platform.domain import crypto, loans
from coinbox_platform.domain.ledger import Ledger, random_platform_wallet
from coinbox_platform.domain.messages import build_message, send_message
from coinbox_platform.domain.models import Document, Loan, Notification, Priority, UserProfile
from coinbox_platform.errors import CoinboxError, NotFound
from coinbox_platform.ids import new_id

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, Transaction

log = logging.getLogger("coinbox.bulk")

T = TypeVar("T")
INDEPENDENT, ATOMIC = "independent", "atomic"


@dataclass(frozen=True)
class Caller:
    """Who runs a batch: the user (a key acts as its owner), the key and the request."""

    user: UserProfile
    key_id: str | None = None
    request_id: str | None = None


@dataclass
class Item(Generic[T]):
    """One item after validation: its typed request, or the errors that make it invalid."""

    index: int
    request: T | None = None
    errors: list[ItemError] = field(default_factory=list)


@dataclass(frozen=True)
class FundingRequest:
    loan_id: str
    amount: int


@dataclass(frozen=True)
class MessageRequest:
    recipient: str  # a user id or an e-mail address
    title: str
    body: str
    priority: Priority = Priority.NORMAL


class BatchRefused(Exception):
    """Some items of an atomic batch were refused (by position); nothing was written."""

    def __init__(self, errors: dict[int, list[ItemError]]) -> None:
        super().__init__(f"{len(errors)} item(s) refused")
        self.errors = errors


@dataclass(frozen=True)
class BatchResult:
    result: dict[str, Any]  # the API shape (BulkBatch.to_api)

    @property
    def committed(self) -> bool:
        """False for an atomic batch that wrote nothing."""
        return not (self.result["mode"] == ATOMIC and self.result["succeeded"] == 0)


def _log() -> CollectionReference:
    return store.db().collection(BULK_LOG)


def owned_batches(uid: str, operation: str | None = None) -> store.Listing:
    """The user's bulk batches, newest first (GET /v1/bulk)."""
    return store.owned(BULK_LOG, "userId", uid).where("operation", "==", operation)


def notification_id(batch_id: str, uid: str) -> str:
    """The id of a batch's message to one user: a redelivered task or a retried write finds
    it there instead of writing a second message."""
    from coinbox_platform.webhooks.event import derived_id

    return derived_id("msg", batch_id, uid)


# ------------------------------------------------------------------ the record


class BulkBatch(Document):
    """One bulkOperationsLog document. Written as `running` by new_record (fanout.start adds
    the group, the message and `progress`), then field by field: the outcome (_run), or the
    fan-out's counters (fanout.py: increments, dotted `progress.*` updates); read through
    this model."""

    object_name: ClassVar[str] = "bulk_batch"
    collection: ClassVar[str] = BULK_LOG

    user_id: str
    key_id: str | None = None
    request_id: str | None = None
    operation: str  # loans | investments | crypto_orders | messages
    mode: str  # independent | atomic
    status: str  # running | completed | partial | failed
    total_items: int = 0
    succeeded: int = 0
    failed: int = 0
    items: list[dict[str, Any]] | None = None  # per item: {index, status, id, error}
    errors: list[dict[str, Any]] | None = None  # per error: {index, field, code, message}
    duration_ms: int | float | None = None
    error: str | None = None  # why the store refused the whole batch, or enqueue_failed
    created_at: datetime
    completed_at: datetime | None = None
    # A group message (fanout.py) only:
    group: str | None = None
    message: dict[str, Any] | None = None  # {title, body, priority}
    # {recipientsTotal, recipientsPlanned, delivered, chunksPlanned, chunksDelivered,
    # planningDone}
    progress: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        """A batch as the API shows it (GET /v1/bulk/{batchId}, history, the POST's answer)."""
        out: dict[str, Any] = {
            "id": self.id,
            "object": self.object_name,
            "batchId": self.id,
            "operation": self.operation,
            "mode": self.mode,
            "status": self.status,
            "totalItems": self.total_items,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "items": self.items or [],
            "errors": self.errors or [],
            "durationMs": self.duration_ms,
            "createdAt": iso(self.created_at),
            "completedAt": iso(self.completed_at),
        }
        if self.group is not None:
            progress = self.progress or {}
            out["group"] = self.group
            out["progress"] = {
                "recipientsTotal": progress.get("recipientsTotal"),
                "delivered": progress.get("delivered", 0),
            }
        return out


def new_record(
    caller: Caller, operation: str, mode: str, total: int, now: datetime
) -> dict[str, Any]:
    return {
        "userId": caller.user.id,
        "keyId": caller.key_id,
        "requestId": caller.request_id,
        "operation": operation,
        "mode": mode,
        "status": "running",
        "totalItems": total,
        "succeeded": 0,
        "failed": 0,
        "items": [],
        "errors": [],
        "durationMs": None,
        "createdAt": now,
        "completedAt": None,
    }


def get_batch(uid: str, batch_id: str) -> dict[str, Any]:
    """A batch, to its owner only (anyone else: 404)."""
    return BulkBatch.require_owned(batch_id, uid, label="bulk batch").to_api()


def emit_completed(batch: BulkBatch, now: datetime | None = None) -> None:
    """`bulk.completed` to the owner's webhook subscriptions; the event id is derived from the
    batch, so emitting twice emits once. Never fails the batch (it has been recorded)."""
    try:
        from coinbox_platform.webhooks.events import emit_about

        obj = {k: v for k, v in batch.to_api().items() if k not in ("items", "errors")}
        emit_about(
            BULK_LOG,
            batch.id,
            "completed",
            "bulk.completed",
            obj=obj,
            user_ids=[batch.user_id],
            now=now,
        )
    except Exception:
        log.exception("bulk.completed for %s could not be emitted", batch.id)


# ------------------------------------------------------------------ the runner


def _run(
    caller: Caller,
    operation: str,
    mode: str,
    batch_id: str,
    items: list[Item[T]],
    *,
    now: datetime,
    one: Callable[[T], str],
    all_at_once: Callable[[list[T]], list[str]],
    default_field: str | None = None,
) -> BatchResult:
    started = time.perf_counter()
    ref = _log().document(batch_id)
    record = new_record(caller, operation, mode, len(items), now)
    ref.create(record)
    outcomes = [
        ItemOutcome(i.index, FAILED, errors=list(i.errors)) if i.errors else ItemOutcome(i.index)
        for i in items
    ]
    try:
        if mode == INDEPENDENT:
            for item, outcome in zip(items, outcomes, strict=True):
                if item.request is None:
                    continue
                try:
                    outcome.id = one(item.request)
                    outcome.status = SUCCEEDED
                except CoinboxError as err:
                    outcome.status, outcome.errors = FAILED, errors_of(err, default_field)
                except Exception:
                    log.exception("bulk %s item %d failed", batch_id, item.index)
                    outcome.status = FAILED
                    outcome.errors = [ItemError(None, "internal_error", "Unexpected error.")]
        elif not any(o.errors for o in outcomes):
            requests = [i.request for i in items if i.request is not None]
            try:
                ids = all_at_once(requests)
            except BatchRefused as refused:
                for position, errors in refused.errors.items():
                    outcomes[position].status, outcomes[position].errors = FAILED, errors
            else:
                for outcome, object_id in zip(outcomes, ids, strict=True):
                    outcome.status, outcome.id = SUCCEEDED, object_id
    except CoinboxError as err:  # the store refused the whole batch (contention: 503)
        ref.update({"status": "failed", "error": err.code, "completedAt": utcnow()})
        raise
    done = {
        **summary(outcomes),
        "durationMs": round((time.perf_counter() - started) * 1000, 1),
        "completedAt": utcnow(),
    }
    record |= done
    try:
        ref.update(done)
    except Exception:  # the items are committed: answer with the result all the same
        log.exception("bulk %s: the outcome could not be recorded", batch_id)
    batch = BulkBatch.from_doc(batch_id, record)
    emit_completed(batch)
    return BatchResult(batch.to_api())


# ------------------------------------------------------------------ loans


def run_loans(
    caller: Caller,
    mode: str,
    items: list[Item[loans.LoanRequest]],
    *,
    now: datetime | None = None,
) -> BatchResult:
    now = now or utcnow()
    batch_id = new_id("bat")
    borrower = caller.user
    has_defaulted = loans.has_defaulted_loan(borrower.id)

    def build(request: loans.LoanRequest) -> Loan:
        return loans.build_loan(
            borrower, request, has_defaulted=has_defaulted, now=now, batch_id=batch_id
        )

    def one(request: loans.LoanRequest) -> str:
        loan = build(request)
        loans.write_new_loan(loan)
        return loan.id

    def all_at_once(requests: list[loans.LoanRequest]) -> list[str]:
        built, errors = [], {}
        for position, request in enumerate(requests):
            try:
                built.append(build(request))
            except CoinboxError as err:
                errors[position] = errors_of(err)
        if errors:
            raise BatchRefused(errors)

        def apply(txn: Transaction) -> list[str]:
            for loan in built:
                loans.write_new_loan(loan, txn)
            return [loan.id for loan in built]

        return store.run_transaction(apply)

    return _run(caller, "loans", mode, batch_id, items, now=now, one=one, all_at_once=all_at_once)


# ------------------------------------------------------------------ investments


def run_investments(
    caller: Caller,
    mode: str,
    items: list[Item[FundingRequest]],
    *,
    now: datetime | None = None,
) -> BatchResult:
    now = now or utcnow()
    batch_id = new_id("bat")
    investor = caller.user

    def one(request: FundingRequest) -> str:
        funding = loans.fund_loan(
            investor, request.loan_id, request.amount, now=now, batch_id=batch_id
        )
        return funding.investment.id

    def all_at_once(requests: list[FundingRequest]) -> list[str]:
        platform = random_platform_wallet()

        def apply(txn: Transaction) -> list[str]:
            found = loans.read_loans(txn, [r.loan_id for r in requests])
            ledger = Ledger(txn, now)
            ledger.read(investor.id, *(loan.borrower_id for loan in found.values()), platform)
            fundings, errors = [], {}
            for position, request in enumerate(requests):
                loan = found.get(request.loan_id)
                try:
                    if loan is None:
                        raise NotFound(f"No loan {request.loan_id}.")
                    funding = loans.stage_funding(
                        ledger,
                        investor,
                        loan,
                        request.amount,
                        now=now,
                        platform=platform,
                        batch_id=batch_id,
                    )
                except CoinboxError as err:
                    errors[position] = errors_of(err, "loanId")
                    continue
                found[loan.id] = funding.loan  # a second item for it finds it funded
                fundings.append(funding)
            if errors:
                raise BatchRefused(errors)
            ledger.write()
            for funding in fundings:
                loans.write_funding(txn, funding)
            return [f.investment.id for f in fundings]

        return store.run_transaction(apply)

    return _run(
        caller,
        "investments",
        mode,
        batch_id,
        items,
        now=now,
        one=one,
        all_at_once=all_at_once,
        default_field="loanId",
    )


# ------------------------------------------------------------------ crypto orders


def run_orders(
    caller: Caller,
    mode: str,
    items: list[Item[crypto.OrderRequest]],
    *,
    now: datetime | None = None,
) -> BatchResult:
    now = now or utcnow()
    batch_id = new_id("bat")
    user = caller.user
    collection = store.db().collection(store.CRYPTO_ORDERS)

    def one(request: crypto.OrderRequest) -> str:
        return crypto.create_order(user, request, now=now, batch_id=batch_id).id

    def all_at_once(requests: list[crypto.OrderRequest]) -> list[str]:
        def apply(txn: Transaction) -> list[str]:
            ledger = Ledger(txn, now)
            ledger.read(user.id)
            orders, errors = [], {}
            for position, request in enumerate(requests):
                try:
                    orders.append(
                        crypto.stage_order(ledger, user, request, now=now, batch_id=batch_id)
                    )
                except CoinboxError as err:
                    errors[position] = errors_of(err)
            if errors:
                raise BatchRefused(errors)
            ledger.write()
            for order in orders:
                txn.create(collection.document(order.id), order.to_doc())
            return [order.id for order in orders]

        return store.run_transaction(apply)

    return _run(
        caller, "crypto_orders", mode, batch_id, items, now=now, one=one, all_at_once=all_at_once
    )


# ------------------------------------------------------------------ explicit messages


def resolve_recipients(values: list[str]) -> dict[str, str]:
    """User ids and e-mail addresses → uids, for the ones that name a user."""
    from google.cloud.firestore import FieldFilter

    users = store.db().collection(store.USERS)
    out: dict[str, str] = {}
    ids = [v for v in dict.fromkeys(values) if "@" not in v and "/" not in v]
    snaps = store.get_all([users.document(v) for v in ids])
    for v in ids:
        snap = snaps.get(f"{store.USERS}/{v}")
        if snap is not None and snap.exists:
            out[v] = v
    emails = [v for v in dict.fromkeys(values) if "@" in v]
    wanted = list(dict.fromkeys(emails + [e.lower() for e in emails]))
    by_email: dict[str, str] = {}
    for chunk in store.chunked(wanted, 30):  # Firestore's `in` takes at most 30 values
        for snap in users.where(filter=FieldFilter("email", "in", chunk)).stream():
            email = (snap.to_dict() or {}).get("email")
            if isinstance(email, str):
                by_email.setdefault(email, snap.id)
    for e in emails:
        uid = by_email.get(e) or by_email.get(e.lower())
        if uid is not None:
            out[e] = uid
    return out


def run_messages(
    caller: Caller,
    mode: str,
    items: list[Item[MessageRequest]],
    *,
    now: datetime | None = None,
) -> BatchResult:
    """Staff send one message per item to a user named by id or e-mail."""
    now = now or utcnow()
    batch_id = new_id("bat")
    resolved = resolve_recipients([i.request.recipient for i in items if i.request is not None])
    prepared: list[Item[Notification]] = []
    seen: set[str] = set()
    for item in items:
        request = item.request
        if request is None:
            prepared.append(Item(item.index, errors=item.errors))
            continue
        uid = resolved.get(request.recipient)
        if uid is None:
            error = ItemError("recipient", "unknown_recipient", "No user has this id or e-mail.")
            prepared.append(Item(item.index, errors=[error]))
            continue
        if uid in seen:
            error = ItemError("recipient", "duplicate_recipient", "This user is named twice.")
            prepared.append(Item(item.index, errors=[error]))
            continue
        seen.add(uid)
        try:
            message = build_message(
                uid,
                request.title,
                request.body,
                priority=request.priority,
                sender_id=caller.user.id,
                batch_id=batch_id,
                now=now,
            )
        except CoinboxError as err:
            prepared.append(Item(item.index, errors=errors_of(err)))
            continue
        message = message.model_copy(update={"id": notification_id(batch_id, uid)})
        prepared.append(Item(item.index, request=message))
    collection = store.db().collection(store.NOTIFICATIONS)

    def one(message: Notification) -> str:
        return send_message(message).id

    def all_at_once(messages: list[Notification]) -> list[str]:
        def apply(txn: Transaction) -> list[str]:
            for message in messages:
                txn.create(collection.document(message.id), message.to_doc())
            return [m.id for m in messages]

        return store.run_transaction(apply)

    return _run(
        caller,
        "messages",
        mode,
        batch_id,
        prepared,
        now=now,
        one=one,
        all_at_once=all_at_once,
        default_field="recipient",
    )
