"""Exports end to end: POST /v1/exports → the runexport task queue → Cloud Storage (emulator)
→ GET /v1/exports/{id}/file, read back with csv/json/openpyxl."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter
from openpyxl import load_workbook

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import loans
from coinbox_platform.domain.users import require_profile
from coinbox_platform.exports import service
from tests.support import ApiUser, make_api_user, wait_for

pytestmark = pytest.mark.stack


def _finished(user: ApiUser, export_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        body = user.get(f"/exports/{export_id}").json()
        return body if body["status"] in ("completed", "failed") else None

    return wait_for(done, timeout=60)


def _export(user: ApiUser, body: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    resp = user.post("/exports", body)
    assert resp.status_code == 202, resp.text
    assert resp.headers["Location"] == f"/v1/exports/{resp.json()['id']}"
    record = _finished(user, resp.json()["id"])
    assert record["status"] == "completed", record
    file = user.get(f"/exports/{record['id']}/file")
    assert file.status_code == 200, file.text
    assert len(file.content) == record["bytes"]
    assert file.headers["X-Content-SHA256"] == record["sha256"]
    return record, file.content


@pytest.fixture(scope="module")
def borrower() -> ApiUser:
    user = make_api_user(balance=250_000)
    profile = require_profile(user.uid)
    loans.create_loan(profile, loans.LoanRequest(40_000, 20, 30, "=cmd|' /C calc'!A0"))
    loans.create_loan(profile, loans.LoanRequest(45_000, 18, 60, "Stock for the shop"))
    loans.create_loan(profile, loans.LoanRequest(90_000, 18, 60, "Over the basic limit"))
    return user


def test_xlsx_export_has_typed_amount_and_date_cells(borrower: ApiUser) -> None:
    record, content = _export(borrower, {"type": "transactions", "format": "xlsx"})
    assert record["recordCount"] == 1
    ws = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in ws[1]]
    row = ws[2]
    amount = row[header.index("amount")]
    assert amount.data_type == "n" and amount.value == pytest.approx(2500.00)
    assert amount.number_format == "#,##0.00"
    assert row[header.index("createdAt")].is_date
    assert ws.freeze_panes == "A2"


def test_csv_export_escapes_formulas_and_filters(borrower: ApiUser) -> None:
    record, content = _export(
        borrower,
        {
            "type": "loans",
            "format": "csv",
            "fields": ["id", "purpose", "amount", "status"],
            "filters": {"status": "approved", "maxAmount": 44_000},
        },
    )
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert record["recordCount"] == len(rows) == 1
    assert list(rows[0]) == ["id", "purpose", "amount", "status"]
    assert rows[0]["purpose"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["amount"] == "40000"


def test_json_export_with_a_date_window(borrower: ApiUser) -> None:
    since = (utcnow() - timedelta(hours=1)).isoformat()
    _, content = _export(borrower, {"type": "loans", "format": "json", "filters": {"from": since}})
    data = json.loads(content)
    assert sorted(d["amount"] for d in data) == [40_000, 45_000, 90_000]
    assert {d["status"] for d in data} == {"approved", "rejected"}
    _, empty = _export(borrower, {"type": "loans", "format": "json", "filters": {"to": since}})
    assert json.loads(empty) == []


def test_history_lists_only_the_callers_exports(borrower: ApiUser) -> None:
    other = make_api_user()
    mine = borrower.get("/exports?limit=100").json()["data"]
    assert mine and all(e["object"] == "export" for e in mine)
    assert other.get("/exports").json()["data"] == []
    assert other.get(f"/exports/{mine[0]['id']}").status_code == 404
    assert other.get(f"/exports/{mine[0]['id']}/file").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "users", "format": "csv"}, "type"),
        ({"type": "loans", "format": "pdf"}, "format"),
        ({"type": "loans", "fields": ["id", "password"]}, "fields"),
        ({"type": "crypto_orders", "filters": {"minAmount": 5}}, "filters.minAmount"),
        (
            {
                "type": "loans",
                "filters": {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
            },
            "filters.to",
        ),
        ({"type": "loans", "extra": 1}, "extra"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(body: dict[str, Any], field: str) -> None:
    user = make_api_user()
    resp = user.post("/exports", body)
    assert resp.status_code == 400, resp.text
    assert field in {e["field"] for e in resp.json()["errors"]}
    logs = (
        store.db()
        .collection(service.EXPORT_LOGS)
        .where(filter=FieldFilter("userId", "==", user.uid))
        .get()
    )
    assert logs == []


def test_expired_files_are_deleted_and_gone(borrower: ApiUser) -> None:
    from coinbox_platform import storage

    record, _ = _export(borrower, {"type": "loans", "format": "csv"})
    path = (
        store.db().collection(service.EXPORT_LOGS).document(record["id"]).get().get("storagePath")
    )
    assert storage.bucket().blob(path).exists()
    assert service.delete_expired(now=utcnow() + timedelta(hours=25)) >= 1
    assert not storage.bucket().blob(path).exists()
    assert borrower.get(f"/exports/{record['id']}").json()["status"] == "expired"
    gone = borrower.get(f"/exports/{record['id']}/file")
    assert gone.status_code == 410
    assert gone.json()["code"] == "export_expired"
