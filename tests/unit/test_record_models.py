"""The stored records beside their services as Documents (no emulator): ApiKey
(access/apikeys.py), ExportJob (exports/service.py) and BulkBatch (bulk/service.py).

Each reads a stored dict with its optional fields missing (the defaults the records always
had), ignores fields it does not know, and renders the API shape the endpoints have always
answered with: the expected dicts are written out in full, key order included.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from coinbox_platform.access.apikeys import ApiKey
from coinbox_platform.bulk.service import BulkBatch
from coinbox_platform.exports.service import ExportJob
from coinbox_platform.tiers import ApiTier

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
T1 = datetime(2026, 3, 1, 9, 31, 2, 500000, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal, and in the same key order (the JSON the API writes)."""
    assert list(actual.items()) == list(expected.items())


# --- ApiKey -------------------------------------------------------------------------------

STORED_KEY: dict[str, Any] = {
    "name": "ci",
    "displayPrefix": "cb_live_AbCd",
    "userId": "u1",
    "hash": "ab12",
    "tier": "pro",
    "scopes": ["read:*", "write:loans"],
    "status": "active",
    "createdAt": T0,
    "expiresAt": T2,
    "lastUsedAt": T1,
    "revokedAt": None,
    "rotatedFrom": "key_old",
    "rotatedTo": None,
    "graceUntil": None,
    "updatedAt": T1,
    "adminGrant": True,
    "parentKeyId": "key_parent",
}


def test_api_key_reads_a_stored_key_with_only_its_required_fields() -> None:
    key = ApiKey.from_doc("key_a", {"userId": "u1", "createdAt": T0, "legacy": 1})
    assert key.id == "key_a"
    assert key.name == ""
    assert key.display_prefix == ""
    assert key.hash == ""
    assert key.tier == ApiTier.BASIC
    assert key.scopes == ()
    assert key.status == "active"
    assert key.admin_grant is False
    assert key.expires_at is key.last_used_at is key.grace_until is key.parent_key_id is None
    # Stored nulls read as the old reader read them.
    nulls = ApiKey.from_doc("key_a", {"userId": "u1", "createdAt": T0, "scopes": None})
    assert nulls.scopes == ()
    assert ApiKey.from_doc("key_a", {**STORED_KEY, "adminGrant": None}).admin_grant is False


def test_api_key_writes_the_fields_it_always_wrote_and_reads_them_back() -> None:
    key = ApiKey.from_doc("key_a", STORED_KEY)
    assert key.scopes == ("read:*", "write:loans")
    assert key.to_doc() == STORED_KEY
    assert list(key.to_doc()) == list(STORED_KEY)
    assert type(key.to_doc()["scopes"]) is list
    assert ApiKey.from_doc("key_a", key.to_doc()) == key


def test_api_key_renders_its_effective_status_at_now() -> None:
    key = ApiKey.from_doc("key_a", STORED_KEY)
    same(
        key.to_api(T1),
        {
            "id": "key_a",
            "object": "api_key",
            "name": "ci",
            "displayPrefix": "cb_live_AbCd",
            "userId": "u1",
            "tier": "pro",
            "scopes": ["read:*", "write:loans"],
            "status": "active",
            "createdAt": "2026-03-01T09:30:00.000Z",
            "expiresAt": "2026-03-02T09:30:00.000Z",
            "lastUsedAt": "2026-03-01T09:31:02.500Z",
            "revokedAt": None,
            "rotatedFrom": "key_old",
            "rotatedTo": None,
            "graceUntil": None,
        },
    )
    assert key.to_api(T2)["status"] == "expired"
    minimal = ApiKey.from_doc("key_b", {"userId": "u1", "createdAt": T0})
    same(
        minimal.to_api(T1),
        {
            "id": "key_b",
            "object": "api_key",
            "name": "",
            "displayPrefix": "",
            "userId": "u1",
            "tier": "basic",
            "scopes": [],
            "status": "active",
            "createdAt": "2026-03-01T09:30:00.000Z",
            "expiresAt": None,
            "lastUsedAt": None,
            "revokedAt": None,
            "rotatedFrom": None,
            "rotatedTo": None,
            "graceUntil": None,
        },
    )


def test_api_key_is_immutable_and_hashable() -> None:
    key = ApiKey.from_doc("key_a", STORED_KEY)
    with pytest.raises(ValidationError):
        key.name = "changed"  # type: ignore[misc]
    assert hash(key) == hash(ApiKey.from_doc("key_a", STORED_KEY))
    used = key.model_copy(update={"last_used_at": T2})
    assert used.last_used_at == T2
    assert key.last_used_at == T1  # the cached original is untouched


