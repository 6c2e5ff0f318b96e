"""What each export type reads and which columns it can write.

A type over a domain collection names its stored model (domain/models.py), the one definition
of the resource's fields: every column must be one of the model's fields (camelCase) with a
compatible type, checked when the catalogue is built, so a renamed or retyped field cannot
leave an export column behind."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

from coinbox_platform.domain.models import CryptoOrder, Document, Investment, LedgerEntry, Loan


class Kind(StrEnum):
    """How a column is typed: drives CSV/JSON text and XLSX cell types."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"  # integer cents; XLSX shows rands with 2 decimals
    ASSET_AMOUNT = "asset_amount"  # cents when the row's asset is ZAR, else crypto atoms
    QUANTITY = "quantity"  # crypto atoms of the row's asset
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class ExportType:
    name: str
    collection: str
    owner_field: str
    time_field: str
    columns: tuple[Column, ...]
    has_amount: bool = True  # minAmount / maxAmount apply to the `amount` column
    has_status: bool = True
    model: type[Document] | None = None  # the stored model of the collection's documents

    def __post_init__(self) -> None:
        if self.model is not None:
            check_columns(self, self.model)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def default_fields(self) -> list[str]:
        return [c.name for c in self.columns]


# What a column of each kind may hold, as the stored model types it (None aside).
KIND_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.TEXT: (str, Enum),
    Kind.INT: (int,),
    Kind.MONEY: (int,),
    Kind.ASSET_AMOUNT: (int,),
    Kind.QUANTITY: (int,),
    Kind.NUMBER: (int, float),
    Kind.DATETIME: (datetime,),
}


def _types_of(annotation: object) -> set[type]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return {t for a in typing.get_args(annotation) for t in _types_of(a)}
    if typing.get_origin(annotation) is typing.Literal:
        return {type(a) for a in typing.get_args(annotation)}
    return {annotation} if isinstance(annotation, type) else set()


def check_columns(export_type: ExportType, model: type[Document]) -> None:
    """Every column is a field of `model` whose type fits the column's kind (ValueError)."""
    if model.collection != export_type.collection:
        raise ValueError(f"{export_type.name}: {model.__name__} lives in {model.collection}")
    fields = {(info.alias or name): info.annotation for name, info in model.model_fields.items()}
    for column in export_type.columns:
        if column.name not in fields:
            raise ValueError(f"{export_type.name}: {model.__name__} has no field {column.name}")
        stored = _types_of(fields[column.name]) - {type(None)}
        allowed = KIND_TYPES[column.kind]
        if not stored or not all(issubclass(t, allowed) for t in stored):
            raise ValueError(
                f"{export_type.name}: column {column.name} ({column.kind}) does not fit "
                f"{model.__name__}.{column.name} {fields[column.name]}"
            )


C = Column
TYPES: dict[str, ExportType] = {
    t.name: t
    for t in (
        ExportType(
            "loans",
            "loans",
            "borrowerId",
            "createdAt",
            (
                C("id"),
                C("status"),
                C("amount", Kind.MONEY),
                C("interestRate", Kind.INT),
                C("termDays", Kind.INT),
                C("purpose"),
                C("reason"),
                C("investorId"),
                C("investmentId"),
                C("totalDue", Kind.MONEY),
                C("repaid", Kind.MONEY),
                C("dueAt", Kind.DATETIME),
                C("expiresAt", Kind.DATETIME),
                C("createdAt", Kind.DATETIME),
                C("batchId"),
            ),
            model=Loan,
        ),
        ExportType(
            "investments",
            "investments",
            "investorId",
            "createdAt",
            (
                C("id"),
                C("status"),
                C("loanId"),
                C("borrowerId"),
                C("amount", Kind.MONEY),
                C("fee", Kind.MONEY),
                C("expectedReturn", Kind.MONEY),
                C("received", Kind.MONEY),
                C("createdAt", Kind.DATETIME),
                C("batchId"),
            ),
            model=Investment,
        ),
        ExportType(
            "transactions",
            "transactions",
            "userId",
            "createdAt",
            (
                C("id"),
                C("type"),
                C("status"),
                C("direction"),
                C("asset"),
                C("amount", Kind.ASSET_AMOUNT),
                C("balanceBefore", Kind.ASSET_AMOUNT),
                C("balanceAfter", Kind.ASSET_AMOUNT),
                C("description"),
                C("loanId"),
                C("investmentId"),
                C("orderId"),
                C("createdAt", Kind.DATETIME),
            ),
            model=LedgerEntry,
        ),
        ExportType(
            "crypto_orders",
            "cryptoOrders",
            "userId",
            "createdAt",
            (
                C("id"),
                C("status"),
                C("asset"),
                C("side"),
                C("quantity", Kind.QUANTITY),
                C("price", Kind.MONEY),
                C("value", Kind.MONEY),
                C("fee", Kind.MONEY),
                C("takerId"),
                C("createdAt", Kind.DATETIME),
                C("expiresAt", Kind.DATETIME),
                C("filledAt", Kind.DATETIME),
                C("batchId"),
            ),
            has_amount=False,
            model=CryptoOrder,
        ),
        ExportType(
            "api_requests",
            "apiRequestLogs",
            "userId",
            "timestamp",
            (
                C("requestId"),
                C("keyId"),
                C("method"),
                C("route"),
                C("status", Kind.INT),
                C("latencyMs", Kind.NUMBER),
                C("ip"),
                C("userAgent"),
                C("timestamp", Kind.DATETIME),
            ),
            has_amount=False,
            has_status=False,
        ),
    )
}
