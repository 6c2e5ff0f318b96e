# The generator gives a nullable constrained field a RootModel whose root defaults to None;
# pydantic never uses that default (the field holding it is optional), mypy flags it.
# mypy: disable-error-code="assignment"
"""Typed models of every request and response of the CoinBox API.

Generated from docs/openapi.json by sdks/python/scripts/generate.py (datamodel-code-generator);
do not edit. Field names are snake_case; the API's camelCase names are their aliases, and both
are accepted when building a model. Unknown fields sent by a newer API are kept, not refused.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel


class Scopes(RootModel[list[str]]):
    root: Annotated[
        list[str],
        Field(
            description="Within the tier's allowance; the tier's by default.",
            max_length=30,
            title="Scopes",
        ),
    ] = None


class ExpiresInDays(RootModel[int]):
    root: Annotated[int, Field(ge=1, le=365, title="Expiresindays")] = None


class UserId(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="Admins only: create the key for this user.",
            max_length=128,
            title="Userid",
        ),
    ] = None


class Status(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ApiKeyRotate(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    grace_period_seconds: Annotated[
        int | None,
        Field(
            alias="gracePeriodSeconds",
            description="How long the old key keeps working (0 s to 7 days).",
            ge=0,
            le=604800,
            title="Graceperiodseconds",
        ),
    ] = 0


class Name(RootModel[str]):
    root: Annotated[str, Field(max_length=100, min_length=1, title="Name")] = None


class Scopes1(RootModel[list[str]]):
    root: Annotated[list[str], Field(max_length=30, min_length=1, title="Scopes")] = None


class ApiKeyUpdate(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    name: Annotated[Name | None, Field(title="Name")] = None
    scopes: Annotated[Scopes1 | None, Field(title="Scopes")] = None


class ApiTier(StrEnum):
    BASIC = "basic"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class Asset(StrEnum):
    BTC = "BTC"
    ETH = "ETH"
    USDT = "USDT"
    USDC = "USDC"


class BulkIndexedError(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    field: Annotated[
        str | None,
        Field(description="The item's field at fault, if one is.", title="Field"),
    ]
    code: Annotated[str, Field(examples=["insufficient_funds"], title="Code")]
    message: Annotated[str, Field(title="Message")]
    index: Annotated[int, Field(title="Index")]


class BulkItemError(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    field: Annotated[
        str | None,
        Field(description="The item's field at fault, if one is.", title="Field"),
    ]
    code: Annotated[str, Field(examples=["insufficient_funds"], title="Code")]
    message: Annotated[str, Field(title="Message")]


class Status2(StrEnum):
    """
    `skipped`: valid, but not written because another item of an atomic batch failed.
    """

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class BulkItemOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    index: Annotated[
        int,
        Field(
            description="0-based, in the order sent (CSV: data rows after the header).",
            title="Index",
        ),
    ]
    status: Annotated[
        Status2,
        Field(
            description="`skipped`: valid, but not written because another item of an atomic batch failed.",
            title="Status",
        ),
    ]
    id: Annotated[
        str | None,
        Field(description="The object created (loan_, inv_, ord_ or msg_ id).", title="Id"),
    ]
    error: BulkItemError | None


class StartingAfter(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="A batch id from the previous page; the page starts after it.",
            pattern="^bat_[0-9A-Za-z]{1,64}$",
            title="Startingafter",
        ),
    ] = None


class Operation(StrEnum):
    """
    Only batches of this operation.
    """

    LOANS = "loans"
    INVESTMENTS = "investments"
    CRYPTO_ORDERS = "crypto_orders"
    MESSAGES = "messages"


class BulkListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter | None,
        Field(
            alias="startingAfter",
            description="A batch id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    operation: Annotated[
        Operation | None,
        Field(description="Only batches of this operation.", title="Operation"),
    ] = None


class Group(RootModel[str]):
    root: Annotated[
        str,
        Field(
            pattern="^(all|borrowers|investors|tier:(basic|ambassador|vip|business))$",
            title="Group",
        ),
    ] = None


class Title(RootModel[str]):
    root: Annotated[str, Field(max_length=200, min_length=1, title="Title")] = None


class Body(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, min_length=1, title="Body")] = None


class BulkMode(StrEnum):
    INDEPENDENT = "independent"
    ATOMIC = "atomic"


class BulkParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    mode: Annotated[
        BulkMode | None,
        Field(
            description="`independent` (default) or `atomic`; for CSV uploads (a JSON body says `mode` itself)."
        ),
    ] = None


class BulkProgress(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    recipients_total: Annotated[
        int | None,
        Field(
            alias="recipientsTotal",
            description="Recipients of the group (for borrowers/investors: known once planned).",
            title="Recipientstotal",
        ),
    ]
    delivered: Annotated[int, Field(title="Delivered")]


class Operation1(StrEnum):
    LOANS = "loans"
    INVESTMENTS = "investments"
    CRYPTO_ORDERS = "crypto_orders"
    MESSAGES = "messages"


class Status3(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"


class BulkResultOut(BaseModel):
    """
    A bulk batch and its outcome.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "bulk_batch"
    batch_id: Annotated[str, Field(alias="batchId", title="Batchid")]
    operation: Annotated[Operation1, Field(title="Operation")]
    mode: BulkMode
    status: Annotated[Status3, Field(title="Status")]
    total_items: Annotated[int, Field(alias="totalItems", title="Totalitems")]
    succeeded: Annotated[int, Field(title="Succeeded")]
    failed: Annotated[int, Field(title="Failed")]
    items: Annotated[list[BulkItemOut], Field(title="Items")]
    errors: Annotated[
        list[BulkIndexedError],
        Field(description="Every item error, by item index.", title="Errors"),
    ]
    duration_ms: Annotated[float | None, Field(alias="durationMs", title="Durationms")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    completed_at: Annotated[str | None, Field(alias="completedAt", title="Completedat")]
    group: Annotated[str | None, Field(description="Group messages: the group.", title="Group")] = (
        None
    )
    progress: Annotated[BulkProgress | None, Field(description="Group messages: the fan-out.")] = (
        None
    )


class Description(RootModel[str]):
    root: Annotated[str, Field(max_length=500, title="Description")] = None


class CreateWebhook(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    url: Annotated[
        str,
        Field(
            examples=["https://example.com/coinbox/webhooks"],
            max_length=2048,
            title="Url",
        ),
    ]
    events: Annotated[
        list[str] | None,
        Field(
            description='Event types, "loan.*" or "*" (default).',
            max_length=50,
            title="Events",
        ),
    ] = None
    description: Annotated[Description | None, Field(title="Description")] = None


class CryptoHolding(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    available: Annotated[str, Field(examples=["0.01500000"], title="Available")]
    locked: Annotated[str, Field(examples=["0.00000000"], title="Locked")]


class DeletedOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "webhook_endpoint"
    deleted: Annotated[bool | None, Field(title="Deleted")] = True


class DeliveryAttempt(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    at: Annotated[str, Field(title="At")]
    number: Annotated[int, Field(title="Number")]
    status_code: Annotated[int | None, Field(alias="statusCode", title="Statuscode")]
    latency_ms: Annotated[float, Field(alias="latencyMs", title="Latencyms")]
    response: Annotated[str | None, Field(title="Response")]
    error: Annotated[str | None, Field(title="Error")]
    retry_in_seconds: Annotated[
        float | None, Field(alias="retryInSeconds", title="Retryinseconds")
    ] = None


class StartingAfter1(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="An object id from the previous page; the page starts after it.",
            max_length=64,
            pattern="^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
            title="Startingafter",
        ),
    ] = None


class Status4(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class DeliveryListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter1 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    status: Annotated[Status4 | None, Field(title="Status")] = None


class Amount(RootModel[int]):
    root: Annotated[int, Field(examples=[150000], gt=0, le=100000000, title="Amount")] = None


class Quantity(RootModel[str]):
    root: Annotated[str, Field(examples=["0.015"], max_length=32, title="Quantity")] = None


class DepositIn(BaseModel):
    """
    Either `amount` (ZAR cents) or `asset` and `quantity` (a decimal string).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    amount: Annotated[Amount | None, Field(examples=[150000], title="Amount")] = None
    asset: Annotated[Asset | None, Field(examples=["BTC"])] = None
    quantity: Annotated[Quantity | None, Field(examples=["0.015"], title="Quantity")] = None


class Direction(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


class Type(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="Only events of this type, e.g. loan.approved.",
            max_length=64,
            title="Type",
        ),
    ] = None


class EventListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter1 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    type: Annotated[
        Type | None,
        Field(description="Only events of this type, e.g. loan.approved.", title="Type"),
    ] = None


class EventOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "event"
    type: Annotated[str, Field(title="Type")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    api_version: Annotated[str, Field(alias="apiVersion", title="Apiversion")]
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    data: Annotated[dict[str, Any], Field(title="Data")]


class Type1(StrEnum):
    LOANS = "loans"
    INVESTMENTS = "investments"
    TRANSACTIONS = "transactions"
    CRYPTO_ORDERS = "crypto_orders"
    API_REQUESTS = "api_requests"


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


class Status5(RootModel[str]):
    root: Annotated[
        str,
        Field(description="Only objects in this status.", max_length=32, title="Status"),
    ] = None


class MinAmount(RootModel[int]):
    root: Annotated[
        int,
        Field(description="amount ≥ (cents).", ge=0, le=1000000000000, title="Minamount"),
    ] = None


class MaxAmount(RootModel[int]):
    root: Annotated[
        int,
        Field(description="amount ≤ (cents).", ge=0, le=1000000000000, title="Maxamount"),
    ] = None


class ExportFilters(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    from_: Annotated[
        AwareDatetime | None,
        Field(alias="from", description="createdAt ≥ from (ISO 8601).", title="From"),
    ] = None
    to: Annotated[
        AwareDatetime | None,
        Field(description="createdAt < to (ISO 8601).", title="To"),
    ] = None
    status: Annotated[
        Status5 | None,
        Field(description="Only objects in this status.", title="Status"),
    ] = None
    min_amount: Annotated[
        MinAmount | None,
        Field(alias="minAmount", description="amount ≥ (cents).", title="Minamount"),
    ] = None
    max_amount: Annotated[
        MaxAmount | None,
        Field(alias="maxAmount", description="amount ≤ (cents).", title="Maxamount"),
    ] = None


class ExportListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter1 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None


class Status6(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "export"
    type: Annotated[str, Field(title="Type")]
    format: Annotated[str, Field(title="Format")]
    fields: Annotated[list[str], Field(title="Fields")]
    filters: Annotated[dict[str, Any], Field(title="Filters")]
    status: Annotated[Status6, Field(title="Status")]
    record_count: Annotated[
        int | None,
        Field(
            alias="recordCount",
            description="Rows written (progress while running).",
            title="Recordcount",
        ),
    ] = None
    total_records: Annotated[
        int | None,
        Field(
            alias="totalRecords",
            description="Rows matching, counted at the start.",
            title="Totalrecords",
        ),
    ] = None
    bytes: Annotated[int | None, Field(title="Bytes")] = None
    sha256: Annotated[str | None, Field(title="Sha256")] = None
    file_name: Annotated[str | None, Field(alias="fileName", title="Filename")] = None
    error: Annotated[str | None, Field(title="Error")] = None
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    started_at: Annotated[str | None, Field(alias="startedAt", title="Startedat")] = None
    completed_at: Annotated[str | None, Field(alias="completedAt", title="Completedat")] = None
    expires_at: Annotated[
        str | None,
        Field(
            alias="expiresAt",
            description="When the file is deleted (24 h).",
            title="Expiresat",
        ),
    ] = None


class Health(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    status: Annotated[str, Field(examples=["ok"], title="Status")]
    version: Annotated[str, Field(examples=["0.1.0"], title="Version")]


class InvestmentCreate(BaseModel):
    """
    Fund a whole loan: `amount` must equal the loan's amount. The R10 funding fee is charged
    on top of it.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    loan_id: Annotated[
        str,
        Field(
            alias="loanId",
            description="The loan to fund (open on the marketplace).",
            examples=["loan_3kTq9ZxR2bVhN7mLpQ4sWc1d"],
            pattern="^loan_[0-9A-Za-z]{1,64}$",
            title="Loanid",
        ),
    ]
    amount: Annotated[
        int,
        Field(
            description="ZAR cents; must equal the loan amount.",
            examples=[150000],
            ge=1,
            le=100000000,
            title="Amount",
        ),
    ]


class StartingAfter4(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="An investment id from the previous page; the page starts after it.",
            pattern="^inv_[0-9A-Za-z]{1,64}$",
            title="Startingafter",
        ),
    ] = None


class InvestmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"


class KycStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class LedgerStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


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


class ListEnvelope(BaseModel):
    """
    Every list response: `{object: "list", data, hasMore, nextCursor}`.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[dict[str, Any]], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class StartingAfter5(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="An object id from the previous page; the page starts after it.",
            max_length=64,
            pattern="^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
            title="Startingafter",
        ),
    ] = None


class ListParams(BaseModel):
    """
    Cursor pagination: `?limit=` (1–100, default 20) and `?startingAfter=<id>`.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter5 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None


class LoanCreate(BaseModel):
    """
    A loan request. The automatic review decides at once: `approved` (open for funding for
    7 days) or `rejected` with a `reason`.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    amount: Annotated[
        int,
        Field(
            description="Principal in ZAR cents (150000 is R1,500.00).",
            examples=[150000],
            ge=1,
            le=100000000,
            title="Amount",
        ),
    ]
    interest_rate: Annotated[
        int,
        Field(
            alias="interestRate",
            description="Interest for the whole term, in percent.",
            examples=[18],
            ge=15,
            le=25,
            title="Interestrate",
        ),
    ]
    term_days: Annotated[
        int,
        Field(
            alias="termDays",
            description="Days to repay.",
            examples=[30],
            ge=7,
            le=365,
            title="Termdays",
        ),
    ]
    purpose: Annotated[
        str,
        Field(
            description="What the money is for.",
            examples=["Stock for my spaza shop"],
            max_length=200,
            min_length=1,
            title="Purpose",
        ),
    ]


class StartingAfter6(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="A loan id from the previous page; the page starts after it.",
            pattern="^loan_[0-9A-Za-z]{1,64}$",
            title="Startingafter",
        ),
    ] = None


class LoanStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"


class MarketplaceLoan(BaseModel):
    """
    A loan open for funding; `isOwn` marks the caller's own loans (which they cannot fund).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["loan_3kTq9ZxR2bVhN7mLpQ4sWc1d"], title="Id")]
    object: Annotated[str | None, Field(examples=["loan"], title="Object")] = "loan"
    borrower_id: Annotated[str, Field(alias="borrowerId", title="Borrowerid")]
    amount: Annotated[
        int,
        Field(description="Principal in ZAR cents.", examples=[150000], title="Amount"),
    ]
    interest_rate: Annotated[
        int,
        Field(
            alias="interestRate",
            description="Percent for the whole term.",
            examples=[18],
            title="Interestrate",
        ),
    ]
    term_days: Annotated[int, Field(alias="termDays", examples=[30], title="Termdays")]
    purpose: Annotated[str, Field(title="Purpose")]
    status: LoanStatus
    reason: Annotated[
        str | None,
        Field(
            description="Why the automatic review rejected the loan: kyc_not_verified, over_tier_loan_limit or borrower_has_defaulted_loan.",
            examples=[None, "kyc_not_verified"],
            title="Reason",
        ),
    ]
    investor_id: Annotated[str | None, Field(alias="investorId", title="Investorid")]
    investment_id: Annotated[str | None, Field(alias="investmentId", title="Investmentid")]
    total_due: Annotated[
        int | None,
        Field(
            alias="totalDue",
            description="Principal plus interest in cents, set when funded.",
            examples=[177000],
            title="Totaldue",
        ),
    ]
    repaid: Annotated[int, Field(description="Cents repaid so far.", examples=[0], title="Repaid")]
    due_at: Annotated[AwareDatetime | None, Field(alias="dueAt", title="Dueat")]
    expires_at: Annotated[
        AwareDatetime | None,
        Field(
            alias="expiresAt",
            description="End of the 7-day funding window.",
            title="Expiresat",
        ),
    ]
    created_at: Annotated[AwareDatetime, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[AwareDatetime | None, Field(alias="updatedAt", title="Updatedat")]
    disbursed_at: Annotated[AwareDatetime | None, Field(alias="disbursedAt", title="Disbursedat")]
    completed_at: Annotated[AwareDatetime | None, Field(alias="completedAt", title="Completedat")]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]
    is_own: Annotated[
        bool,
        Field(
            alias="isOwn",
            description="The caller is the borrower.",
            examples=[False],
            title="Isown",
        ),
    ]


class TermDays(RootModel[int]):
    root: Annotated[
        int,
        Field(
            description="Only loans with exactly this term.",
            ge=7,
            le=365,
            title="Termdays",
        ),
    ] = None


class MarketplaceParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter6 | None,
        Field(
            alias="startingAfter",
            description="A loan id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    term_days: Annotated[
        TermDays | None,
        Field(
            alias="termDays",
            description="Only loans with exactly this term.",
            title="Termdays",
        ),
    ] = None


class MembershipTier(StrEnum):
    BASIC = "basic"
    AMBASSADOR = "ambassador"
    VIP = "vip"
    BUSINESS = "business"


class StartingAfter8(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="An object id from the previous page; the page starts after it.",
            max_length=64,
            pattern="^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
            title="Startingafter",
        ),
    ] = None


class MessageStatus(StrEnum):
    UNREAD = "unread"
    READ = "read"


class OrderBookParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(description="Listings per side (1–100).", ge=1, le=100, title="Limit"),
    ] = 50


class OrderRole(StrEnum):
    CREATOR = "creator"
    TAKER = "taker"


class OrderSide(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ProblemFieldError(BaseModel):
    """
    One invalid field of a request.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    field: Annotated[str, Field(examples=["amount"], title="Field")]
    message: Annotated[str, Field(examples=["must be a positive number of cents"], title="Message")]
    code: Annotated[str, Field(examples=["invalid"], title="Code")]


class RecoverBody(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    since: Annotated[
        AwareDatetime,
        Field(description="Redeliver failed deliveries created since then.", title="Since"),
    ]


class RecoverOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "webhook_recovery"
    recovered: Annotated[int, Field(title="Recovered")]


class RepaymentCreate(BaseModel):
    """
    A repayment: at most what is outstanding (`totalDue - repaid`).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    amount: Annotated[
        int,
        Field(
            description="ZAR cents to repay.",
            examples=[50000],
            ge=1,
            le=100000000,
            title="Amount",
        ),
    ]


class RepaymentEntry(BaseModel):
    """
    A repayment ledger entry of the caller's wallet (a `transaction` object).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["txn_8fHq2LmN4pR6sT0vX1zB3cD5"], title="Id")]
    object: Annotated[str | None, Field(examples=["transaction"], title="Object")] = "transaction"
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    type: Annotated[LedgerType, Field(examples=["repayment"])]
    amount: Annotated[int, Field(examples=[50000], title="Amount")]
    asset: Annotated[str, Field(examples=["ZAR"], title="Asset")]
    direction: Annotated[str, Field(examples=["debit", "credit"], title="Direction")]
    balance_before: Annotated[int, Field(alias="balanceBefore", title="Balancebefore")]
    balance_after: Annotated[int, Field(alias="balanceAfter", title="Balanceafter")]
    locked_before: Annotated[int, Field(alias="lockedBefore", title="Lockedbefore")]
    locked_after: Annotated[int, Field(alias="lockedAfter", title="Lockedafter")]
    status: Annotated[str, Field(examples=["completed"], title="Status")]
    wallet_version: Annotated[int, Field(alias="walletVersion", title="Walletversion")]
    description: Annotated[str | None, Field(title="Description")]
    loan_id: Annotated[str | None, Field(alias="loanId", title="Loanid")]
    investment_id: Annotated[str | None, Field(alias="investmentId", title="Investmentid")]
    order_id: Annotated[str | None, Field(alias="orderId", title="Orderid")]
    related_transaction_id: Annotated[
        str | None, Field(alias="relatedTransactionId", title="Relatedtransactionid")
    ]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]
    failure_reason: Annotated[str | None, Field(alias="failureReason", title="Failurereason")]
    created_at: Annotated[AwareDatetime, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[AwareDatetime | None, Field(alias="updatedAt", title="Updatedat")]


class RepaymentList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[RepaymentEntry], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class StartingAfter10(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="A transaction id from the previous page; the page starts after it.",
            pattern="^txn_[0-9A-Za-z]{1,64}$",
            title="Startingafter",
        ),
    ] = None


class RepaymentListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter10 | None,
        Field(
            alias="startingAfter",
            description="A transaction id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None


class Role(StrEnum):
    USER = "user"
    SUPPORT = "support"
    ADMIN = "admin"


class Status7(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class RouteUsage(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    requests: Annotated[int, Field(title="Requests")]
    by_status_class: Annotated[dict[str, int], Field(alias="byStatusClass", title="Bystatusclass")]
    rate_limited: Annotated[int, Field(alias="rateLimited", title="Ratelimited")]
    latency_ms: Annotated[dict[str, float | None], Field(alias="latencyMs", title="Latencyms")]
    route: Annotated[str, Field(title="Route")]


class SeriesPoint(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    requests: Annotated[int, Field(title="Requests")]
    by_status_class: Annotated[dict[str, int], Field(alias="byStatusClass", title="Bystatusclass")]
    rate_limited: Annotated[int, Field(alias="rateLimited", title="Ratelimited")]
    latency_ms: Annotated[dict[str, float | None], Field(alias="latencyMs", title="Latencyms")]
    start: Annotated[str, Field(title="Start")]
    end: Annotated[str, Field(title="End")]


class TestEventBody(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    type: Annotated[
        str | None,
        Field(description="Any type of the catalog.", max_length=64, title="Type"),
    ] = "loan.created"


class TierLimitsOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    loan_limit: Annotated[int, Field(alias="loanLimit", title="Loanlimit")]
    investment_limit: Annotated[int, Field(alias="investmentLimit", title="Investmentlimit")]
    crypto_max_per_trade: Annotated[
        int | None, Field(alias="cryptoMaxPerTrade", title="Cryptomaxpertrade")
    ]
    crypto_weekly_volume: Annotated[
        int | None, Field(alias="cryptoWeeklyVolume", title="Cryptoweeklyvolume")
    ]
    max_open_crypto_orders: Annotated[
        int | None, Field(alias="maxOpenCryptoOrders", title="Maxopencryptoorders")
    ]
    api_tier: Annotated[str, Field(alias="apiTier", title="Apitier")]


class Asset1(StrEnum):
    ZAR = "ZAR"
    BTC = "BTC"
    ETH = "ETH"
    USDT = "USDT"
    USDC = "USDC"


class Transaction(BaseModel):
    """
    A ledger entry: one change of one wallet. ZAR amounts are integer cents; crypto amounts
    (asset BTC, ETH, USDT, USDC) are decimal strings.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["txn_4f9Qm2ZkT1sX8bYp0aLcVd3e"], title="Id")]
    object: Annotated[Literal["transaction"], Field(title="Object")] = "transaction"
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    type: LedgerType
    amount: Annotated[int | str, Field(examples=[150000], title="Amount")]
    asset: Annotated[Asset1, Field(examples=["ZAR"], title="Asset")]
    direction: Direction
    balance_before: Annotated[
        int | str,
        Field(
            alias="balanceBefore",
            description="Available amount of the asset before.",
            title="Balancebefore",
        ),
    ]
    balance_after: Annotated[
        int | str,
        Field(
            alias="balanceAfter",
            description="Available amount of the asset after.",
            title="Balanceafter",
        ),
    ]
    locked_before: Annotated[int | str, Field(alias="lockedBefore", title="Lockedbefore")]
    locked_after: Annotated[int | str, Field(alias="lockedAfter", title="Lockedafter")]
    status: LedgerStatus
    wallet_version: Annotated[
        int,
        Field(
            alias="walletVersion",
            description="Numbers the wallet's changes 1, 2, 3… (no gaps).",
            title="Walletversion",
        ),
    ]
    description: Annotated[str | None, Field(examples=["Sandbox deposit"], title="Description")] = (
        None
    )
    loan_id: Annotated[str | None, Field(alias="loanId", title="Loanid")] = None
    investment_id: Annotated[str | None, Field(alias="investmentId", title="Investmentid")] = None
    order_id: Annotated[str | None, Field(alias="orderId", title="Orderid")] = None
    related_transaction_id: Annotated[
        str | None,
        Field(
            alias="relatedTransactionId",
            description="For a refund: the withdrawal it refunds.",
            title="Relatedtransactionid",
        ),
    ] = None
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")] = None
    failure_reason: Annotated[
        str | None,
        Field(alias="failureReason", examples=["payout_rejected"], title="Failurereason"),
    ] = None
    created_at: Annotated[
        str,
        Field(alias="createdAt", examples=["2025-01-31T09:15:00.000Z"], title="Createdat"),
    ]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")] = None


