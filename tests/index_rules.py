"""Which composite index a Firestore query needs, and whether firestore.indexes.json has it.

The emulator runs any query without an index; production refuses one whose composite index is
missing (FAILED_PRECONDITION). `QueryRecorder` captures the structured queries the code really
sends (every `Query.stream/get`, `count()`, `transaction.get(query)` goes through
`BaseQuery._to_protobuf`), `required_index` applies Firestore's rules to each, and `declared`
looks the result up in the index file.

Firestore's rules, as applied here:
  - equality filters (==, in, is-null, array-contains[-any] as CONTAINS) form an unordered
    prefix of the index; an orderBy on an equality field is a no-op and is dropped;
  - then the orderBys in order; inequality fields without an orderBy are ordered implicitly
    (ascending, by name) after the explicit ones;
  - a trailing `__name__` in the direction of the last order (ascending if none) is implicit
    in every index and is dropped;
  - several indexes with the same orders may be merged to cover the equality filters;
  - no composite index is needed for equality filters alone (single-field indexes are merged)
    or for at most one ordered field and no equality filter (a single-field index serves it).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ASC, DESC, CONTAINS = "ASCENDING", "DESCENDING", "CONTAINS"

_EQUALITY = {"EQUAL", "IN"}
_CONTAINS = {"ARRAY_CONTAINS", "ARRAY_CONTAINS_ANY"}
_INEQUALITY = {
    "LESS_THAN",
    "LESS_THAN_OR_EQUAL",
    "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL",
    "NOT_EQUAL",
    "NOT_IN",
}
_UNARY_EQUALITY = {"IS_NAN", "IS_NULL"}


@dataclass(frozen=True)
class QueryShape:
    """What of a query matters to indexes."""

    collection: str
    collection_group: bool
    equality: frozenset[tuple[str, str]]  # (field, ASCENDING | CONTAINS)
    inequality: tuple[str, ...]
    orders: tuple[tuple[str, str], ...]  # (field, ASCENDING | DESCENDING), as sent
    where: str = ""  # the code that ran it, for messages


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    scope: str  # COLLECTION | COLLECTION_GROUP
    equality: frozenset[tuple[str, str]]
    orders: tuple[tuple[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        """The entry to add to firestore.indexes.json."""
        fields = [
            {"fieldPath": f, "arrayConfig": CONTAINS}
            if mode == CONTAINS
            else {"fieldPath": f, "order": mode}
            for f, mode in sorted(self.equality)
        ] + [{"fieldPath": f, "order": d} for f, d in self.orders]
        return {"collectionGroup": self.collection, "queryScope": self.scope, "fields": fields}


def _drop_implicit_name(orders: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if orders and orders[-1][0] == "__name__":
        last = orders[-2][1] if len(orders) > 1 else ASC
        if orders[-1][1] == last:
            return orders[:-1]
    return orders


def required_index(shape: QueryShape) -> IndexSpec | None:
    """The composite index `shape` needs, or None if single-field indexes serve it."""
    eq_fields = {f for f, _ in shape.equality}
    orders = [(f, d) for f, d in shape.orders if f not in eq_fields]
    ordered = {f for f, _ in orders}
    implicit = sorted(f for f in set(shape.inequality) - ordered - eq_fields)
    if implicit:
        name = [o for o in orders if o[0] == "__name__"]
        orders = [o for o in orders if o[0] != "__name__"] + [(f, ASC) for f in implicit] + name
    orders = _drop_implicit_name(orders)
    if not orders:
        return None  # equality filters only: merged single-field indexes
    if not shape.equality and len(orders) == 1:
        return None  # one field, either direction: its single-field index
    scope = "COLLECTION_GROUP" if shape.collection_group else "COLLECTION"
    return IndexSpec(shape.collection, scope, frozenset(shape.equality), tuple(orders))


def load_indexes(path: Path | None = None) -> list[IndexSpec]:
    """The composite indexes declared in firestore.indexes.json, each in every reading
    Firestore allows (the equality prefix may be any leading subset of the fields)."""
    data = json.loads((path or ROOT / "firestore.indexes.json").read_text())
    out = []
    for index in data.get("indexes", []):
        fields: list[tuple[str, str]] = []
        for f in index["fields"]:
            mode = CONTAINS if f.get("arrayConfig") == CONTAINS else f.get("order", ASC)
            fields.append((f["fieldPath"], mode))
        fields = _drop_implicit_name(fields)
        scope = index.get("queryScope", "COLLECTION")
        for k in range(len(fields) + 1):
            prefix, rest = fields[:k], fields[k:]
            if any(mode == CONTAINS for _, mode in rest):
                continue
            # An equality filter can use an ascending or a descending index field.
            eq = frozenset((f, CONTAINS if mode == CONTAINS else ASC) for f, mode in prefix)
            out.append(IndexSpec(index["collectionGroup"], scope, eq, tuple(rest)))
    return out


def declared(spec: IndexSpec, indexes: list[IndexSpec]) -> bool:
    """An exact index, or index merging: declared indexes with the same orders whose equality
    fields are each a subset of the query's and together cover them all."""
    if spec in indexes:
        return True
    covered: set[tuple[str, str]] = set()
    for index in indexes:
        if (index.collection, index.scope, index.orders) == (
            spec.collection,
            spec.scope,
            spec.orders,
        ) and index.equality <= spec.equality:
            covered |= index.equality
    return bool(spec.equality) and covered == set(spec.equality)


