"""Firestore triggers that turn domain writes into webhook events (docs/product.md §5.1).

One function per watched collection; each hands the change to
coinbox_platform.webhooks.events.handle_change, which is idempotent (a trigger delivered twice
emits once). An exception before the event is committed propagates, so the platform
reports it; firebase-functions 0.6.0 cannot declare Firestore triggers `retry`, so enabling
"retry on failure" for these five functions is a deploy-time setting.
"""

from typing import Any

from firebase_functions import firestore_fn
from firebase_functions.core import Change
from google.cloud.firestore_v1 import DocumentSnapshot

OPTIONS: dict[str, Any] = {"region": "us-central1", "timeout_sec": 60}
# What an on_document_written trigger receives: the document before and after the write (None
# when it did not exist), its path and the event id.
WriteEvent = firestore_fn.Event[Change[DocumentSnapshot | None]]


def _handle(collection: str, event: WriteEvent) -> None:
    from coinbox_platform import logs

    with logs.run_context(f"{collection}-trigger", None, event=str(event.id)):
        _emit(collection, event)


def _emit(collection: str, event: WriteEvent) -> None:
    from coinbox_platform.webhooks.events import handle_change

    change = event.data
    before = change.before.to_dict() if change.before is not None else None
    after = change.after.to_dict() if change.after is not None else None
    doc_id = event.document.rsplit("/", 1)[-1]
    handle_change(collection, doc_id, before, after)


@firestore_fn.on_document_written(document="loans/{docId}", **OPTIONS)
def loanevents(event: WriteEvent) -> None:
    _handle("loans", event)


@firestore_fn.on_document_written(document="investments/{docId}", **OPTIONS)
def investmentevents(event: WriteEvent) -> None:
    _handle("investments", event)


@firestore_fn.on_document_written(document="transactions/{docId}", **OPTIONS)
def transactionevents(event: WriteEvent) -> None:
    _handle("transactions", event)


@firestore_fn.on_document_written(document="cryptoOrders/{docId}", **OPTIONS)
def cryptoorderevents(event: WriteEvent) -> None:
    _handle("cryptoOrders", event)


@firestore_fn.on_document_written(document="users/{docId}", **OPTIONS)
def userevents(event: WriteEvent) -> None:
    _handle("users", event)
