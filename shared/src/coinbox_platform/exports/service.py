"""The export job (docs/product.md §7).

    create_export   validate, write `exportLogs/{exp_…}` as queued, enqueue `runexport`
    run_export      the task: claim the job, stream the rows page by page from Firestore into
                    a temporary file through a streaming writer, upload it to Cloud Storage,
                    mark it completed with recordCount, bytes, sha256 and expiresAt (24 h)
    open_download   the file, for its owner, while it has not expired
    delete_expired  the scheduled clean-up of expired files

Memory stays flat: one page of documents (PAGE_SIZE) is in memory at a time, the writers
stream to disk, the upload is chunked. Tasks arrive at least once: a job that is completed or
failed is left alone, and a duplicate task finds the job claimed and does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Annotated, Any, ClassVar

from coinbox_platform import retention, store
from coinbox_platform.clock import iso, utcnow
from coinbox_platform.domain.models import Document
from coinbox_platform.errors import CoinboxError, FieldError, InvalidRequest
from coinbox_platform.exports.catalog import TYPES, ExportType
from coinbox_platform.exports.writers import CONTENT_TYPES, open_writer
from coinbox_platform.ids import new_id
from coinbox_platform.tasks import TaskPayload, TaskQueue, prefixed

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, DocumentReference, Query, Transaction

log = logging.getLogger("coinbox.exports")

EXPORT_LOGS = "exportLogs"
MAX_RECORDS = 100_000
# Larger pages cost fewer round trips (the emulator's cursors get slower with every page);
# 5,000 selected documents are a few MiB, the same whatever the size of the export.
PAGE_SIZE = 5_000
FILE_TTL = timedelta(hours=24)
LOG_TTL = retention.RETENTION[EXPORT_LOGS]  # the record outlives the file (retention.py)
STALE_RUN = timedelta(minutes=15)  # a running job this old belonged to a crashed worker
MAX_ATTEMPTS = 3
PROGRESS_EVERY = 2  # pages between progress updates
FORMATS = ("csv", "json", "xlsx")
MAX_ACTIVE_EXPORTS = 3  # queued + running per user (the queue runs 4 at a time for everyone)


@dataclass(frozen=True)
class ExportSpec:
    type: str
    format: str
    fields: list[str] = field(default_factory=list)
    date_from: datetime | None = None
    date_to: datetime | None = None
    status: str | None = None
    min_amount: int | None = None
    max_amount: int | None = None

    def validate(self) -> ExportType:
        errors: list[FieldError] = []
        etype = TYPES.get(self.type)
        if etype is None:
            errors.append(FieldError("type", f"one of {', '.join(TYPES)}", "invalid_choice"))
        if self.format not in FORMATS:
            errors.append(FieldError("format", f"one of {', '.join(FORMATS)}", "invalid_choice"))
        if etype is not None:
            unknown = [f for f in self.fields if etype.column(f) is None]
            if unknown:
                errors.append(
                    FieldError(
                        "fields",
                        f"unknown for {etype.name}: {', '.join(unknown)}; "
                        f"choose from {', '.join(etype.default_fields)}",
                        "unknown_field",
                    )
                )
            if len(set(self.fields)) != len(self.fields):
                errors.append(FieldError("fields", "listed twice", "duplicate_field"))
            if (
                self.min_amount is not None or self.max_amount is not None
            ) and not etype.has_amount:
                errors.append(
                    FieldError(
                        "filters.minAmount", f"{etype.name} have no amount", "not_applicable"
                    )
                )
            if self.status is not None and not etype.has_status:
                errors.append(
                    FieldError("filters.status", f"{etype.name} have no status", "not_applicable")
                )
        if self.date_from and self.date_to and self.date_from >= self.date_to:
            errors.append(FieldError("filters.to", "must be after filters.from", "invalid_range"))
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            errors.append(FieldError("filters.maxAmount", "must be ≥ minAmount", "invalid_range"))
        if errors:
            raise InvalidRequest("The export request is invalid.", errors=errors)
        assert etype is not None
        return etype

    def to_doc(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "format": self.format,
            "fields": list(self.fields),
            "filters": {
                "from": self.date_from,
                "to": self.date_to,
                "status": self.status,
                "minAmount": self.min_amount,
                "maxAmount": self.max_amount,
            },
        }

    @classmethod
    def from_doc(cls, data: dict[str, Any]) -> ExportSpec:
        f = data.get("filters") or {}
        return cls(
            type=data["type"],
            format=data["format"],
            fields=list(data.get("fields") or []),
            date_from=f.get("from"),
            date_to=f.get("to"),
            status=f.get("status"),
            min_amount=f.get("minAmount"),
            max_amount=f.get("maxAmount"),
        )


def _logs() -> CollectionReference:
    return store.db().collection(EXPORT_LOGS)


def owned_exports(uid: str) -> store.Listing:
    """The user's exports, newest first (GET /v1/exports)."""
    return store.owned(EXPORT_LOGS, "userId", uid)


