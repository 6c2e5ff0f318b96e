"""What a bulk batch reports: per-item outcomes and the batch result (docs/product.md §6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coinbox_platform.errors import CoinboxError

SUCCEEDED, FAILED, SKIPPED = "succeeded", "failed", "skipped"


@dataclass(frozen=True)
class ItemError:
    """Why one item failed: the field (None when no single field is at fault), a stable
    machine code and a message."""

    field: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ItemError:
        return cls(data.get("field"), str(data["code"]), str(data["message"]))


def errors_of(err: CoinboxError, default_field: str | None = None) -> list[ItemError]:
    """A domain refusal as item errors: its field errors, or the refusal itself."""
    if err.errors:
        return [ItemError(e.field, e.code, e.message) for e in err.errors]
    return [ItemError(default_field, err.code, err.detail)]


@dataclass
class ItemOutcome:
    index: int
    status: str = SKIPPED  # skipped: valid, but not written (an atomic batch that failed)
    id: str | None = None
    errors: list[ItemError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "id": self.id,
            "error": self.errors[0].to_dict() if self.errors else None,
        }


def batch_status(succeeded: int, failed: int) -> str:
    if failed == 0:
        return "completed"
    return "failed" if succeeded == 0 else "partial"


def summary(outcomes: list[ItemOutcome]) -> dict[str, Any]:
    """The counting part of a result: status, totals, items and every error by index."""
    succeeded = sum(1 for o in outcomes if o.status == SUCCEEDED)
    failed = len(outcomes) - succeeded
    return {
        "status": batch_status(succeeded, failed),
        "totalItems": len(outcomes),
        "succeeded": succeeded,
        "failed": failed,
        "items": [o.to_dict() for o in outcomes],
        "errors": [{"index": o.index, **e.to_dict()} for o in outcomes for e in o.errors],
    }
