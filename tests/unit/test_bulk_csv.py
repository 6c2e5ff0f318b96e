"""Bulk CSV reading and the result arithmetic: no emulator needed."""

from __future__ import annotations

import csv
import io

import pytest

from coinbox_platform.api.routes.bulk import TEMPLATES, _example, columns_of
from coinbox_platform.api.schemas.loans import LoanCreate
from coinbox_platform.bulk import csvfile
from coinbox_platform.bulk.results import (
    FAILED,
    SUCCEEDED,
    ItemError,
    ItemOutcome,
    batch_status,
    summary,
)
from coinbox_platform.errors import InvalidRequest

LOANS = columns_of(LoanCreate)


def test_columns_come_from_the_single_item_model() -> None:
    assert {"amount": int, "interestRate": int, "termDays": int, "purpose": str} == LOANS


def test_cells_become_the_json_item_would_be() -> None:
    raw = b"amount,interestRate,termDays,purpose\r\n45000,18,30,Stock\r\n4.5,x,,  Tools \r\n"
    assert csvfile.parse(raw, LOANS, max_rows=20) == [
        {"amount": 45000, "interestRate": 18, "termDays": 30, "purpose": "Stock"},
        {"amount": "4.5", "interestRate": "x", "purpose": "Tools"},  # empty cell: absent
    ]


def test_bom_blank_lines_and_column_order() -> None:
    raw = "\ufeffpurpose,amount\n\nA,1\n\n,2\n".encode()
    assert csvfile.parse(raw, LOANS, max_rows=20) == [{"purpose": "A", "amount": 1}, {"amount": 2}]


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"", "missing_header"),
        (b"amount,colour\n1,red\n", "unknown_column"),
        (b"amount,amount\n1,2\n", "duplicate_column"),
        (b"amount\n", "empty"),
        (b"amount\n1,2\n", "too_many_cells"),
        (b"\xff\xfe\x00", "invalid_encoding"),
        (b"amount\n" + b"1\n" * 21, "too_many_items"),
    ],
)
def test_a_file_that_is_not_a_table_of_the_columns_is_a_400(raw: bytes, code: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        csvfile.parse(raw, LOANS, max_rows=20)
    assert info.value.errors[0].code == code


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_each_template_is_its_header_and_an_example_the_model_accepts(kind: str) -> None:
    model = TEMPLATES[kind]
    raw = csvfile.template(list(columns_of(model)), _example(model))
    rows = list(csv.reader(io.StringIO(raw.decode())))
    assert rows[0] == list(columns_of(model)) and len(rows) == 2
    (item,) = csvfile.parse(raw, columns_of(model), max_rows=20)
    model.model_validate(item)


def test_batch_status_and_summary() -> None:
    assert batch_status(3, 0) == "completed"
    assert batch_status(0, 3) == "failed"
    assert batch_status(2, 1) == "partial"
    outcomes = [
        ItemOutcome(0, SUCCEEDED, "loan_a"),
        ItemOutcome(1, FAILED, errors=[ItemError("amount", "missing", "Field required")]),
        ItemOutcome(2),
    ]
    s = summary(outcomes)
    assert (s["status"], s["succeeded"], s["failed"], s["totalItems"]) == ("partial", 1, 2, 3)
    assert s["items"][1]["error"] == {
        "field": "amount",
        "code": "missing",
        "message": "Field required",
    }
    assert s["items"][2] == {"index": 2, "status": "skipped", "id": None, "error": None}
    assert s["errors"] == [
        {"index": 1, "field": "amount", "code": "missing", "message": "Field required"}
    ]