class ExportJob(Document):
    """One exportLogs document: the request (type, format, fields, filters), then the run's
    progress and outcome. Written field by field as the job runs (create_export, _claim,
    _produce, delete_expired); read through this model."""

    object_name: ClassVar[str] = "export"
    collection: ClassVar[str] = EXPORT_LOGS

    user_id: str
    key_id: str | None = None
    request_id: str | None = None
    type: str
    format: str
    fields: list[str] | None = None  # none: the type's default columns
    filters: dict[str, Any] | None = None  # from, to, status, minAmount, maxAmount (ExportSpec)
    status: str  # queued | running | completed | failed | expired
    attempts: int = 0
    created_at: datetime
    expire_at: datetime | None = None  # the record's TTL (retention.py)
    started_at: datetime | None = None
    total_records: int | None = None
    record_count: int | None = None
    bytes: int | None = None
    sha256: str | None = None
    storage_path: str | None = None
    file_name: str | None = None
    completed_at: datetime | None = None
    expires_at: datetime | None = None  # when the file is deleted
    error: str | None = None
    error_code: str | None = None
    file_deleted_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        filters = dict(self.filters or {})
        for key in ("from", "to"):
            if isinstance(filters.get(key), datetime):
                filters[key] = iso(filters[key])
        return {
            "id": self.id,
            "object": self.object_name,
            "type": self.type,
            "format": self.format,
            "fields": self.fields or TYPES[self.type].default_fields,
            "filters": {k: v for k, v in filters.items() if v is not None},
            "status": self.status,
            "recordCount": self.record_count,
            "totalRecords": self.total_records,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "fileName": self.file_name,
            "error": self.error,
            "createdAt": iso(self.created_at),
            "startedAt": iso(self.started_at),
            "completedAt": iso(self.completed_at),
            "expiresAt": iso(self.expires_at),
        }


def create_export(
    user_id: str,
    spec: ExportSpec,
    *,
    key_id: str | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
    enqueue: bool = True,
) -> dict[str, Any]:
    """Queue an export; returns its record (status queued)."""
    spec.validate()
    now = now or utcnow()
    export_id = new_id("exp")
    doc = {
        **spec.to_doc(),
        "userId": user_id,
        "keyId": key_id,
        "requestId": request_id,
        "status": "queued",
        "attempts": 0,
        "createdAt": now,
        "expireAt": retention.expire_at(EXPORT_LOGS, now),
    }
    create_capped(user_id, export_id, doc, now)
    if enqueue:
        try:
            RUN_EXPORT.enqueue(ExportTask(export_id=export_id))
        except CoinboxError:
            _logs().document(export_id).update({"status": "failed", "error": "enqueue_failed"})
            raise
    return ExportJob.from_doc(export_id, doc).to_api()


def get_export(user_id: str, export_id: str) -> dict[str, Any]:
    return ExportJob.require_owned(export_id, user_id).to_api()


def _claim(export_id: str, now: datetime) -> ExportJob | None:
    ref = _logs().document(export_id)

    def apply(txn: Transaction) -> ExportJob | None:
        snap = ref.get(transaction=txn)
        if not snap.exists:
            return None
        data = snap.to_dict() or {}
        job = ExportJob.from_doc(export_id, data)
        if job.status in ("completed", "failed", "expired"):
            return None
        if job.status == "running" and job.started_at and job.started_at > now - STALE_RUN:
            return None  # another worker has it
        update = {"status": "running", "startedAt": now, "attempts": job.attempts + 1}
        txn.update(ref, update)
        return ExportJob.from_doc(export_id, {**data, **update})

    return store.run_transaction(apply)


def _query(etype: ExportType, user_id: str, spec: ExportSpec) -> Query:
    from google.cloud.firestore import FieldFilter

    q = (
        store.db()
        .collection(etype.collection)
        .where(filter=FieldFilter(etype.owner_field, "==", user_id))
    )
    if spec.status:
        q = q.where(filter=FieldFilter("status", "==", spec.status))
    if spec.date_from:
        q = q.where(filter=FieldFilter(etype.time_field, ">=", spec.date_from))
    if spec.date_to:
        q = q.where(filter=FieldFilter(etype.time_field, "<", spec.date_to))
    return q


