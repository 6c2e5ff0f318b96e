"""Streaming writers: rows in, a file on disk out, memory flat whatever the row count.

Values arrive as stored (cents, atoms, datetimes). CSV and JSON show them as the API does
(integer cents, decimal-string quantities, ISO 8601 times); XLSX uses typed cells: amounts in
rands as numbers with a 2-decimal format, quantities as numbers, times as dates.

Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) is escaped
with a leading apostrophe in every format (OWASP CSV injection guidance).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, Any, Protocol

from coinbox_platform.clock import iso
from coinbox_platform.exports.catalog import Column, Kind
from coinbox_platform.money import ATOMS_PER_UNIT, ZAR, format_quantity

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def escape_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _asset(column: Column, row: dict[str, Any]) -> str | None:
    if column.kind == Kind.QUANTITY:
        return str(row.get("asset") or "BTC")
    if column.kind == Kind.ASSET_AMOUNT:
        return str(row.get("asset") or ZAR)
    return None


def text_value(column: Column, row: dict[str, Any]) -> Any:
    """The API's JSON value of a cell (None for a missing one)."""
    value = row.get(column.name)
    if value is None:
        return None
    asset = _asset(column, row)
    if asset is not None and asset != ZAR:
        return format_quantity(int(value), asset)
    if column.kind == Kind.DATETIME and isinstance(value, datetime):
        return iso(value)
    if column.kind in (Kind.MONEY, Kind.INT, Kind.ASSET_AMOUNT):
        return int(value)
    if column.kind == Kind.NUMBER:
        return value
    return escape_formula(str(value))


class RowWriter(Protocol):
    def write(self, row: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    def __init__(self, out: IO[bytes], columns: list[Column]) -> None:
        import io

        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        self._csv = csv.writer(self._text)
        self._columns = columns
        self._csv.writerow([c.name for c in columns])

    def write(self, row: dict[str, Any]) -> None:
        values = (text_value(c, row) for c in self._columns)
        self._csv.writerow(["" if v is None else v for v in values])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class JsonWriter:
    """A JSON array of objects, written element by element."""

    def __init__(self, out: IO[bytes], columns: list[Column]) -> None:
        self._out = out
        self._columns = columns
        self._first = True
        out.write(b"[")

    def write(self, row: dict[str, Any]) -> None:
        obj = {c.name: text_value(c, row) for c in self._columns}
        self._out.write((b"\n" if self._first else b",\n") + json.dumps(obj).encode())
        self._first = False

    def close(self) -> None:
        self._out.write(b"\n]\n" if not self._first else b"]\n")


class XlsxWriter:
    """openpyxl in write-only mode: rows stream to a temporary XML part, not into memory."""

    MONEY_FORMAT = "#,##0.00"
    DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"

    def __init__(self, out: IO[bytes], columns: list[Column], title: str) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._out = out
        self._columns = columns
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(title[:31])
        self._ws.freeze_panes = "A2"
        self._cell = WriteOnlyCell
        bold = Font(bold=True)
        header = []
        for c in columns:
            cell = WriteOnlyCell(self._ws, value=c.name)
            cell.font = bold
            header.append(cell)
        self._ws.append(header)

    def _typed(self, column: Column, row: dict[str, Any]) -> Any:
        value = row.get(column.name)
        if value is None:
            return None
        asset = _asset(column, row)
        if column.kind == Kind.MONEY or (asset == ZAR and column.kind == Kind.ASSET_AMOUNT):
            cell = self._cell(self._ws, value=Decimal(int(value)) / 100)
            cell.number_format = self.MONEY_FORMAT
            return cell
        if asset is not None:
            places = len(format_quantity(int(value), asset).split(".")[1])
            cell = self._cell(self._ws, value=Decimal(int(value)) / ATOMS_PER_UNIT)
            cell.number_format = "0." + "0" * places
            return cell
        if column.kind == Kind.DATETIME and isinstance(value, datetime):
            # Excel has no time zones: write UTC wall time (the column header says UTC).
            naive = value.astimezone(UTC).replace(tzinfo=None)
            cell = self._cell(self._ws, value=naive)
            cell.number_format = self.DATE_FORMAT
            return cell
        if column.kind in (Kind.INT, Kind.NUMBER):
            return value
        return escape_formula(str(value))

    def write(self, row: dict[str, Any]) -> None:
        self._ws.append([self._typed(c, row) for c in self._columns])

    def close(self) -> None:
        self._wb.save(self._out)


def open_writer(fmt: str, out: IO[bytes], columns: list[Column], title: str) -> RowWriter:
    if fmt == "csv":
        return CsvWriter(out, columns)
    if fmt == "json":
        return JsonWriter(out, columns)
    if fmt == "xlsx":
        return XlsxWriter(out, columns, title)
    raise ValueError(f"unknown export format {fmt!r}")
