"""Client-side checks of a bulk CSV file, with the API's rules (before anything is sent).

The columns and field rules come from the generated request models (LoanCreate,
InvestmentCreate, OrderCreate, MessageItem: ranges, lengths, patterns and enums from the
OpenAPI document); the cells are read as the API reads them (an integer column's cell that is
an integer becomes an int, an empty cell is an absent field); then the domain rules the API
checks after the model: a purpose is not blank, a quantity has at most the asset's decimal
places and is above zero, an order is worth R10 to the maximum value, a loan is not named
twice (a loan, or a recipient). tests/unit/test_sdk_python_cli_validation.py compares the outcome with the API's own
validation, row by row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from coinbox import models

KINDS: dict[str, type[BaseModel]] = {
    "loans": models.LoanCreate,
    "investments": models.InvestmentCreate,
    "crypto-orders": models.OrderCreate,
    "messages": models.MessageItem,
}
BATCH_SIZE = {"loans": 20, "investments": 20, "crypto-orders": 20, "messages": 50}
MAX_CELL = 10_000
DECIMALS = {"BTC": 8, "ETH": 8, "USDT": 6, "USDC": 6}
ATOMS_PER_UNIT = 100_000_000
MIN_ORDER_VALUE = 1_000  # cents: R10
MAX_ORDER_VALUE = 1_000_000_000_000_000
_INTEGER = re.compile(r"[+-]?[0-9]+")
_QUANTITY = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,8})?$")


class CsvFileError(Exception):
    """The file is not a table of the kind's columns (nothing can be checked row by row)."""


@dataclass
class RowError:
    column: str | None
    code: str
    message: str


@dataclass
class Row:
    index: int  # 0-based among the data rows, as the API numbers items
    line: int  # 1-based line of the file
    cells: dict[str, str]  # as written in the file
    item: dict[str, Any]  # as the API reads it
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class CsvFile:
    kind: str
    header: list[str]
    rows: list[Row]


def columns(kind: str) -> dict[str, bool]:
    """The kind's CSV columns (the model's aliases) → whether the column holds integers."""
    out: dict[str, bool] = {}
    for name, info in KINDS[kind].model_fields.items():
        out[info.alias or name] = info.annotation is int
    return out


def read(kind: str, raw: bytes) -> CsvFile:
    """The rows of a CSV file, each checked; CsvFileError when the file itself is unusable."""
    if kind not in KINDS:
        raise CsvFileError(f"Unknown kind {kind!r}; choose {', '.join(KINDS)}.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFileError("The CSV file must be UTF-8.") from exc
    try:
        lines = list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as exc:
        raise CsvFileError(f"The CSV file cannot be read: {exc}.") from exc
    rows = [(n, r) for n, r in lines if any(c.strip() for c in r)]
    if not rows:
        raise CsvFileError("The CSV file has no header row.")
    cols = columns(kind)
    header = [h.strip() for h in rows[0][1]]
    unknown = [h for h in header if h not in cols]
    if unknown:
        raise CsvFileError(
            f"Unknown column(s) {', '.join(map(repr, unknown))}; the columns are {', '.join(cols)}."
        )
    if len(set(header)) != len(header):
        raise CsvFileError("A column is named twice in the header.")
    if len(rows) == 1:
        raise CsvFileError("The CSV file has no data rows.")
    out = []
    for index, (line, cells) in enumerate(rows[1:]):
        row = Row(index, line, dict(zip(header, cells, strict=False)), {})
        if len(cells) > len(header):
            row.errors.append(
                RowError(
                    None, "too_many_cells", f"{len(cells)} cells; the header has {len(header)}"
                )
            )
        for name, cell in zip(header, cells, strict=False):
            value = cell.strip()[:MAX_CELL]
            if value:
                row.item[name] = int(value) if cols[name] and _INTEGER.fullmatch(value) else value
        if not row.errors:
            row.errors = check(kind, row.item)
        out.append(row)
    _duplicates(kind, out)
    return CsvFile(kind, header, out)


def _duplicates(kind: str, rows: list[Row]) -> None:
    """A loan funded twice or a user messaged twice: the API refuses the second (in one
    batch); the CLI refuses it anywhere in the file, since it would fail in any batch."""
    column, code, message = {
        "investments": ("loanId", "duplicate_loan", "This loan is named twice."),
        "messages": ("recipient", "duplicate_recipient", "This user is named twice."),
    }.get(kind, (None, "", ""))
    if column is None:
        return
    seen: set[str] = set()
    for row in rows:
        value = row.item.get(column)
        if row.valid and isinstance(value, str):
            key = value.lower() if "@" in value else value
            if key in seen:
                row.errors.append(RowError(column, code, message))
            seen.add(key)


def check(kind: str, item: dict[str, Any]) -> list[RowError]:
    """The errors of one item (empty when the API would accept its fields)."""
    model = KINDS[kind]
    errors: list[RowError] = []
    ints = columns(kind)
    for name, value in item.items():
        if ints.get(name) and not isinstance(value, int):
            errors.append(RowError(name, "int_type", "Input should be a valid integer"))
    try:
        parsed = model.model_validate(
            {k: v for k, v in item.items() if k not in {e.column for e in errors}}
        )
    except ValidationError as exc:
        for e in exc.errors():
            column = ".".join(str(p) for p in e["loc"]) or None
            if column not in {x.column for x in errors}:
                errors.append(RowError(column, e["type"], e["msg"]))
        return errors
    if errors:
        return errors
    return _domain(kind, parsed)


def _domain(kind: str, parsed: BaseModel) -> list[RowError]:
    if isinstance(parsed, models.LoanCreate) and not parsed.purpose.strip():
        return [RowError("purpose", "invalid", "1 to 200 characters")]
    if isinstance(parsed, models.OrderCreate):
        asset = str(getattr(parsed.asset, "value", parsed.asset))
        quantity = parsed.quantity
        if not _QUANTITY.match(quantity):
            return [
                RowError("quantity", "invalid_quantity", 'must be a decimal string such as "0.015"')
            ]
        places = len(quantity.split(".")[1]) if "." in quantity else 0
        if places > DECIMALS[asset]:
            return [
                RowError(
                    "quantity",
                    "invalid_quantity",
                    f"{asset} allows at most {DECIMALS[asset]} decimal places",
                )
            ]
        atoms = int(Decimal(quantity) * ATOMS_PER_UNIT)
        if atoms <= 0:
            return [RowError("quantity", "invalid_quantity", "must be greater than zero")]
        value = int(
            (Decimal(atoms) * Decimal(parsed.price) / ATOMS_PER_UNIT).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
        if value > MAX_ORDER_VALUE:
            return [RowError(None, "value_error", "quantity × price is too large")]
        if value < MIN_ORDER_VALUE:
            return [RowError("quantity", "below_minimum", "value below R10.00")]
    return []


def to_csv(header: list[str], rows: list[Row]) -> bytes:
    """A batch of rows as the CSV body the API takes (the file's own header and cells)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.cells.get(h, "") for h in header])
    return out.getvalue().encode()
