"""Bulk operations (docs/product.md §6): many loans, investments, crypto orders or messages in
one request.

    api/routes/bulk.py   reads the body (JSON or CSV, `csvfile`), validates every item with the
                         single-item request model of its family, and hands typed items to
                         `service` — nothing is written until every item has been validated
    service              runs a batch: `independent` (each item commits on its own, in order;
                         investments debit the running balance item by item) or `atomic` (all
                         items staged in ONE Firestore transaction through the domain's staging
                         functions — loans.stage_funding, crypto.stage_order — or none);
                         records `bulkOperationsLog/{bat_…}` (caller, key, counts, per-item
                         outcomes, duration, request id) and emits `bulk.completed`
    fanout               a message to a group (all, tier:<tier>, borrowers, investors): the
                         request records the batch and enqueues the task-queue function
                         `fanoutmessages`; each task resolves one chunk of recipients after a
                         cursor, writes their notifications (ids derived from batch + user,
                         created with create(): a redelivered task writes nothing twice),
                         counts the chunk on the batch in a transaction (exactly once), and
                         enqueues the next chunk; the last one completes the batch
    results              the result shape: {batchId, operation, mode, status, totalItems,
                         succeeded, failed, items: [{index, status, id, error}], durationMs}

Every object a batch creates carries its `batchId` (loans, investments, ledger entries, crypto
orders, notifications).
"""

BULK_LOG = "bulkOperationsLog"
MAX_ITEMS = {"loans": 20, "investments": 20, "crypto_orders": 20, "messages": 50}
OPERATIONS = tuple(MAX_ITEMS)
MODES = ("independent", "atomic")
