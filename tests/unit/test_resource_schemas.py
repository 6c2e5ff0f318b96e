"""A resource is defined once, by its stored model (domain/models.py): the API model, the
webhook payload and the export columns follow it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from coinbox_platform.access.apikeys import ApiKey
from coinbox_platform.api.schemas import resource_fields
from coinbox_platform.api.schemas.apikeys import ApiKeyOut
from coinbox_platform.api.schemas.crypto import OrderOut
from coinbox_platform.api.schemas.investments import InvestmentOut
from coinbox_platform.api.schemas.loans import LOAN_DOCS, LoanOut
from coinbox_platform.api.schemas.messages import MessageOut
from coinbox_platform.api.schemas.transactions import RepaymentEntry, Transaction
from coinbox_platform.api.schemas.users import UserOut
from coinbox_platform.domain.models import (
    CryptoOrder,
    Investment,
    LedgerEntry,
    Loan,
    Notification,
    UserProfile,
)
from coinbox_platform.exports import catalog as exports
from coinbox_platform.exports.catalog import C, ExportType, Kind
from coinbox_platform.webhooks import catalog as webhooks


def _aliases(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


@pytest.mark.parametrize(
    ("api", "stored", "doc"),
    [
        (LoanOut, Loan, "A loan as the API shows it."),
        (InvestmentOut, Investment, "An investment as the API shows it."),
    ],
)
def test_the_api_model_is_the_stored_model(
    api: type[BaseModel], stored: type[BaseModel], doc: str
) -> None:
    fields = [a for a in _aliases(stored) if a != "id"]
    assert _aliases(api) == ["id", "object", *fields]
    schema = api.model_json_schema(by_alias=True)
    assert set(schema["required"]) == {"id", *fields}  # every key is always sent
    assert schema["properties"]["amount"]["description"] == "Principal in ZAR cents."
    assert schema["description"] == doc


@pytest.mark.parametrize(("kind", "api"), [("loan", LoanOut), ("investment", InvestmentOut)])
def test_the_webhook_payload_has_the_api_models_fields(kind: str, api: type[BaseModel]) -> None:
    schema = webhooks.object_schemas()[kind]
    assert list(schema["properties"]) == _aliases(api)


@pytest.mark.parametrize(
    ("api", "stored", "hidden"),
    [
        (OrderOut, CryptoOrder, {"volumeDay"}),
        (Transaction, LedgerEntry, set()),
        (RepaymentEntry, LedgerEntry, set()),
        (MessageOut, Notification, set()),
        (UserOut, UserProfile, set()),
        (ApiKeyOut, ApiKey, {"hash", "updatedAt", "adminGrant", "parentKeyId"}),
    ],
)
def test_every_api_model_follows_its_stored_model(
    api: type[BaseModel], stored: type[BaseModel], hidden: set[str]
) -> None:
    """The API models whose types differ from the stored ones (decimal strings, ISO strings)
    still take their fields, in order, from the stored model: a stored field added later
    is in the API at once, unless the model says the API never shows it."""
    fields = [a for a in _aliases(stored) if a != "id" and a not in hidden]
    assert _aliases(api) == ["id", "object", *fields]


def test_a_shown_type_overrides_the_stored_type() -> None:
    quantity = OrderOut.model_json_schema(by_alias=True)["properties"]["quantity"]
    assert quantity["type"] == "string"  # stored as integer atoms
    amount = Transaction.model_json_schema(by_alias=True)["properties"]["amount"]
    assert amount["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    stored = LedgerEntry.model_json_schema(by_alias=True)["properties"]["amount"]
    assert stored["type"] == "integer"


def test_an_order_renders_through_its_api_model() -> None:
    from datetime import UTC, datetime

    from coinbox_platform.api.routes.crypto import render

    at = datetime(2025, 1, 31, 9, 15, tzinfo=UTC)
    order = CryptoOrder(
        id="ord_1", user_id="u1", asset="BTC", side="sell", quantity=1_500_000, price=120000000,
        value=1800000, fee=9000, status="open", created_at=at, expires_at=at, volume_day="2025-01-31",
    )  # fmt: skip
    shown = render(order, viewer="someone-else")
    assert shown["quantity"] == "0.01500000"
    assert shown["userId"] is None  # a stranger does not see who posted it
    assert shown["createdAt"] == "2025-01-31T09:15:00.000Z"
    assert "volumeDay" not in shown
    assert render(order, viewer="u1")["userId"] == "u1"


def test_a_key_renders_every_field_of_its_api_model() -> None:
    from datetime import UTC, datetime

    at = datetime(2025, 1, 31, 9, 15, tzinfo=UTC)
    key = ApiKey(id="key_1", user_id="u1", hash="secret-hash", created_at=at)
    shown = key.to_api(at)
    assert list(shown) == _aliases(ApiKeyOut)
    assert "hash" not in shown


def test_exports_and_batches_render_exactly_their_api_models_fields() -> None:
    """ExportOut and BulkResultOut are still written out (an export shows its type's default
    columns, a batch its id twice and group fields only for group messages), so their
    renderers are held to them here."""
    from datetime import UTC, datetime

    from coinbox_platform.api.schemas.bulk import BulkResultOut
    from coinbox_platform.api.schemas.exports import ExportOut
    from coinbox_platform.bulk.service import BulkBatch
    from coinbox_platform.exports.service import ExportJob

    at = datetime(2025, 1, 31, 9, 15, tzinfo=UTC)
    job = ExportJob(id="exp_1", user_id="u1", type="loans", format="csv", status="queued",
                    created_at=at)  # fmt: skip
    assert list(job.to_api()) == _aliases(ExportOut)
    batch = BulkBatch(id="bat_1", user_id="u1", operation="messages", mode="independent",
                      status="running", created_at=at)  # fmt: skip
    api = _aliases(BulkResultOut)
    assert list(batch.to_api()) == api[: len(batch.to_api())]
    group = batch.model_copy(update={"group": "all", "progress": {"delivered": 0}})
    assert list(group.to_api()) == api


def test_hidden_fields_must_exist() -> None:
    with pytest.raises(ValueError, match=r"no fields \['volumeDays'\]"):
        resource_fields(CryptoOrder, {}, hidden=("volumeDays",))


def test_a_documented_field_must_exist() -> None:
    with pytest.raises(ValueError, match="no fields"):
        resource_fields(Loan, {**LOAN_DOCS, "intrest_rate": Field()}, {"id": "loan_1"})


def test_export_columns_are_fields_of_the_stored_model() -> None:
    assert exports.TYPES["loans"].model is Loan
    for export_type in exports.TYPES.values():
        if export_type.model is not None:
            exports.check_columns(export_type, export_type.model)


@pytest.mark.parametrize(
    ("column", "error"),
    [
        (C("interestRates", Kind.INT), "no field interestRates"),
        (C("dueAt", Kind.MONEY), "does not fit"),
        (C("amount", Kind.DATETIME), "does not fit"),
        (C("purpose", Kind.INT), "does not fit"),
    ],
)
def test_a_column_the_model_does_not_have_is_refused(column: exports.Column, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        ExportType("loans", "loans", "borrowerId", "createdAt", (C("id"), column), model=Loan)
