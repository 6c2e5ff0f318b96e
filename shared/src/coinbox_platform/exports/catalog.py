"""What each export type reads and which columns it can write."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def default_fields(self) -> list[str]:
        return [c.name for c in self.columns]


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