def _rows(
    etype: ExportType, user_id: str, spec: ExportSpec, columns: list[str]
) -> Iterator[dict[str, Any]]:
    """Every matching document, newest first, one page in memory at a time, reading only the
    fields the file needs."""
    from google.cloud import firestore

    desc = firestore.Query.DESCENDING
    wanted = {c for c in columns if c != "id"} | {"asset", "amount", etype.time_field}
    base = (
        _query(etype, user_id, spec)
        .select(sorted(wanted))
        .order_by(etype.time_field, direction=desc)
        .order_by("__name__", direction=desc)
    )
    last = None
    while True:
        page = base.limit(PAGE_SIZE)
        if last is not None:
            page = page.start_after(last)
        docs = list(page.stream())
        for doc in docs:
            row = doc.to_dict() or {}
            amount = row.get("amount")
            if spec.min_amount is not None and (amount is None or amount < spec.min_amount):
                continue
            if spec.max_amount is not None and (amount is None or amount > spec.max_amount):
                continue
            row["id"] = doc.id
            yield row
        if len(docs) < PAGE_SIZE:
            return
        last = docs[-1]
        del docs  # let the page go before the next one arrives: one page in memory, not two


def _count(etype: ExportType, user_id: str, spec: ExportSpec) -> int:
    result = _query(etype, user_id, spec).count().get()
    return int(result[0][0].value)


def _digest(fh: IO[bytes]) -> tuple[int, str]:
    fh.seek(0)
    h = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    fh.seek(0)
    return size, h.hexdigest()


def storage_path(user_id: str, export_id: str, fmt: str) -> str:
    return f"exports/{user_id}/{export_id}.{fmt}"


class ExportTask(TaskPayload):
    export_id: Annotated[str, prefixed("exp")]


def _export_task(task: ExportTask) -> str:
    record = run_export(task.export_id)
    return f"{task.export_id} {record['status'] if record else 'nothing to do'}"


RUN_EXPORT = TaskQueue("runexport", ExportTask, _export_task)
"""Queue `runexport` (functions/tasks/exports.py): produces one export file; run_export claims
the job, so a duplicate task does nothing."""


def run_export(export_id: str, *, now: datetime | None = None) -> dict[str, Any] | None:
    """The task body. Returns the finished record, or None when there was nothing to do."""
    now = now or utcnow()
    job = _claim(export_id, now)
    if job is None:
        _announce_again(export_id)
        return None
    record = _produce(job, now)
    _announce(export_id, job.user_id, record)
    return record


FINAL_EVENTS = {"completed": "export.completed", "failed": "export.failed"}


def _announce(export_id: str, user_id: str, record: dict[str, Any]) -> None:
    """`export.completed` or `export.failed` to the owner. An emission that fails raises, so
    the task is retried; the retry finds the export finished and announces it again (the event
    id is derived from the export, so it is emitted once)."""
    from coinbox_platform.webhooks.events import emit_about

    event_type = FINAL_EVENTS.get(record["status"])
    if event_type is not None:
        emit_about(
            EXPORT_LOGS, export_id, record["status"], event_type, obj=record, user_ids=[user_id]
        )


def _announce_again(export_id: str) -> None:
    job = ExportJob.fetch(export_id)
    if job is not None and job.status in FINAL_EVENTS:
        _announce(export_id, job.user_id, job.to_api())


def _finish(ref: DocumentReference, job: ExportJob, changes: dict[str, Any]) -> dict[str, Any]:
    """Write `changes` to the job's record; the job after them, as the API shows it."""
    ref.update(changes)
    return ExportJob.from_doc(job.id, {**job.to_doc(), **changes}).to_api()


