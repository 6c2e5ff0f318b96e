"""The CLI checks bulk CSV rows exactly as the API does: each row of a varied corpus is run
through the CLI's checker (coinbox.cli.bulkcsv, built on the SDK's generated models) and through
the API's own reading and validation (coinbox_platform: csvfile.parse + validate_items with the
single-item models and domain rules); they must agree on which rows fail and on which fields."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from coinbox.cli import bulkcsv

from coinbox_platform.api.routes import bulk as api_bulk
from coinbox_platform.api.schemas.bulk import MessageItem
from coinbox_platform.api.schemas.crypto import OrderCreate
from coinbox_platform.api.schemas.investments import InvestmentCreate
from coinbox_platform.api.schemas.loans import LoanCreate
from coinbox_platform.bulk import service

CELLS: dict[str, dict[str, list[str]]] = {
    "loans": {
        "amount": ["150000", "1", "0", "-5", "100000000", "100000001", "4.5", "abc", "", " 2000 "],
        "interestRate": ["15", "25", "14", "26", "18", "x", "", "18.0"],
        "termDays": ["7", "365", "6", "366", "30", "", "3e1"],
        "purpose": ["Stock", "   ", "", "a" * 200, "a" * 201, "Tools ", "ü✓"],
    },
    "investments": {
        "loanId": ["loan_3kTq9ZxR2bVhN7mLpQ4sWc1d", "loan_", "inv_abc", "", "loan_a-b", "loan_x"],
        "amount": ["150000", "0", "1", "100000001", "1.5", ""],
    },
    "crypto-orders": {
        "asset": ["BTC", "ETH", "USDT", "USDC", "DOGE", "btc", ""],
        "side": ["buy", "sell", "hold", ""],
        "quantity": [
            "0.015",
            "1",
            "0",
            "0.000000001",
            "0.1234567",
            "0.12345678",
            "01",
            "1e3",
            "9999999999",
            "0.00001",
            "",
        ],
        "price": ["120000000", "1", "0", "10000000000", "10000000001", "1.5", "", "100"],
    },
    "messages": {
        "recipient": ["thandi@example.com", "uid_123", "", "a" * 321],
        "title": ["Maintenance", "", "t" * 120, "t" * 121, "  "],
        "body": ["Tonight 22:00", "", "b" * 2001],
        "priority": ["normal", "urgent", "low", "high", "critical", ""],
    },
}
MODELS: dict[str, tuple[type[Any], Any]] = {
    "loans": (LoanCreate, api_bulk._loan_request),
    "investments": (InvestmentCreate, lambda b: service.FundingRequest(b.loan_id, b.amount)),
    "crypto-orders": (OrderCreate, api_bulk._order_request),
    "messages": (
        MessageItem,
        lambda m: service.MessageRequest(m.recipient, m.title, m.body, m.priority),
    ),
}


def _corpus(kind: str, n: int) -> bytes:
    rng = random.Random(f"{kind}-13")
    columns = CELLS[kind]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(list(columns))
    # the first value of every column is valid: one all-valid row, then one bad cell per row,
    # then random mixtures
    writer.writerow([v[0] for v in columns.values()])
    for name, values in columns.items():
        for value in values[1:]:
            writer.writerow([value if c == name else vs[0] for c, vs in columns.items()])
    for _ in range(n):
        writer.writerow([rng.choice(vs) for vs in columns.values()])
    return out.getvalue().encode()


def _api_outcome(kind: str, raw: bytes) -> list[set[str | None]]:
    model, convert = MODELS[kind]
    columns = api_bulk.columns_of(model)
    items = api_bulk.csvfile.parse(raw, columns, max_rows=10_000)
    checked = api_bulk.validate_items(items, model, convert)
    return [{e.field for e in item.errors} for item in checked]


@pytest.mark.parametrize("kind", list(CELLS))
def test_cli_and_api_agree_row_by_row(kind: str) -> None:
    raw = _corpus(kind, 300)
    api = _api_outcome(kind, raw)
    cli = [{e.column for e in row.errors} for row in bulkcsv.read(kind, raw).rows]
    if kind in ("investments", "messages"):  # the CLI also refuses a loan or user named twice
        dup = {"investments": "loanId", "messages": "recipient"}[kind]
        cli = [
            set() if fields == {dup} and not a else fields
            for fields, a in zip(cli, api, strict=True)
        ]
    assert len(api) == len(cli)
    disagreements = [
        (i, api_fields, cli_fields)
        for i, (api_fields, cli_fields) in enumerate(zip(api, cli, strict=True))
        if bool(api_fields) != bool(cli_fields) or (api_fields and api_fields != cli_fields)
    ]
    assert not disagreements, disagreements[:5]
    assert any(api) and not all(api)  # the corpus has both


def test_columns_match_the_api_columns() -> None:
    for kind, (model, _) in MODELS.items():
        assert list(bulkcsv.columns(kind)) == list(api_bulk.columns_of(model))
        ints = {name for name, typ in api_bulk.columns_of(model).items() if typ is int}
        assert {name for name, is_int in bulkcsv.columns(kind).items() if is_int} == ints


def test_unusable_files_are_refused_whole() -> None:
    for raw in (
        b"",
        b"amount,colour\n1,red\n",
        b"amount,amount\n1,2\n",
        b"amount,interestRate,termDays,purpose\n",
    ):
        with pytest.raises(bulkcsv.CsvFileError):
            bulkcsv.read("loans", raw)


def test_rows_carry_file_lines_and_duplicate_loans() -> None:
    raw = b"loanId,amount\n\nloan_abc,100\nloan_abc,100\nloan_def,x\n"
    rows = bulkcsv.read("investments", raw).rows
    assert [(r.index, r.line) for r in rows] == [(0, 3), (1, 4), (2, 5)]
    assert rows[0].valid and [e.code for e in rows[1].errors] == ["duplicate_loan"]
    assert [(e.column, e.code) for e in rows[2].errors] == [("amount", "int_type")]