class TransactionList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[Transaction], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class StartingAfter11(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="An object id from the previous page; the page starts after it.",
            max_length=64,
            pattern="^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
            title="Startingafter",
        ),
    ] = None


class Asset2(StrEnum):
    """
    Only entries of this asset.
    """

    ZAR = "ZAR"
    BTC = "BTC"
    ETH = "ETH"
    USDT = "USDT"
    USDC = "USDC"


class TransactionQuery(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter11 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    type: Annotated[LedgerType | None, Field(description="Only entries of this type.")] = None
    status: Annotated[LedgerStatus | None, Field(description="Only entries in this status.")] = None
    asset: Annotated[
        Asset2 | None, Field(description="Only entries of this asset.", title="Asset")
    ] = None
    from_: Annotated[
        AwareDatetime | None,
        Field(
            alias="from",
            description="Only entries created at or after this time (ISO 8601; UTC if no offset).",
            title="From",
        ),
    ] = None
    to: Annotated[
        AwareDatetime | None,
        Field(
            description="Only entries created before this time (ISO 8601; UTC if no offset).",
            title="To",
        ),
    ] = None


class Url(RootModel[str]):
    root: Annotated[str, Field(max_length=2048, title="Url")] = None


class Events(RootModel[list[str]]):
    root: Annotated[list[str], Field(max_length=50, title="Events")] = None


class Status8(StrEnum):
    """
    active re-enables a disabled endpoint and resets its failure count.
    """

    ACTIVE = "active"
    PAUSED = "paused"


class UpdateWebhook(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    url: Annotated[Url | None, Field(title="Url")] = None
    events: Annotated[Events | None, Field(title="Events")] = None
    description: Annotated[Description | None, Field(title="Description")] = None
    status: Annotated[
        Status8 | None,
        Field(
            description="active re-enables a disabled endpoint and resets its failure count.",
            title="Status",
        ),
    ] = None


class Usage(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    active_invested: Annotated[int, Field(alias="activeInvested", title="Activeinvested")]
    crypto_weekly_volume: Annotated[
        int, Field(alias="cryptoWeeklyVolume", title="Cryptoweeklyvolume")
    ]
    open_crypto_orders: Annotated[int, Field(alias="openCryptoOrders", title="Opencryptoorders")]


class Granularity(StrEnum):
    HOUR = "hour"
    DAY = "day"


class UsageParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    from_: Annotated[
        AwareDatetime | None,
        Field(
            alias="from",
            description="Start (inclusive, ISO 8601). Default: 24 h or 30 days ago.",
            title="From",
        ),
    ] = None
    to: Annotated[
        AwareDatetime | None,
        Field(description="End (exclusive). Default: now.", title="To"),
    ] = None
    granularity: Annotated[Granularity | None, Field(title="Granularity")] = Granularity.HOUR


class UsageStats(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    requests: Annotated[int, Field(title="Requests")]
    by_status_class: Annotated[dict[str, int], Field(alias="byStatusClass", title="Bystatusclass")]
    rate_limited: Annotated[int, Field(alias="rateLimited", title="Ratelimited")]
    latency_ms: Annotated[dict[str, float | None], Field(alias="latencyMs", title="Latencyms")]


class UserOut(BaseModel):
    """
    A user's profile as staff see it.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["Xk3p9QwR2sT8vY1zA4bC6dE7fG0h"], title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "user"
    email: Annotated[str | None, Field(title="Email")]
    display_name: Annotated[str | None, Field(alias="displayName", title="Displayname")]
    role: Role
    membership_tier: Annotated[MembershipTier, Field(alias="membershipTier")]
    kyc_status: Annotated[KycStatus, Field(alias="kycStatus")]
    kyc_reason: Annotated[str | None, Field(alias="kycReason", title="Kycreason")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")]


class KycReason(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="Required with kycStatus `rejected`.",
            max_length=500,
            min_length=1,
            title="Kycreason",
        ),
    ] = None


class UserUpdate(BaseModel):
    """
    The changes to make; give at least one of role, membershipTier, kycStatus.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    role: Annotated[Role | None, Field(description="Admins only.")] = None
    membership_tier: Annotated[
        MembershipTier | None, Field(alias="membershipTier", description="Admins only.")
    ] = None
    kyc_status: Annotated[
        KycStatus | None, Field(alias="kycStatus", description="Support and admins.")
    ] = None
    kyc_reason: Annotated[
        KycReason | None,
        Field(
            alias="kycReason",
            description="Required with kycStatus `rejected`.",
            title="Kycreason",
        ),
    ] = None


class WalletOut(BaseModel):
    """
    The caller's wallet. ZAR in integer cents; crypto as decimal strings.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[Literal["wallet"], Field(title="Object")] = "wallet"
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    currency: Annotated[Literal["ZAR"], Field(title="Currency")] = "ZAR"
    balance: Annotated[
        int,
        Field(description="Available ZAR, in cents.", examples=[150000], title="Balance"),
    ]
    locked: Annotated[
        int,
        Field(
            description="ZAR held by open buy listings, in cents.",
            examples=[0],
            title="Locked",
        ),
    ]
    crypto: Annotated[
        dict[Asset, CryptoHolding],
        Field(
            description="Every asset, zero when not held.",
            examples=[
                {
                    "BTC": {"available": "0.01500000", "locked": "0.00000000"},
                    "ETH": {"available": "0.00000000", "locked": "0.00000000"},
                    "USDC": {"available": "0.000000", "locked": "0.000000"},
                    "USDT": {"available": "0.000000", "locked": "0.000000"},
                }
            ],
            title="Crypto",
        ),
    ]
    active_invested: Annotated[
        int,
        Field(
            alias="activeInvested",
            description="Principal of active investments, in cents.",
            examples=[0],
            title="Activeinvested",
        ),
    ]


class WebhookDelivery(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "webhook_delivery"
    event_id: Annotated[str, Field(alias="eventId", title="Eventid")]
    event_type: Annotated[str, Field(alias="eventType", title="Eventtype")]
    subscription_id: Annotated[str, Field(alias="subscriptionId", title="Subscriptionid")]
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    status: Annotated[str, Field(title="Status")]
    attempt_count: Annotated[int, Field(alias="attemptCount", title="Attemptcount")]
    max_attempts: Annotated[int, Field(alias="maxAttempts", title="Maxattempts")]
    attempts: Annotated[list[DeliveryAttempt], Field(title="Attempts")]
    next_attempt_at: Annotated[str, Field(alias="nextAttemptAt", title="Nextattemptat")]
    last_status_code: Annotated[int | None, Field(alias="lastStatusCode", title="Laststatuscode")]
    last_error: Annotated[str | None, Field(alias="lastError", title="Lasterror")]
    last_delay_seconds: Annotated[
        float | None, Field(alias="lastDelaySeconds", title="Lastdelayseconds")
    ]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")]
    completed_at: Annotated[str | None, Field(alias="completedAt", title="Completedat")]


class WebhookEndpoint(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "webhook_endpoint"
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    url: Annotated[str, Field(title="Url")]
    events: Annotated[list[str], Field(title="Events")]
    description: Annotated[str | None, Field(title="Description")]
    status: Annotated[str, Field(title="Status")]
    consecutive_failures: Annotated[
        int, Field(alias="consecutiveFailures", title="Consecutivefailures")
    ]
    last_success_at: Annotated[str | None, Field(alias="lastSuccessAt", title="Lastsuccessat")]
    last_failure_at: Annotated[str | None, Field(alias="lastFailureAt", title="Lastfailureat")]
    disabled_reason: Annotated[str | None, Field(alias="disabledReason", title="Disabledreason")]
    disabled_at: Annotated[str | None, Field(alias="disabledAt", title="Disabledat")]
    secret_rotated_at: Annotated[
        str | None, Field(alias="secretRotatedAt", title="Secretrotatedat")
    ]
    previous_secret_expires_at: Annotated[
        str | None,
        Field(alias="previousSecretExpiresAt", title="Previoussecretexpiresat"),
    ]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")]


class WebhookEndpointWithSecret(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "webhook_endpoint"
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    url: Annotated[str, Field(title="Url")]
    events: Annotated[list[str], Field(title="Events")]
    description: Annotated[str | None, Field(title="Description")]
    status: Annotated[str, Field(title="Status")]
    consecutive_failures: Annotated[
        int, Field(alias="consecutiveFailures", title="Consecutivefailures")
    ]
    last_success_at: Annotated[str | None, Field(alias="lastSuccessAt", title="Lastsuccessat")]
    last_failure_at: Annotated[str | None, Field(alias="lastFailureAt", title="Lastfailureat")]
    disabled_reason: Annotated[str | None, Field(alias="disabledReason", title="Disabledreason")]
    disabled_at: Annotated[str | None, Field(alias="disabledAt", title="Disabledat")]
    secret_rotated_at: Annotated[
        str | None, Field(alias="secretRotatedAt", title="Secretrotatedat")
    ]
    previous_secret_expires_at: Annotated[
        str | None,
        Field(alias="previousSecretExpiresAt", title="Previoussecretexpiresat"),
    ]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")]
    secret: Annotated[
        str,
        Field(
            description="whsec_…: shown once; sign-check deliveries with it.",
            title="Secret",
        ),
    ]


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    amount: Annotated[int, Field(examples=[50000], gt=0, le=10000000000, title="Amount")]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    name: Annotated[str, Field(max_length=100, min_length=1, title="Name")]
    tier: Annotated[
        ApiTier | None,
        Field(description="Up to the API tier your membership allows; the highest by default."),
    ] = None
    scopes: Annotated[
        Scopes | None,
        Field(
            description="Within the tier's allowance; the tier's by default.",
            title="Scopes",
        ),
    ] = None
    expires_in_days: Annotated[
        ExpiresInDays | None, Field(alias="expiresInDays", title="Expiresindays")
    ] = None
    user_id: Annotated[
        UserId | None,
        Field(
            alias="userId",
            description="Admins only: create the key for this user.",
            title="Userid",
        ),
    ] = None


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["key_4Jt0bW1sTqk2mZ8yXr5nVc3a"], title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "api_key"
    name: Annotated[str, Field(title="Name")]
    display_prefix: Annotated[
        str,
        Field(
            alias="displayPrefix",
            description="The first 12 characters of the key.",
            title="Displayprefix",
        ),
    ]
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    tier: ApiTier
    scopes: Annotated[list[str], Field(title="Scopes")]
    status: Annotated[Status, Field(title="Status")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    expires_at: Annotated[str | None, Field(alias="expiresAt", title="Expiresat")]
    last_used_at: Annotated[
        str | None,
        Field(
            alias="lastUsedAt",
            description="Updated at most once a minute.",
            title="Lastusedat",
        ),
    ]
    revoked_at: Annotated[str | None, Field(alias="revokedAt", title="Revokedat")]
    rotated_from: Annotated[str | None, Field(alias="rotatedFrom", title="Rotatedfrom")]
    rotated_to: Annotated[str | None, Field(alias="rotatedTo", title="Rotatedto")]
    grace_until: Annotated[str | None, Field(alias="graceUntil", title="Graceuntil")]


class ApiKeyWithSecret(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["key_4Jt0bW1sTqk2mZ8yXr5nVc3a"], title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "api_key"
    name: Annotated[str, Field(title="Name")]
    display_prefix: Annotated[
        str,
        Field(
            alias="displayPrefix",
            description="The first 12 characters of the key.",
            title="Displayprefix",
        ),
    ]
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    tier: ApiTier
    scopes: Annotated[list[str], Field(title="Scopes")]
    status: Annotated[Status, Field(title="Status")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    expires_at: Annotated[str | None, Field(alias="expiresAt", title="Expiresat")]
    last_used_at: Annotated[
        str | None,
        Field(
            alias="lastUsedAt",
            description="Updated at most once a minute.",
            title="Lastusedat",
        ),
    ]
    revoked_at: Annotated[str | None, Field(alias="revokedAt", title="Revokedat")]
    rotated_from: Annotated[str | None, Field(alias="rotatedFrom", title="Rotatedfrom")]
    rotated_to: Annotated[str | None, Field(alias="rotatedTo", title="Rotatedto")]
    grace_until: Annotated[str | None, Field(alias="graceUntil", title="Graceuntil")]
    secret: Annotated[
        str,
        Field(
            description="The key itself. Shown only in this response; store it now.",
            examples=["cb_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
            title="Secret",
        ),
    ]


class BookEntry(BaseModel):
    """
    One open listing in the order book (its creator is not shown).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    side: OrderSide
    quantity: Annotated[str, Field(title="Quantity")]
    price: Annotated[int, Field(title="Price")]
    value: Annotated[int, Field(title="Value")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    expires_at: Annotated[str, Field(alias="expiresAt", title="Expiresat")]


class BulkInvestmentsBody(BaseModel):
    """
    Up to 20 fundings; or the same columns as CSV (`Content-Type: text/csv`).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    mode: Annotated[BulkMode | None, Field(description="`independent` or `atomic`.")] = (
        BulkMode.INDEPENDENT
    )
    items: Annotated[list[InvestmentCreate], Field(max_length=20, min_length=1, title="Items")]


class BulkList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[BulkResultOut], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class BulkLoansBody(BaseModel):
    """
    Up to 20 loans; or the same columns as CSV (`Content-Type: text/csv`).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    mode: Annotated[BulkMode | None, Field(description="`independent` or `atomic`.")] = (
        BulkMode.INDEPENDENT
    )
    items: Annotated[list[LoanCreate], Field(max_length=20, min_length=1, title="Items")]


class ExportCreate(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    type: Annotated[Type1, Field(title="Type")]
    format: Annotated[Format | None, Field(title="Format")] = Format.CSV
    filters: ExportFilters | None = None
    fields: Annotated[
        list[str] | None,
        Field(
            description="Columns to write, in order; empty means every column of the type.",
            max_length=40,
            title="Fields",
        ),
    ] = None


class InvestmentListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter4 | None,
        Field(
            alias="startingAfter",
            description="An investment id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    status: Annotated[
        InvestmentStatus | None, Field(description="Only investments in this status.")
    ] = None


class InvestmentOut(BaseModel):
    """
    An investment as the API shows it.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["inv_7GhT2kLmP9qR4sV6wX8yZ0aB"], title="Id")]
    object: Annotated[str | None, Field(examples=["investment"], title="Object")] = "investment"
    investor_id: Annotated[str, Field(alias="investorId", title="Investorid")]
    borrower_id: Annotated[str, Field(alias="borrowerId", title="Borrowerid")]
    loan_id: Annotated[str, Field(alias="loanId", title="Loanid")]
    amount: Annotated[
        int,
        Field(description="Principal in ZAR cents.", examples=[150000], title="Amount"),
    ]
    fee: Annotated[
        int,
        Field(description="Funding fee paid, in cents.", examples=[1000], title="Fee"),
    ]
    expected_return: Annotated[
        int,
        Field(
            alias="expectedReturn",
            description="Principal plus interest, in cents.",
            examples=[177000],
            title="Expectedreturn",
        ),
    ]
    received: Annotated[
        int,
        Field(
            description="Cents repaid to the investor so far.",
            examples=[0],
            title="Received",
        ),
    ]
    status: InvestmentStatus
    created_at: Annotated[AwareDatetime, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[AwareDatetime | None, Field(alias="updatedAt", title="Updatedat")]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]


class LoanListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter6 | None,
        Field(
            alias="startingAfter",
            description="A loan id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    status: Annotated[LoanStatus | None, Field(description="Only loans in this status.")] = None


class LoanOut(BaseModel):
    """
    A loan as the API shows it.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["loan_3kTq9ZxR2bVhN7mLpQ4sWc1d"], title="Id")]
    object: Annotated[str | None, Field(examples=["loan"], title="Object")] = "loan"
    borrower_id: Annotated[str, Field(alias="borrowerId", title="Borrowerid")]
    amount: Annotated[
        int,
        Field(description="Principal in ZAR cents.", examples=[150000], title="Amount"),
    ]
    interest_rate: Annotated[
        int,
        Field(
            alias="interestRate",
            description="Percent for the whole term.",
            examples=[18],
            title="Interestrate",
        ),
    ]
    term_days: Annotated[int, Field(alias="termDays", examples=[30], title="Termdays")]
    purpose: Annotated[str, Field(title="Purpose")]
    status: LoanStatus
    reason: Annotated[
        str | None,
        Field(
            description="Why the automatic review rejected the loan: kyc_not_verified, over_tier_loan_limit or borrower_has_defaulted_loan.",
            examples=[None, "kyc_not_verified"],
            title="Reason",
        ),
    ]
    investor_id: Annotated[str | None, Field(alias="investorId", title="Investorid")]
    investment_id: Annotated[str | None, Field(alias="investmentId", title="Investmentid")]
    total_due: Annotated[
        int | None,
        Field(
            alias="totalDue",
            description="Principal plus interest in cents, set when funded.",
            examples=[177000],
            title="Totaldue",
        ),
    ]
    repaid: Annotated[int, Field(description="Cents repaid so far.", examples=[0], title="Repaid")]
    due_at: Annotated[AwareDatetime | None, Field(alias="dueAt", title="Dueat")]
    expires_at: Annotated[
        AwareDatetime | None,
        Field(
            alias="expiresAt",
            description="End of the 7-day funding window.",
            title="Expiresat",
        ),
    ]
    created_at: Annotated[AwareDatetime, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[AwareDatetime | None, Field(alias="updatedAt", title="Updatedat")]
    disbursed_at: Annotated[AwareDatetime | None, Field(alias="disbursedAt", title="Disbursedat")]
    completed_at: Annotated[AwareDatetime | None, Field(alias="completedAt", title="Completedat")]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]


class MarketplaceList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[MarketplaceLoan], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class Me(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "user"
    email: Annotated[str | None, Field(title="Email")]
    display_name: Annotated[str | None, Field(alias="displayName", title="Displayname")]
    role: Annotated[str, Field(title="Role")]
    membership_tier: Annotated[str, Field(alias="membershipTier", title="Membershiptier")]
    kyc_status: Annotated[str, Field(alias="kycStatus", title="Kycstatus")]
    kyc_reason: Annotated[str | None, Field(alias="kycReason", title="Kycreason")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")]
    limits: TierLimitsOut
    usage: Usage


class MessageItem(BaseModel):
    """
    One message to one user, named by user id or e-mail.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    recipient: Annotated[
        str,
        Field(
            examples=["thandi@example.com"],
            max_length=320,
            min_length=1,
            title="Recipient",
        ),
    ]
    title: Annotated[
        str,
        Field(
            examples=["Scheduled maintenance"],
            max_length=200,
            min_length=1,
            title="Title",
        ),
    ]
    body: Annotated[str, Field(max_length=2000, min_length=1, title="Body")]
    priority: Priority | None = Priority.NORMAL


class MessageListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter8 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    status: Annotated[
        MessageStatus | None, Field(description="Only unread or only read messages.")
    ] = None


class MessageOut(BaseModel):
    """
    A message in the caller's inbox.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["msg_7Qf2kLp0XzT9bNc4Vw8yRa1M"], title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "message"
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    title: Annotated[str, Field(examples=["Scheduled maintenance"], title="Title")]
    body: Annotated[
        str,
        Field(
            examples=["The platform is read-only on Sunday 02:00–03:00 SAST."],
            title="Body",
        ),
    ]
    priority: Priority
    status: MessageStatus
    sender_id: Annotated[str | None, Field(alias="senderId", title="Senderid")]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    read_at: Annotated[str | None, Field(alias="readAt", title="Readat")]


class OrderBook(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "order_book"
    asset: Asset
    bids: Annotated[
        list[BookEntry],
        Field(description="Buy listings, highest price first.", title="Bids"),
    ]
    asks: Annotated[
        list[BookEntry],
        Field(description="Sell listings, lowest price first.", title="Asks"),
    ]


class OrderCreate(BaseModel):
    """
    A new listing. `price` is ZAR cents per one unit of the asset.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    asset: Annotated[Asset, Field(description="BTC, ETH, USDT or USDC.")]
    side: Annotated[OrderSide, Field(description="`buy`: you buy the asset; `sell`: you sell it.")]
    quantity: Annotated[
        str,
        Field(
            description="A decimal string, at most 8 decimal places (6 for USDT/USDC).",
            examples=["0.015"],
            pattern="^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,8})?$",
            title="Quantity",
        ),
    ]
    price: Annotated[
        int,
        Field(
            description="ZAR cents per one unit of the asset.",
            examples=[120000000],
            gt=0,
            le=10000000000,
            title="Price",
        ),
    ]


class OrderListParams(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    limit: Annotated[
        int | None,
        Field(
            description="How many objects to return (1–100).",
            ge=1,
            le=100,
            title="Limit",
        ),
    ] = 20
    starting_after: Annotated[
        StartingAfter8 | None,
        Field(
            alias="startingAfter",
            description="An object id from the previous page; the page starts after it.",
            title="Startingafter",
        ),
    ] = None
    role: Annotated[
        OrderRole | None,
        Field(description="`creator`: orders you posted; `taker`: orders you took."),
    ] = OrderRole.CREATOR
    status: OrderStatus | None = None
    asset: Asset | None = None
    side: OrderSide | None = None


class OrderOut(BaseModel):
    """
    A crypto listing. `userId` is null when the caller is neither its creator nor taker.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["ord_4Zb8qk2LxV0mYw7nT1aPq9Rs"], title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "crypto_order"
    user_id: Annotated[str | None, Field(alias="userId", title="Userid")]
    asset: Asset
    side: OrderSide
    quantity: Annotated[str, Field(examples=["0.01500000"], title="Quantity")]
    price: Annotated[
        int,
        Field(description="ZAR cents per unit.", examples=[120000000], title="Price"),
    ]
    value: Annotated[
        int,
        Field(description="ZAR cents, quantity × price rounded half-up.", title="Value"),
    ]
    fee: Annotated[
        int,
        Field(description="ZAR cents the creator pays when the order fills.", title="Fee"),
    ]
    status: OrderStatus
    taker_id: Annotated[str | None, Field(alias="takerId", title="Takerid")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    expires_at: Annotated[str, Field(alias="expiresAt", title="Expiresat")]
    filled_at: Annotated[str | None, Field(alias="filledAt", title="Filledat")]
    updated_at: Annotated[str | None, Field(alias="updatedAt", title="Updatedat")]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]


class Problem(BaseModel):
    """
    An RFC 9457 problem: every error answer of the API.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    type: Annotated[
        str,
        Field(
            description="The code's entry in the error catalogue (`/docs/errors#<code>`).",
            examples=["/docs/errors#invalid_request"],
            title="Type",
        ),
    ]
    title: Annotated[str, Field(examples=["Invalid request"], title="Title")]
    status: Annotated[int, Field(examples=[400], ge=400, le=599, title="Status")]
    detail: Annotated[str, Field(examples=["The request body is invalid."], title="Detail")]
    code: Annotated[
        str,
        Field(
            description="Stable machine-readable code (invalid_request, not_found, rate_limited, …).",
            examples=["invalid_request"],
            title="Code",
        ),
    ]
    request_id: Annotated[
        str,
        Field(
            alias="requestId",
            description="Quote it to support.",
            examples=["req_4fZk2"],
            title="Requestid",
        ),
    ]
    instance: Annotated[
        str | None,
        Field(description="The request path.", examples=["/v1/loans"], title="Instance"),
    ] = None
    errors: Annotated[
        list[ProblemFieldError] | None,
        Field(description="Which fields were wrong, when the input was.", title="Errors"),
    ] = None


class RotationOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["key_4Jt0bW1sTqk2mZ8yXr5nVc3a"], title="Id")]
    object: Annotated[str | None, Field(title="Object")] = "api_key"
    name: Annotated[str, Field(title="Name")]
    display_prefix: Annotated[
        str,
        Field(
            alias="displayPrefix",
            description="The first 12 characters of the key.",
            title="Displayprefix",
        ),
    ]
    user_id: Annotated[str, Field(alias="userId", title="Userid")]
    tier: ApiTier
    scopes: Annotated[list[str], Field(title="Scopes")]
    status: Annotated[Status7, Field(title="Status")]
    created_at: Annotated[str, Field(alias="createdAt", title="Createdat")]
    expires_at: Annotated[str | None, Field(alias="expiresAt", title="Expiresat")]
    last_used_at: Annotated[
        str | None,
        Field(
            alias="lastUsedAt",
            description="Updated at most once a minute.",
            title="Lastusedat",
        ),
    ]
    revoked_at: Annotated[str | None, Field(alias="revokedAt", title="Revokedat")]
    rotated_from: Annotated[str | None, Field(alias="rotatedFrom", title="Rotatedfrom")]
    rotated_to: Annotated[str | None, Field(alias="rotatedTo", title="Rotatedto")]
    grace_until: Annotated[str | None, Field(alias="graceUntil", title="Graceuntil")]
    secret: Annotated[
        str,
        Field(
            description="The key itself. Shown only in this response; store it now.",
            examples=["cb_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
            title="Secret",
        ),
    ]
    previous_key: Annotated[ApiKeyOut, Field(alias="previousKey")]


class UsageOut(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "api_key_usage"
    key_id: Annotated[str, Field(alias="keyId", title="Keyid")]
    from_: Annotated[str, Field(alias="from", title="From")]
    to: Annotated[str, Field(title="To")]
    granularity: Annotated[str, Field(title="Granularity")]
    totals: UsageStats
    by_route: Annotated[list[RouteUsage], Field(alias="byRoute", title="Byroute")]
    series: Annotated[list[SeriesPoint], Field(title="Series")]


class ApiKeyList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[ApiKeyOut], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class BulkCryptoOrdersBody(BaseModel):
    """
    Up to 20 listings; or the same columns as CSV (`Content-Type: text/csv`).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    mode: Annotated[BulkMode | None, Field(description="`independent` or `atomic`.")] = (
        BulkMode.INDEPENDENT
    )
    items: Annotated[list[OrderCreate], Field(max_length=20, min_length=1, title="Items")]


class Items(RootModel[list[MessageItem]]):
    root: Annotated[list[MessageItem], Field(max_length=50, min_length=1, title="Items")] = None


class BulkMessagesBody(BaseModel):
    """
    Either `items` (≤50 explicit recipients; top-level title/body/priority are defaults
    for the items) or one `group` with title, body and priority.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    mode: Annotated[BulkMode | None, Field(description="`independent` or `atomic`.")] = (
        BulkMode.INDEPENDENT
    )
    items: Annotated[Items | None, Field(title="Items")] = None
    group: Annotated[Group | None, Field(title="Group")] = None
    title: Annotated[Title | None, Field(title="Title")] = None
    body: Annotated[Body | None, Field(title="Body")] = None
    priority: Priority | None = None


class FundingOut(BaseModel):
    """
    The new investment with the loan it funded (now `disbursed`).
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    id: Annotated[str, Field(examples=["inv_7GhT2kLmP9qR4sV6wX8yZ0aB"], title="Id")]
    object: Annotated[str | None, Field(examples=["investment"], title="Object")] = "investment"
    investor_id: Annotated[str, Field(alias="investorId", title="Investorid")]
    borrower_id: Annotated[str, Field(alias="borrowerId", title="Borrowerid")]
    loan_id: Annotated[str, Field(alias="loanId", title="Loanid")]
    amount: Annotated[
        int,
        Field(description="Principal in ZAR cents.", examples=[150000], title="Amount"),
    ]
    fee: Annotated[
        int,
        Field(description="Funding fee paid, in cents.", examples=[1000], title="Fee"),
    ]
    expected_return: Annotated[
        int,
        Field(
            alias="expectedReturn",
            description="Principal plus interest, in cents.",
            examples=[177000],
            title="Expectedreturn",
        ),
    ]
    received: Annotated[
        int,
        Field(
            description="Cents repaid to the investor so far.",
            examples=[0],
            title="Received",
        ),
    ]
    status: InvestmentStatus
    created_at: Annotated[AwareDatetime, Field(alias="createdAt", title="Createdat")]
    updated_at: Annotated[AwareDatetime | None, Field(alias="updatedAt", title="Updatedat")]
    batch_id: Annotated[str | None, Field(alias="batchId", title="Batchid")]
    loan: LoanOut


class InvestmentList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[InvestmentOut], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            examples=["inv_7GhT2kLmP9qR4sV6wX8yZ0aB", None],
            title="Nextcursor",
        ),
    ]


class LoanList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[LoanOut], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            examples=["loan_3kTq9ZxR2bVhN7mLpQ4sWc1d", None],
            title="Nextcursor",
        ),
    ]


class MessageList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[MessageOut], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]


class OrderList(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )
    object: Annotated[str | None, Field(title="Object")] = "list"
    data: Annotated[list[OrderOut], Field(title="Data")]
    has_more: Annotated[bool, Field(alias="hasMore", title="Hasmore")]
    next_cursor: Annotated[str | None, Field(alias="nextCursor", title="Nextcursor")]
