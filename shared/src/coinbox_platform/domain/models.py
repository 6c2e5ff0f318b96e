"""The domain's documents as typed models.

Field names are the stored (and API) camelCase names; Python code uses snake_case through
aliases. `from_doc` reads a Firestore document, `to_doc` writes one, `to_api` is the public JSON
shape (ISO times, crypto quantities as decimal strings).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from coinbox_platform.clock import iso
from coinbox_platform.money import Asset, format_quantity
from coinbox_platform.tiers import KycStatus, MembershipTier, Role


class Document(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")
    object_name: ClassVar[str] = ""
    collection: ClassVar[str] = ""  # where the documents live

    id: str

    @classmethod
    def from_doc(cls, doc_id: str, data: dict[str, Any]) -> Self:
        return cls.model_validate({**data, "id": doc_id})

    @classmethod
    def fetch(cls, doc_id: str, transaction: Any = None) -> Self | None:
        """The document by id (read in `transaction` when given), or None."""
        from coinbox_platform import store

        snap = store.db().collection(cls.collection).document(doc_id).get(transaction=transaction)
        return cls.from_doc(doc_id, snap.to_dict() or {}) if snap.exists else None

    @classmethod
    def require(cls, doc_id: str, transaction: Any = None, *, label: str = "") -> Self:
        """The document by id, or NotFound ("No <label> <id>.")."""
        from coinbox_platform.errors import NotFound

        found = cls.fetch(doc_id, transaction)
        if found is None:
            raise NotFound(f"No {label or cls.object_name} {doc_id}.")
        return found

    @classmethod
    def require_owned(
        cls, doc_id: str, uid: str, *, owner: str = "user_id", label: str = ""
    ) -> Self:
        """The document if `uid` is in its `owner` field; a missing document and another
        user's are the same NotFound ("No <label> <id>."), so ids cannot be probed."""
        from coinbox_platform.errors import NotFound

        found = cls.fetch(doc_id)
        if found is None or getattr(found, owner) != uid:
            raise NotFound(f"No {label or cls.object_name} {doc_id}.")
        return found

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude={"id"})

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "object": self.object_name}
        for key, value in self.model_dump(by_alias=True, exclude={"id"}).items():
            out[key] = iso(value) if isinstance(value, datetime) else value
        return out


class UserProfile(Document):
    object_name: ClassVar[str] = "user"
    collection: ClassVar[str] = "users"
    email: str | None = None
    display_name: str | None = None
    role: Role = Role.USER
    membership_tier: MembershipTier = MembershipTier.BASIC
    kyc_status: KycStatus = KycStatus.PENDING
    kyc_reason: str | None = None
    created_at: datetime
    updated_at: datetime | None = None

    @property
    def uid(self) -> str:
        return self.id


class LoanStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"


class Loan(Document):
    object_name: ClassVar[str] = "loan"
    collection: ClassVar[str] = "loans"
    borrower_id: str
    amount: int
    interest_rate: int
    term_days: int
    purpose: str
    status: LoanStatus
    reason: str | None = None
    investor_id: str | None = None
    investment_id: str | None = None
    total_due: int | None = None
    repaid: int = 0
    due_at: datetime | None = None
    expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime | None = None
    disbursed_at: datetime | None = None
    completed_at: datetime | None = None
    batch_id: str | None = None

    @property
    def outstanding(self) -> int:
        return (self.total_due or 0) - self.repaid


class InvestmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"


class Investment(Document):
    object_name: ClassVar[str] = "investment"
    collection: ClassVar[str] = "investments"
    investor_id: str
    borrower_id: str
    loan_id: str
    amount: int
    fee: int
    expected_return: int
    received: int = 0
    status: InvestmentStatus
    created_at: datetime
    updated_at: datetime | None = None
    batch_id: str | None = None


class OrderSide(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class CryptoOrder(Document):
    object_name: ClassVar[str] = "crypto_order"
    collection: ClassVar[str] = "cryptoOrders"
    user_id: str
    asset: Asset
    side: OrderSide
    quantity: int  # atoms
    price: int  # cents per unit
    value: int
    fee: int
    status: OrderStatus
    taker_id: str | None = None
    created_at: datetime
    expires_at: datetime
    filled_at: datetime | None = None
    updated_at: datetime | None = None
    volume_day: str  # the UTC day whose volume bucket counts this order
    batch_id: str | None = None

    def to_api(self) -> dict[str, Any]:
        out = super().to_api()
        out["quantity"] = format_quantity(self.quantity, self.asset)
        out.pop("volumeDay", None)
        return out


class LedgerType(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    INVESTMENT = "investment"
    DISBURSEMENT = "disbursement"
    REPAYMENT = "repayment"
    FEE = "fee"
    CRYPTO_BUY = "crypto_buy"
    CRYPTO_SELL = "crypto_sell"
    REFUND = "refund"


class Direction(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


class LedgerStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class LedgerEntry(Document):
    """One wallet change. `balance*` is the available amount of `asset`, `locked*` its locked
    part; `walletVersion` numbers the wallet's changes 1, 2, 3… with no gap."""

    object_name: ClassVar[str] = "transaction"
    collection: ClassVar[str] = "transactions"
    user_id: str
    type: LedgerType
    amount: int
    asset: str  # "ZAR" or a crypto asset (amount in atoms)
    direction: Direction
    balance_before: int
    balance_after: int
    locked_before: int
    locked_after: int
    status: LedgerStatus
    wallet_version: int
    description: str | None = None
    loan_id: str | None = None
    investment_id: str | None = None
    order_id: str | None = None
    related_transaction_id: str | None = None
    batch_id: str | None = None
    failure_reason: str | None = None
    created_at: datetime
    updated_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        out = super().to_api()
        if self.asset != "ZAR":
            for key in ("amount", "balanceBefore", "balanceAfter", "lockedBefore", "lockedAfter"):
                out[key] = format_quantity(out[key], self.asset)
        return out


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Notification(Document):
    object_name: ClassVar[str] = "message"
    collection: ClassVar[str] = "notifications"
    user_id: str
    title: str
    body: str
    priority: Priority = Priority.NORMAL
    status: str = "unread"
    sender_id: str | None = None
    batch_id: str | None = None
    created_at: datetime
    read_at: datetime | None = None