def shape_of(pb: Any, where: str = "") -> QueryShape:
    """The shape of a `google.cloud.firestore_v1.types.StructuredQuery` (proto-plus or raw)."""
    from google.cloud.firestore_v1.types import StructuredQuery

    raw = StructuredQuery.pb(pb) if isinstance(pb, StructuredQuery) else pb
    source = raw.from_[0] if hasattr(raw, "from_") else getattr(raw, "from")[0]
    equality: set[tuple[str, str]] = set()
    inequality: list[str] = []
    _collect(raw.where, equality, inequality)
    direction = {1: ASC, 2: DESC}
    orders = tuple((o.field.field_path, direction[o.direction]) for o in raw.order_by)
    return QueryShape(
        collection=source.collection_id,
        collection_group=bool(source.all_descendants),
        equality=frozenset(equality),
        inequality=tuple(dict.fromkeys(inequality)),
        orders=orders,
        where=where,
    )


def _collect(flt: Any, equality: set[tuple[str, str]], inequality: list[str]) -> None:
    from google.cloud.firestore_v1.types import StructuredQuery

    kind = flt.WhichOneof("filter_type")
    if kind is None:
        return
    if kind == "composite_filter":
        op = StructuredQuery.CompositeFilter.Operator(flt.composite_filter.op).name
        if op != "AND":
            raise NotImplementedError("OR queries: derive an index per disjunct")
        for sub in flt.composite_filter.filters:
            _collect(sub, equality, inequality)
    elif kind == "field_filter":
        name = StructuredQuery.FieldFilter.Operator(flt.field_filter.op).name
        path = flt.field_filter.field.field_path
        if name in _EQUALITY:
            equality.add((path, ASC))
        elif name in _CONTAINS:
            equality.add((path, CONTAINS))
        elif name in _INEQUALITY:
            inequality.append(path)
        else:
            raise NotImplementedError(name)
    else:
        name = StructuredQuery.UnaryFilter.Operator(flt.unary_filter.op).name
        path = flt.unary_filter.field.field_path
        if name in _UNARY_EQUALITY:
            equality.add((path, ASC))
        else:
            inequality.append(path)


@dataclass
class QueryRecorder:
    shapes: list[QueryShape] = field(default_factory=list)

    @contextmanager
    def recording(self) -> Iterator[QueryRecorder]:
        """Record every query built for the server while inside the block."""
        from google.cloud.firestore_v1.base_query import BaseQuery

        original = BaseQuery._to_protobuf
        recorder = self

        def recorded(query: Any) -> Any:
            pb = original(query)
            recorder.shapes.append(shape_of(pb, where=_caller()))
            return pb

        BaseQuery._to_protobuf = recorded  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseQuery._to_protobuf = original  # type: ignore[method-assign]


def _caller() -> str:
    """The innermost frame of the platform library (or of the tests) that ran the query."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "coinbox_platform" in frame.filename:
            return f"{frame.filename.split('coinbox_platform/')[-1]}:{frame.lineno} {frame.name}"
    return "?"
