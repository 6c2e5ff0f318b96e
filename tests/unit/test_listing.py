"""store.Listing: a list's owner rule is written once and used twice, as the query's first
filters and as the test a cursor document must pass (docs/architecture.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coinbox_platform import store
from coinbox_platform.domain import crypto, ledger, loans, messages
from coinbox_platform.domain.models import LedgerStatus, LedgerType, LoanStatus, OrderStatus
from coinbox_platform.webhooks.event import user_events

NOW = datetime(2025, 1, 31, 9, 15, tzinfo=UTC)


def _conditions(listing: store.Listing) -> list[tuple[str, str, object]]:
    return [(w.field, w.op, w.value) for w in (*listing.owner, *listing.filters)]


def test_absent_filters_add_nothing_and_enums_are_stored_values() -> None:
    assert _conditions(loans.borrower_loans("u1")) == [("borrowerId", "==", "u1")]
    listing = loans.borrower_loans("u1", LoanStatus.APPROVED)
    assert _conditions(listing) == [("borrowerId", "==", "u1"), ("status", "==", "approved")]
    assert type(listing.filters[0].value) is str  # the StrEnum's value, not the enum


def test_the_cursor_must_be_in_the_callers_list_whatever_the_filters() -> None:
    listing = loans.borrower_loans("u1", LoanStatus.APPROVED)
    assert listing.admits({"borrowerId": "u1", "status": "approved"})
    # A loan of the caller's that has left the status filter still pages on.
    assert listing.admits({"borrowerId": "u1", "status": "disbursed"})
    assert not listing.admits({"borrowerId": "u2", "status": "approved"})
    assert not listing.admits({})


def test_a_takers_list_is_owned_through_takerId() -> None:
    listing = crypto.user_orders("u1", as_taker=True, status=OrderStatus.FILLED)
    assert _conditions(listing)[0] == ("takerId", "==", "u1")
    assert listing.admits({"takerId": "u1", "userId": "u9"})
    assert not listing.admits({"userId": "u1"})


def test_repayments_belong_to_one_loan_and_one_type() -> None:
    listing = ledger.loan_repayments("u1", "loan_1")
    ok = {"userId": "u1", "loanId": "loan_1", "type": LedgerType.REPAYMENT.value}
    assert listing.admits(ok)
    assert not listing.admits(ok | {"loanId": "loan_2"})
    assert not listing.admits(ok | {"type": "deposit"})


def test_transaction_filters_keep_the_index_order() -> None:
    """The order api/routes/transactions.py names the composite indexes in (EQUALITY_FILTERS,
    checked against firestore.indexes.json by tests/api/test_transactions.py)."""
    from coinbox_platform.api.routes.transactions import EQUALITY_FILTERS

    listing = ledger.entries(
        "u1",
        type=LedgerType.DEPOSIT,
        status=LedgerStatus.COMPLETED,
        asset="ZAR",
        created_from=NOW,
        created_before=NOW,
    )
    assert [(f, op) for f, op, _ in _conditions(listing)] == [
        ("userId", "=="),
        *[(name, "==") for name in EQUALITY_FILTERS],
        ("createdAt", ">="),
        ("createdAt", "<"),
    ]


def test_events_are_owned_through_array_membership() -> None:
    listing = user_events("u1", "loan.approved")
    assert listing.admits({"userIds": ["u0", "u1"]})
    assert not listing.admits({"userIds": ["u0"]})
    assert not listing.admits({"userIds": "u1"})  # not a list


def test_the_public_marketplace_admits_any_loan_that_was_on_it() -> None:
    listing = loans.marketplace_loans(NOW, term_days=30)
    assert listing.owner == ()
    assert listing.order_field == "expiresAt"
    assert listing.admits({"borrowerId": "anyone", "expiresAt": NOW})
    assert not listing.admits({"borrowerId": "anyone", "expiresAt": None})  # never public


def test_an_inbox_filters_by_status_string() -> None:
    assert _conditions(messages.inbox("u1", "unread"))[1] == ("status", "==", "unread")


def test_only_owner_ops_are_checked_in_python() -> None:
    with pytest.raises(ValueError, match="no Python check"):
        store.Where("createdAt", ">", NOW).holds({"createdAt": NOW})
