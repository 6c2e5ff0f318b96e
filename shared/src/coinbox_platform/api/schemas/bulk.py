"""Bulk operations at the API boundary: the bodies of the four bulk requests (each item the
single request's model), the query of a CSV upload and the batch as the API shows it."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from coinbox_platform.api.schemas import ApiModel, ListParams, Page, cursor_after
from coinbox_platform.api.schemas.crypto import OrderCreate
from coinbox_platform.api.schemas.investments import InvestmentCreate
from coinbox_platform.api.schemas.loans import LoanCreate
from coinbox_platform.domain.messages import MAX_BODY as MAX_MESSAGE_BODY
from coinbox_platform.domain.messages import MAX_TITLE
from coinbox_platform.domain.models import Priority


class BulkMode(StrEnum):
    INDEPENDENT = "independent"
    ATOMIC = "atomic"


class BulkParams(ApiModel):
    mode: BulkMode | None = Field(
        None,
        description="`independent` (default) or `atomic`; for CSV uploads (a JSON body says "
        "`mode` itself).",
    )


class MessageItem(ApiModel):
    """One message to one user, named by user id or e-mail."""

    recipient: str = Field(min_length=1, max_length=320, examples=["thandi@example.com"])
    title: str = Field(min_length=1, max_length=MAX_TITLE, examples=["Scheduled maintenance"])
    body: str = Field(min_length=1, max_length=MAX_MESSAGE_BODY)
    priority: Priority = Priority.NORMAL


class GroupMessageIn(ApiModel):
    group: str = Field(pattern=r"^(all|borrowers|investors|tier:(basic|ambassador|vip|business))$")
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    body: str = Field(min_length=1, max_length=MAX_MESSAGE_BODY)
    priority: Priority = Priority.NORMAL


class _BulkBody(ApiModel):
    mode: BulkMode = Field(BulkMode.INDEPENDENT, description="`independent` or `atomic`.")


class BulkLoansBody(_BulkBody):
    """Up to 20 loans; or the same columns as CSV (`Content-Type: text/csv`)."""

    items: list[LoanCreate] = Field(min_length=1, max_length=20)


class BulkInvestmentsBody(_BulkBody):
    """Up to 20 fundings; or the same columns as CSV (`Content-Type: text/csv`)."""

    items: list[InvestmentCreate] = Field(min_length=1, max_length=20)


class BulkCryptoOrdersBody(_BulkBody):
    """Up to 20 listings; or the same columns as CSV (`Content-Type: text/csv`)."""

    items: list[OrderCreate] = Field(min_length=1, max_length=20)


class BulkMessagesBody(_BulkBody):
    """Either `items` (≤50 explicit recipients; top-level title/body/priority are defaults
    for the items) or one `group` with title, body and priority."""

    items: list[MessageItem] | None = Field(None, min_length=1, max_length=50)
    group: str | None = Field(
        None, pattern=r"^(all|borrowers|investors|tier:(basic|ambassador|vip|business))$"
    )
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE)
    body: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE_BODY)
    priority: Priority | None = None


class BulkItemError(ApiModel):
    field: str | None = Field(description="The item's field at fault, if one is.")
    code: str = Field(examples=["insufficient_funds"])
    message: str


class BulkItemOut(ApiModel):
    index: int = Field(description="0-based, in the order sent (CSV: data rows after the header).")
    status: Literal["succeeded", "failed", "skipped"] = Field(
        description="`skipped`: valid, but not written because another item of an atomic "
        "batch failed."
    )
    id: str | None = Field(description="The object created (loan_, inv_, ord_ or msg_ id).")
    error: BulkItemError | None


class BulkIndexedError(BulkItemError):
    index: int


class BulkProgress(ApiModel):
    recipients_total: int | None = Field(
        description="Recipients of the group (for borrowers/investors: known once planned)."
    )
    delivered: int


class BulkResultOut(ApiModel):
    """A bulk batch and its outcome."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "bat_1Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik",
                    "object": "bulk_batch",
                    "batchId": "bat_1Qa2Ws3Ed4Rf5Tg6Yh7Uj8Ik",
                    "operation": "investments",
                    "mode": "independent",
                    "status": "partial",
                    "totalItems": 2,
                    "succeeded": 1,
                    "failed": 1,
                    "items": [
                        {"index": 0, "status": "succeeded", "id": "inv_7GhT2k", "error": None},
                        {
                            "index": 1,
                            "status": "failed",
                            "id": None,
                            "error": {
                                "field": "amount",
                                "code": "insufficient_funds",
                                "message": "Insufficient balance for this operation.",
                            },
                        },
                    ],
                    "errors": [
                        {
                            "index": 1,
                            "field": "amount",
                            "code": "insufficient_funds",
                            "message": "Insufficient balance for this operation.",
                        }
                    ],
                    "durationMs": 412.5,
                    "createdAt": "2026-01-02T10:00:00.000Z",
                    "completedAt": "2026-01-02T10:00:00.412Z",
                }
            ]
        }
    )

    id: str
    object: str = "bulk_batch"
    batch_id: str
    operation: Literal["loans", "investments", "crypto_orders", "messages"]
    mode: BulkMode
    status: Literal["running", "completed", "partial", "failed"]
    total_items: int
    succeeded: int
    failed: int
    items: list[BulkItemOut]
    errors: list[BulkIndexedError] = Field(description="Every item error, by item index.")
    duration_ms: float | None
    created_at: str
    completed_at: str | None
    group: str | None = Field(None, description="Group messages: the group.")
    progress: BulkProgress | None = Field(None, description="Group messages: the fan-out.")


class BulkList(Page[BulkResultOut]):
    pass


class BulkListParams(ListParams):
    operation: Literal["loans", "investments", "crypto_orders", "messages"] | None = Field(
        None, description="Only batches of this operation."
    )
    starting_after: str | None = cursor_after(r"^bat_[0-9A-Za-z]{1,64}$", "batch")
