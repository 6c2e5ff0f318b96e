"""How long records that must not live forever are kept: one table for the writers and the tests.

Each collection group below has a Firestore TTL policy on TTL_FIELD (firestore.indexes.json,
`fieldOverrides` with `"ttl": true`): Firestore deletes a document some time (typically within
a day) after the timestamp in that field. Writers stamp the field with `expire_at(collection,
since)`; tests/unit/test_ttl.py fails when the code writes TTL_FIELD for a collection that has
no policy, when a policy has no entry here, or when another expiry-like field appears.

`expiresAt` is not a TTL field: on loans and crypto orders it ends the funding/listing window,
on API keys it ends the key, on exportLogs it is when the export's FILE is deleted (the
scheduled job `deleteexpiredexports`); those records stay (the export's record until its own
`expireAt`, 90 days, so the user keeps the history). Audit records (apiKeyEvents,
bulkOperationsLog), money (wallets, transactions) and the domain objects have no TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

TTL_FIELD = "expireAt"

RETENTION: dict[str, timedelta] = {
    # One document per API request, for usage analytics (docs/product.md §4.4: 90 days).
    "apiRequestLogs": timedelta(days=90),
    # Hourly usage rollups (access/usage.py) answer usage questions as far back as the logs did.
    "apiUsageRollups": timedelta(days=90),
    # A committed log batch's marker only has to outlive the retries of its commit.
    "apiUsageBatches": timedelta(days=1),
    # Domain events listed by GET /v1/events (docs/product.md §5.1: 30 days) and their
    # webhook deliveries, which live as long as the events they deliver (redelivery looks
    # back as far).
    "webhookEvents": timedelta(days=30),
    "webhookDeliveries": timedelta(days=30),
    # An Idempotency-Key is replayed for 24 h (docs/product.md §2); its claim is kept exactly
    # as long.
    "idempotencyKeys": timedelta(hours=24),
    # An export's record (status, counts, sha256) outlives its file (24 h) by 90 days.
    "exportLogs": timedelta(days=90),
    # A rate-limit token slot is stamped with the end of its window (`since`): no extra time.
    "rateLimitSlots": timedelta(0),
    # A wallet gate (gates.py) is deleted by its holder; one left by a holder that died is
    # taken over once its lease ends, and swept by TTL from then on.
    "gates": timedelta(0),
}


def expire_at(collection: str, since: datetime) -> datetime:
    """The TTL_FIELD value of a `collection` document written (or, for rate-limit slots, ending)
    at `since`. A KeyError for a collection without a TTL policy."""
    return since + RETENTION[collection]
