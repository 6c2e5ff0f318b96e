"""CSV in and out for bulk requests: the same columns as the JSON items.

`parse` turns an uploaded file into the item dicts the JSON body would have held, so the one
validation path gives the same per-item errors for both: a cell of an integer column that is
an integer becomes an int, every other cell stays a string, an empty cell is an absent field.
Data rows are numbered from 0 after the header (blank lines are skipped, as a spreadsheet
export may end with one).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from coinbox_platform.errors import FieldError, InvalidRequest

_INTEGER = re.compile(r"[+-]?[0-9]+")
MAX_CELL = 10_000


def _refuse(detail: str, field: str, code: str) -> InvalidRequest:
    return InvalidRequest(detail, code="invalid_csv", errors=[FieldError(field, detail, code)])


def parse(raw: bytes, columns: Mapping[str, type], *, max_rows: int) -> list[dict[str, Any]]:
    """The data rows of a CSV file as item dicts. `columns` maps each allowed header to int or
    str. Raises InvalidRequest (400) for a file that is not a table of those columns."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("The CSV file must be UTF-8.", "body", "invalid_encoding") from exc
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise _refuse(f"The CSV file cannot be read: {exc}.", "body", "invalid_csv") from exc
    if not rows:
        raise _refuse("The CSV file has no header row.", "header", "missing_header")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise _refuse(
            f"Unknown column(s) {', '.join(map(repr, unknown))}; the columns are "
            f"{', '.join(columns)}.",
            "header",
            "unknown_column",
        )
    if len(set(header)) != len(header):
        raise _refuse("A column is named twice in the header.", "header", "duplicate_column")
    data = rows[1:]
    if not data:
        raise _refuse("The CSV file has no data rows.", "items", "empty")
    if len(data) > max_rows:
        raise InvalidRequest(
            f"At most {max_rows} items per request; the file has {len(data)}.",
            code="too_many_items",
            errors=[FieldError("items", f"at most {max_rows}", "too_many_items")],
        )
    items = []
    for index, row in enumerate(data):
        if len(row) > len(header):
            raise _refuse(
                f"Row {index} has {len(row)} cells; the header has {len(header)}.",
                f"items.{index}",
                "too_many_cells",
            )
        item: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            value = cell.strip()[:MAX_CELL]
            if not value:
                continue
            item[name] = int(value) if columns[name] is int and _INTEGER.fullmatch(value) else value
        items.append(item)
    return items


def template(columns: Sequence[str], example: Mapping[str, Any]) -> bytes:
    """A CSV template: the header and one example row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow(["" if example.get(c) is None else example[c] for c in columns])
    return out.getvalue().encode()