# --- ExportJob ----------------------------------------------------------------------------


def test_export_job_as_queued_renders_like_before() -> None:
    stored = {  # what create_export writes
        "type": "loans",
        "format": "csv",
        "fields": [],
        "filters": {"from": T0, "to": None, "status": "pending", "minAmount": None, "maxAmount": 5},
        "userId": "u1",
        "keyId": "key_a",
        "requestId": "req_1",
        "status": "queued",
        "attempts": 0,
        "createdAt": T0,
        "expireAt": T2,
    }
    job = ExportJob.from_doc("exp_1", stored)
    assert job.user_id == "u1"
    assert job.started_at is job.record_count is job.storage_path is job.error is None
    same(
        job.to_api(),
        {
            "id": "exp_1",
            "object": "export",
            "type": "loans",
            "format": "csv",
            "fields": [
                "id",
                "status",
                "amount",
                "interestRate",
                "termDays",
                "purpose",
                "reason",
                "investorId",
                "investmentId",
                "totalDue",
                "repaid",
                "dueAt",
                "expiresAt",
                "createdAt",
                "batchId",
            ],
            "filters": {"from": "2026-03-01T09:30:00.000Z", "status": "pending", "maxAmount": 5},
            "status": "queued",
            "recordCount": None,
            "totalRecords": None,
            "bytes": None,
            "sha256": None,
            "fileName": None,
            "error": None,
            "createdAt": "2026-03-01T09:30:00.000Z",
            "startedAt": None,
            "completedAt": None,
            "expiresAt": None,
        },
    )
    # Nothing stored but the required fields: no fields, no filters.
    bare = ExportJob.from_doc(
        "exp_2",
        {"userId": "u1", "type": "transactions", "format": "json", "status": "queued"}
        | {"createdAt": T0, "fields": None, "filters": None},
    )
    assert bare.to_api()["filters"] == {}
    assert bare.to_api()["fields"][:2] == ["id", "type"]


def test_export_job_completed_renders_like_before_and_keeps_its_stored_fields() -> None:
    stored = {
        "type": "transactions",
        "format": "xlsx",
        "fields": ["id", "amount"],
        "filters": {"to": T1},
        "userId": "u1",
        "keyId": None,
        "requestId": None,
        "status": "completed",
        "attempts": 1,
        "createdAt": T0,
        "expireAt": T2,
        "startedAt": T0,
        "totalRecords": 2,
        "recordCount": 2,
        "bytes": 5120,
        "sha256": "9f86d0",
        "storagePath": "exports/u1/exp_3.xlsx",
        "fileName": "coinbox-transactions-20260301-093000.xlsx",
        "completedAt": T1,
        "expiresAt": T2,
        "error": None,
        "somethingNew": True,
    }
    job = ExportJob.from_doc("exp_3", stored)
    same(
        job.to_api(),
        {
            "id": "exp_3",
            "object": "export",
            "type": "transactions",
            "format": "xlsx",
            "fields": ["id", "amount"],
            "filters": {"to": "2026-03-01T09:31:02.500Z"},
            "status": "completed",
            "recordCount": 2,
            "totalRecords": 2,
            "bytes": 5120,
            "sha256": "9f86d0",
            "fileName": "coinbox-transactions-20260301-093000.xlsx",
            "error": None,
            "createdAt": "2026-03-01T09:30:00.000Z",
            "startedAt": "2026-03-01T09:30:00.000Z",
            "completedAt": "2026-03-01T09:31:02.500Z",
            "expiresAt": "2026-03-02T09:30:00.000Z",
        },
    )
    assert job.storage_path == "exports/u1/exp_3.xlsx"
    doc = job.to_doc()
    assert "somethingNew" not in doc
    assert {k: doc[k] for k in stored if k != "somethingNew"} == {
        k: v for k, v in stored.items() if k != "somethingNew"
    }


# --- BulkBatch ----------------------------------------------------------------------------


# Per-item outcomes and errors (bulk/results.py): stored and shown as they are.
ITEMS = [
    {"index": 0, "status": "succeeded", "id": "inv_1", "error": None},
    {"index": 1, "status": "failed", "id": None, "error": {"code": "insufficient_funds"}},
]
ERRORS = [{"index": 1, "field": "amount", "code": "insufficient_funds", "message": "No."}]


