"""A resource is defined once, by its stored model (domain/models.py): the API model, the
webhook payload and the export columns follow it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from coinbox_platform.api.schemas import resource_fields
from coinbox_platform.api.schemas.investments import InvestmentOut
from coinbox_platform.api.schemas.loans import LOAN_DOCS, LoanOut
from coinbox_platform.domain.models import Investment, Loan
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