def _produce(job: ExportJob, now: datetime) -> dict[str, Any]:
    """Write the file and finish the record: completed, or failed with the reason."""
    from coinbox_platform import storage

    export_id = job.id
    ref = _logs().document(export_id)
    spec = ExportSpec.from_doc(job.to_doc())
    user_id = job.user_id
    try:
        etype = spec.validate()
        total = _count(etype, user_id, spec)
        if total > MAX_RECORDS:
            raise InvalidRequest(
                f"{total} records match; an export holds at most {MAX_RECORDS}. Narrow the filters.",
                code="too_many_records",
            )
        ref.update({"totalRecords": total})
        names = spec.fields or etype.default_fields
        columns = [etype.column(f) for f in names]
        with tempfile.TemporaryFile() as tmp:
            writer = open_writer(spec.format, tmp, [c for c in columns if c], etype.name)
            count = 0
            for row in _rows(etype, user_id, spec, names):
                writer.write(row)
                count += 1
                if count % (PAGE_SIZE * PROGRESS_EVERY) == 0:
                    ref.update({"recordCount": count})
            writer.close()
            size, sha = _digest(tmp)
            path = storage_path(user_id, export_id, spec.format)
            blob = storage.bucket().blob(path)
            blob.chunk_size = 8 * 1024 * 1024
            file_name = f"coinbox-{etype.name}-{now.strftime('%Y%m%d-%H%M%S')}.{spec.format}"
            blob.upload_from_file(tmp, size=size, content_type=CONTENT_TYPES[spec.format])
        done = {
            "status": "completed",
            "recordCount": count,
            "bytes": size,
            "sha256": sha,
            "storagePath": path,
            "fileName": file_name,
            "completedAt": utcnow(),
            "expiresAt": utcnow() + FILE_TTL,
            "error": None,
        }
        return _finish(ref, job, done)
    except CoinboxError as err:
        reasons = "; ".join(f"{e.field}: {e.message}" for e in err.errors)
        failed = {
            "status": "failed",
            "error": f"{err.detail} {reasons}".strip(),
            "errorCode": err.code,
            "completedAt": utcnow(),
        }
        return _finish(ref, job, failed)
    except Exception:
        log.exception("export %s failed", export_id)
        if job.attempts >= MAX_ATTEMPTS:
            failed = {
                "status": "failed",
                "error": "The export could not be produced.",
                "errorCode": "internal_error",
                "completedAt": utcnow(),
            }
            return _finish(ref, job, failed)
        ref.update({"status": "queued"})
        raise  # the task queue retries


@dataclass(frozen=True)
class Download:
    record: dict[str, Any]
    content_type: str
    chunks: Iterator[bytes]


def open_download(user_id: str, export_id: str, *, now: datetime | None = None) -> Download:
    from coinbox_platform import storage
    from coinbox_platform.errors import Conflict

    now = now or utcnow()
    job = ExportJob.require_owned(export_id, user_id)
    if job.status == "expired" or (job.expires_at and job.expires_at <= now):
        raise CoinboxError("The export file has expired.", code="export_expired").with_status(
            410, "Gone"
        )
    if job.status != "completed":
        raise Conflict(f"The export is {job.status}; no file yet.", code="export_not_ready")
    blob = storage.bucket().blob(job.storage_path)

    def chunks() -> Iterator[bytes]:
        with blob.open("rb", chunk_size=1 << 20) as fh:
            yield from iter(lambda: fh.read(1 << 20), b"")

    return Download(job.to_api(), CONTENT_TYPES[job.format], chunks())


def delete_expired(now: datetime | None = None, *, limit: int = 500) -> int:
    """Delete the files of expired exports (scheduled). Idempotent; returns how many."""
    from google.api_core.exceptions import NotFound as GcsNotFound
    from google.cloud.firestore import FieldFilter

    from coinbox_platform import storage

    now = now or utcnow()
    query = (
        _logs()
        .where(filter=FieldFilter("status", "==", "completed"))
        .where(filter=FieldFilter("expiresAt", "<=", now))
        .limit(limit)
    )
    count = 0
    for snap in query.stream():
        data = snap.to_dict() or {}
        try:
            storage.bucket().blob(data["storagePath"]).delete()
        except GcsNotFound:
            pass  # already gone (an earlier run deleted it, then failed to mark it)
        snap.reference.update({"status": "expired", "fileDeletedAt": now})
        count += 1
    return count


def create_capped(user_id: str, export_id: str, doc: dict[str, Any], now: datetime) -> None:
    """Write the queued export unless the user already has MAX_ACTIVE_EXPORTS queued or
    running (422 limit_exceeded). The count and the create are one transaction on the user's
    quota document, so parallel requests cannot pass the cap."""
    from google.cloud.firestore import FieldFilter

    from coinbox_platform.errors import UnprocessableRule

    active = (
        _logs()
        .where(filter=FieldFilter("userId", "==", user_id))
        .where(filter=FieldFilter("status", "in", ["queued", "running"]))
        .limit(MAX_ACTIVE_EXPORTS)
    )

    def apply(txn: Transaction) -> None:
        quota = store.hold_user_quota(txn, user_id)
        if len(list(active.get(transaction=txn))) >= MAX_ACTIVE_EXPORTS:
            raise UnprocessableRule(
                f"You have {MAX_ACTIVE_EXPORTS} exports queued or running; wait for one to finish.",
                code="limit_exceeded",
                errors=[FieldError("type", "too many exports in progress", "limit_exceeded")],
            )
        txn.create(_logs().document(export_id), doc)
        txn.set(quota, {"userId": user_id, "exportsChangedAt": now}, merge=True)

    store.run_transaction(apply)