def test_bulk_batch_as_recorded_by_a_run_renders_like_before() -> None:
    stored = {  # new_record, then the run's outcome
        "userId": "u1",
        "keyId": "key_a",
        "requestId": "req_1",
        "operation": "investments",
        "mode": "independent",
        "status": "partial",
        "totalItems": 2,
        "succeeded": 1,
        "failed": 1,
        "items": ITEMS,
        "errors": ERRORS,
        "durationMs": 412.5,
        "createdAt": T0,
        "completedAt": T1,
    }
    batch = BulkBatch.from_doc("bat_1", stored)
    same(
        batch.to_api(),
        {
            "id": "bat_1",
            "object": "bulk_batch",
            "batchId": "bat_1",
            "operation": "investments",
            "mode": "independent",
            "status": "partial",
            "totalItems": 2,
            "succeeded": 1,
            "failed": 1,
            "items": ITEMS,
            "errors": ERRORS,
            "durationMs": 412.5,
            "createdAt": "2026-03-01T09:30:00.000Z",
            "completedAt": "2026-03-01T09:31:02.500Z",
        },
    )
    assert batch.to_doc() == stored | {
        "error": None,
        "group": None,
        "message": None,
        "progress": None,
    }


def test_bulk_batch_reads_missing_counts_as_before() -> None:
    batch = BulkBatch.from_doc(
        "bat_2",
        {"userId": "u1", "operation": "loans", "mode": "atomic", "status": "running"}
        | {"createdAt": T0, "items": None, "unknown": 1},
    )
    same(
        batch.to_api(),
        {
            "id": "bat_2",
            "object": "bulk_batch",
            "batchId": "bat_2",
            "operation": "loans",
            "mode": "atomic",
            "status": "running",
            "totalItems": 0,
            "succeeded": 0,
            "failed": 0,
            "items": [],
            "errors": [],
            "durationMs": None,
            "createdAt": "2026-03-01T09:30:00.000Z",
            "completedAt": None,
        },
    )
    whole = BulkBatch.from_doc("bat_3", {**batch.to_doc(), "durationMs": 7})
    assert whole.to_api()["durationMs"] == 7
    assert type(whole.to_api()["durationMs"]) is int  # as stored: not turned into 7.0


def test_bulk_batch_of_a_group_message_shows_its_group_and_progress() -> None:
    stored = {  # fanout.start, then some deliveries
        "userId": "admin",
        "keyId": None,
        "requestId": "req_2",
        "operation": "messages",
        "mode": "independent",
        "status": "running",
        "totalItems": 450,
        "succeeded": 200,
        "failed": 0,
        "items": [],
        "errors": [],
        "durationMs": None,
        "createdAt": T0,
        "completedAt": None,
        "group": "tier:vip",
        "message": {"title": "Hi", "body": "News", "priority": "high"},
        "progress": {
            "recipientsTotal": 450,
            "recipientsPlanned": 400,
            "delivered": 200,
            "chunksPlanned": 2,
            "chunksDelivered": 1,
            "planningDone": False,
        },
    }
    batch = BulkBatch.from_doc("bat_4", stored)
    assert batch.message == {"title": "Hi", "body": "News", "priority": "high"}
    same(
        batch.to_api(),
        {
            "id": "bat_4",
            "object": "bulk_batch",
            "batchId": "bat_4",
            "operation": "messages",
            "mode": "independent",
            "status": "running",
            "totalItems": 450,
            "succeeded": 200,
            "failed": 0,
            "items": [],
            "errors": [],
            "durationMs": None,
            "createdAt": "2026-03-01T09:30:00.000Z",
            "completedAt": None,
            "group": "tier:vip",
            "progress": {"recipientsTotal": 450, "delivered": 200},
        },
    )
    early = BulkBatch.from_doc("bat_5", {**stored, "progress": None})
    assert early.to_api()["progress"] == {"recipientsTotal": None, "delivered": 0}


def test_every_stored_model_names_its_collection_and_kind() -> None:
    """`fetch`, `require` and `require_owned` read `collection`: a model without one would
    read the empty path (Subscription, Delivery and Event lacked it)."""
    from tests.stored_models import stored_models

    models = stored_models()
    assert {"Loan", "ApiKey", "ExportJob", "BulkBatch", "Subscription", "Event"} <= set(models)
    for name, model in models.items():
        assert model.collection, f"{name} names no collection"
        assert model.object_name, f"{name} names no object kind"
    collections = [m.collection for m in models.values()]
    assert len(collections) == len(set(collections)), collections
