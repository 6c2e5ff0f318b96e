"""The composite-index derivation used by tests/api/test_indexes.py: if these rules are wrong,
that test cannot notice a missing index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client, FieldFilter, Query

from tests.index_rules import (
    ASC,
    CONTAINS,
    DESC,
    IndexSpec,
    QueryShape,
    declared,
    load_indexes,
    required_index,
    shape_of,
)

# Builds queries offline (no request is sent): only the structured query is inspected.
CLIENT = Client(project="demo-unit", credentials=AnonymousCredentials())


def shape(q: Query) -> QueryShape:
    return shape_of(q._to_protobuf())


def loans() -> Query:
    return CLIENT.collection("loans")  # type: ignore[return-value]


def test_equality_filters_alone_need_no_composite_index() -> None:
    q = (
        loans()
        .where(filter=FieldFilter("borrowerId", "==", "u1"))
        .where(filter=FieldFilter("status", "==", "open"))
    )
    assert required_index(shape(q)) is None


def test_one_ordered_field_needs_no_composite_index() -> None:
    assert required_index(shape(loans().order_by("createdAt", direction=DESC))) is None
    q = loans().where(filter=FieldFilter("amount", ">", 5)).order_by("amount")
    assert required_index(shape(q)) is None


def test_equality_plus_order_needs_a_composite_index() -> None:
    q = (
        loans()
        .where(filter=FieldFilter("borrowerId", "==", "u1"))
        .order_by("createdAt", direction=DESC)
        .order_by("__name__", direction=DESC)
    )
    spec = required_index(shape(q))
    assert spec == IndexSpec(
        "loans", "COLLECTION", frozenset({("borrowerId", ASC)}), (("createdAt", DESC),)
    )


def test_name_order_against_the_last_direction_must_be_declared() -> None:
    q = loans().order_by("createdAt", direction=DESC).order_by("__name__")
    spec = required_index(shape(q))
    assert spec is not None and spec.orders == (("createdAt", DESC), ("__name__", ASC))


def test_inequality_fields_are_ordered_implicitly_after_equalities() -> None:
    q = (
        loans()
        .where(filter=FieldFilter("status", "==", "open"))
        .where(filter=FieldFilter("expiresAt", "<=", 5))
    )
    spec = required_index(shape(q))
    assert spec == IndexSpec(
        "loans", "COLLECTION", frozenset({("status", ASC)}), (("expiresAt", ASC),)
    )


def test_array_contains_uses_a_contains_field() -> None:
    q = (
        CLIENT.collection("messages")
        .where(filter=FieldFilter("recipients", "array_contains", "u1"))
        .order_by("createdAt", direction=DESC)
    )
    spec = required_index(shape(q))
    assert spec is not None and spec.equality == frozenset({("recipients", CONTAINS)})


def test_collection_group_queries_need_collection_group_scope() -> None:
    q = (
        CLIENT.collection_group("deliveries")
        .where(filter=FieldFilter("status", "==", "failed"))
        .order_by("createdAt")
    )
    spec = required_index(shape(q))
    assert spec is not None and spec.scope == "COLLECTION_GROUP"


def _index_file(tmp_path: Path, indexes: list[dict[str, object]]) -> Path:
    path = tmp_path / "firestore.indexes.json"
    path.write_text(json.dumps({"indexes": indexes, "fieldOverrides": []}))
    return path


def test_a_missing_index_is_noticed_and_a_declared_one_found(tmp_path: Path) -> None:
    q = (
        loans()
        .where(filter=FieldFilter("borrowerId", "==", "u1"))
        .where(filter=FieldFilter("status", "==", "open"))
        .order_by("createdAt", direction=DESC)
        .order_by("__name__", direction=DESC)
    )
    spec = required_index(shape(q))
    assert spec is not None
    assert not declared(spec, load_indexes(_index_file(tmp_path, [])))
    # Wrong direction, missing field, wrong collection: all still missing.
    wrong = [
        {
            "collectionGroup": "loans",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "borrowerId", "order": "ASCENDING"},
                {"fieldPath": "status", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "ASCENDING"},
            ],
        },
        {
            "collectionGroup": "loans",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "borrowerId", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
            ],
        },
        {
            "collectionGroup": "investments",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "borrowerId", "order": "ASCENDING"},
                {"fieldPath": "status", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
            ],
        },
    ]
    assert not declared(spec, load_indexes(_index_file(tmp_path, wrong)))
    # Equality fields in either order, with an explicit trailing __name__: found.
    right = [
        {
            "collectionGroup": "loans",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "status", "order": "ASCENDING"},
                {"fieldPath": "borrowerId", "order": "ASCENDING"},
                {"fieldPath": "createdAt", "order": "DESCENDING"},
                {"fieldPath": "__name__", "order": "DESCENDING"},
            ],
        }
    ]
    assert declared(spec, load_indexes(_index_file(tmp_path, right)))
    assert declared(spec, load_indexes(_index_file(tmp_path, [spec.as_json()])))


def test_or_queries_are_not_guessed() -> None:
    from google.cloud.firestore_v1.base_query import Or

    q = loans().where(
        filter=Or([FieldFilter("status", "==", "open"), FieldFilter("status", "==", "funded")])
    )
    with pytest.raises(NotImplementedError):
        shape(q)


def test_the_project_index_file_parses() -> None:
    assert isinstance(load_indexes(), list)


def test_indexes_with_the_same_orders_merge_to_cover_equalities(tmp_path: Path) -> None:
    q = (
        CLIENT.collection("cryptoOrders")
        .where(filter=FieldFilter("userId", "==", "u1"))
        .where(filter=FieldFilter("asset", "==", "BTC"))
        .order_by("createdAt", direction=DESC)
    )
    spec = required_index(shape(q))
    assert spec is not None

    def idx(*fields: tuple[str, str]) -> dict[str, object]:
        return {
            "collectionGroup": "cryptoOrders",
            "queryScope": "COLLECTION",
            "fields": [{"fieldPath": f, "order": o} for f, o in fields],
        }

    user = idx(("userId", ASC), ("createdAt", DESC))
    asset = idx(("asset", ASC), ("createdAt", DESC))
    asset_asc = idx(("asset", ASC), ("createdAt", ASC))
    assert declared(spec, load_indexes(_index_file(tmp_path, [user, asset])))
    assert not declared(spec, load_indexes(_index_file(tmp_path, [user])))
    assert not declared(spec, load_indexes(_index_file(tmp_path, [user, asset_asc])))
