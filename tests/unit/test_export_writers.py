"""The export writers: formats, typed XLSX cells, formula-injection escaping."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from coinbox_platform.errors import InvalidRequest
from coinbox_platform.exports.catalog import TYPES
from coinbox_platform.exports.service import ExportSpec
from coinbox_platform.exports.writers import escape_formula, open_writer

WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
TXNS = TYPES["transactions"]
ROWS = [
    {
        "id": "txn_a",
        "type": "deposit",
        "status": "completed",
        "direction": "credit",
        "asset": "ZAR",
        "amount": 150_025,
        "balanceBefore": 0,
        "balanceAfter": 150_025,
        "description": '=HYPERLINK("http://evil")',
        "createdAt": WHEN,
    },
    {
        "id": "txn_b",
        "type": "crypto_buy",
        "status": "completed",
        "direction": "credit",
        "asset": "BTC",
        "amount": 1_500_000,
        "balanceBefore": 0,
        "balanceAfter": 1_500_000,
        "description": "-2+3",
        "createdAt": WHEN,
    },
]


def _write(fmt: str, rows: list[dict[str, object]] = ROWS) -> bytes:
    out = io.BytesIO()
    writer = open_writer(fmt, out, list(TXNS.columns), "transactions")
    for row in rows:
        writer.write(row)
    writer.close()
    return out.getvalue()


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_escaped(text: str) -> None:
    assert escape_formula(text) == "'" + text


def test_plain_text_is_left_alone() -> None:
    assert escape_formula("Stock for the shop") == "Stock for the shop"


def test_csv_has_header_api_values_and_escaped_text() -> None:
    rows = list(csv.DictReader(io.StringIO(_write("csv").decode())))
    assert list(rows[0]) == TXNS.default_fields
    assert rows[0]["amount"] == "150025"  # cents, as the API shows money
    assert rows[1]["amount"] == "0.01500000"  # crypto as a decimal string
    assert rows[0]["description"].startswith("'=")
    assert rows[1]["description"] == "'-2+3"
    assert rows[0]["createdAt"] == "2026-03-04T05:06:07.000Z"


def test_json_is_one_array_of_objects() -> None:
    data = json.loads(_write("json"))
    assert [r["id"] for r in data] == ["txn_a", "txn_b"]
    assert data[0]["amount"] == 150_025
    assert json.loads(_write("json", [])) == []


def test_xlsx_cells_are_typed_and_the_header_frozen() -> None:
    wb = load_workbook(io.BytesIO(_write("xlsx")))
    ws = wb.active
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == TXNS.default_fields
    col = {name: i for i, name in enumerate(header)}
    zar, btc = list(ws.iter_rows(min_row=2, values_only=False))
    assert zar[col["amount"]].value == pytest.approx(1500.25)
    assert zar[col["amount"]].data_type == "n"
    assert zar[col["amount"]].number_format == "#,##0.00"
    assert btc[col["amount"]].value == pytest.approx(float(Decimal("0.015")))
    assert zar[col["createdAt"]].is_date
    assert zar[col["createdAt"]].value == datetime(2026, 3, 4, 5, 6, 7)
    assert zar[col["description"]].value.startswith("'=")
    assert ws[1][0].font.b


def test_spec_validation_names_every_bad_field() -> None:
    with pytest.raises(InvalidRequest) as exc:
        ExportSpec(
            type="crypto_orders", format="pdf", fields=["id", "nope"], min_amount=5
        ).validate()
    fields = {e.field for e in exc.value.errors}
    assert fields == {"format", "fields", "filters.minAmount"}
