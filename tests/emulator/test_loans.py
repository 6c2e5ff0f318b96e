"""Loans and investments (docs/product.md §3.3) against the Firestore emulator: review, validation,
cancel, expiry, funding, repayment, default."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain import loans
from coinbox_platform.domain.loans import LoanRequest
from coinbox_platform.domain.models import InvestmentStatus, Loan, LoanStatus, UserProfile
from coinbox_platform.errors import CoinboxError, InvalidRequest
from coinbox_platform.money import LOAN_FUNDING_FEE
from coinbox_platform.tiers import KycStatus, MembershipTier
from tests.invariants import (
    check_wallet,
    check_wallet_objects,
    freeze,
    money_totals,
    platform_wallets,
    read_wallet,
)
from tests.support import make_profile

pytestmark = pytest.mark.emulator

DAY = timedelta(days=1)


def request(
    amount: int = 40_000, rate: int = 20, term: int = 30, purpose: str = "Stock"
) -> LoanRequest:
    return LoanRequest(amount=amount, interest_rate=rate, term_days=term, purpose=purpose)


def loan_doc(loan_id: str) -> Loan:
    loan = loans.get_loan(loan_id)
    assert loan is not None
    return loan


def investment_doc(investment_id: str) -> dict[str, object]:
    snap = store.db().collection(store.INVESTMENTS).document(investment_id).get()
    assert snap.exists
    return snap.to_dict() or {}


def refused(code: str, fn: object, *args: object, **kw: object) -> CoinboxError:
    with pytest.raises(CoinboxError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    assert info.value.code == code, info.value
    return info.value


def open_loan(borrower: UserProfile | None = None, amount: int = 40_000, **kw: object) -> Loan:
    borrower = borrower or make_profile()
    loan = loans.create_loan(borrower, request(amount, **kw))  # type: ignore[arg-type]
    assert loan.status == LoanStatus.APPROVED
    return loan


# ---- review and validation ----


def test_verified_borrower_within_limit_is_approved_for_seven_days() -> None:
    borrower = make_profile()
    now = utcnow()
    loan = loans.create_loan(borrower, request(50_000, purpose="  Stock  "), now=now)
    stored = loan_doc(loan.id)
    assert stored.status == LoanStatus.APPROVED and stored.reason is None
    assert stored.expires_at == now + timedelta(days=7)
    assert stored.borrower_id == borrower.id and stored.purpose == "Stock"
    assert stored.total_due is None and stored.repaid == 0


@pytest.mark.parametrize("kyc", [KycStatus.PENDING, KycStatus.REJECTED])
def test_unverified_borrower_is_rejected(kyc: KycStatus) -> None:
    loan = loans.create_loan(make_profile(kyc=kyc), request(10_000))
    stored = loan_doc(loan.id)
    assert (stored.status, stored.reason, stored.expires_at) == (
        LoanStatus.REJECTED,
        "kyc_not_verified",
        None,
    )


@pytest.mark.parametrize(
    ("tier", "limit"),
    [
        (MembershipTier.BASIC, 50_000),
        (MembershipTier.AMBASSADOR, 100_000),
        (MembershipTier.VIP, 500_000),
        (MembershipTier.BUSINESS, 1_000_000),
    ],
)
def test_tier_loan_limit(tier: MembershipTier, limit: int) -> None:
    borrower = make_profile(tier=tier)
    at_limit = loans.create_loan(borrower, request(limit))
    over = loans.create_loan(borrower, request(limit + 1))
    assert loan_doc(at_limit.id).status == LoanStatus.APPROVED
    stored = loan_doc(over.id)
    assert (stored.status, stored.reason) == (LoanStatus.REJECTED, "over_tier_loan_limit")


def test_borrower_with_a_defaulted_loan_is_rejected() -> None:
    borrower = make_profile()
    investor = make_profile(balance=100_000)
    loan = open_loan(borrower, 20_000, term=7)
    now = utcnow()
    loans.fund_loan(investor, loan.id, 20_000, now=now)
    loans.mark_defaults(now + timedelta(days=14, seconds=1))
    assert loan_doc(loan.id).status == LoanStatus.DEFAULTED
    again = loans.create_loan(borrower, request(10_000))
    stored = loan_doc(again.id)
    assert (stored.status, stored.reason) == (LoanStatus.REJECTED, "borrower_has_defaulted_loan")
    # Another borrower is unaffected.
    assert open_loan(amount=10_000).status == LoanStatus.APPROVED


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"rate": 14}, "interestRate"),
        ({"rate": 26}, "interestRate"),
        ({"term": 6}, "termDays"),
        ({"term": 366}, "termDays"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "   "}, "purpose"),
        ({"purpose": "x" * 201}, "purpose"),
    ],
)
def test_invalid_loan_requests_write_nothing(kw: dict[str, object], field: str) -> None:
    borrower = make_profile()
    before = list(
        store.db()
        .collection(store.LOANS)
        .where(filter=FieldFilter("borrowerId", "==", borrower.id))
        .stream()
    )
    with pytest.raises(InvalidRequest) as info:
        loans.create_loan(borrower, request(**kw))  # type: ignore[arg-type]
    assert info.value.code == "invalid_request"
    assert [e.field for e in info.value.errors] == [field]
    after = list(
        store.db()
        .collection(store.LOANS)
        .where(filter=FieldFilter("borrowerId", "==", borrower.id))
        .stream()
    )
    assert before == after == []


@pytest.mark.parametrize(("rate", "term", "purpose"), [(15, 7, "x"), (25, 365, "y" * 200)])
def test_validation_bounds_are_inclusive(rate: int, term: int, purpose: str) -> None:
    loan = loans.create_loan(make_profile(), request(1_000, rate, term, purpose))
    assert loan_doc(loan.id).status == LoanStatus.APPROVED


# ---- cancel ----


def test_borrower_cancels_an_approved_loan() -> None:
    loan = open_loan()
    cancelled = loans.cancel_loan(loan.borrower_id, loan.id)
    assert cancelled.status == LoanStatus.CANCELLED
    assert loan_doc(loan.id).status == LoanStatus.CANCELLED
    refused("invalid_state", loans.cancel_loan, loan.borrower_id, loan.id)


def test_only_the_borrower_cancels() -> None:
    loan = open_loan()
    before = freeze([], [(store.LOANS, loan.id)])
    refused("not_found", loans.cancel_loan, make_profile().id, loan.id)
    assert freeze([], [(store.LOANS, loan.id)]) == before


def test_rejected_and_disbursed_loans_cannot_be_cancelled() -> None:
    rejected = loans.create_loan(make_profile(kyc=KycStatus.PENDING), request())
    refused("invalid_state", loans.cancel_loan, rejected.borrower_id, rejected.id)
    assert loan_doc(rejected.id).status == LoanStatus.REJECTED
    loan = open_loan()
    loans.fund_loan(make_profile(balance=50_000), loan.id, loan.amount)
    before = freeze([loan.borrower_id], [(store.LOANS, loan.id)])
    refused("invalid_state", loans.cancel_loan, loan.borrower_id, loan.id)
    assert freeze([loan.borrower_id], [(store.LOANS, loan.id)]) == before


def test_cancel_unknown_loan() -> None:
    refused("not_found", loans.cancel_loan, "someone", "loan_doesnotexist")


# ---- expiry ----


def test_expire_loans_only_touches_approved_loans_past_expiry() -> None:
    t0 = utcnow() + timedelta(days=1000)  # far from other tests' loans
    borrower = make_profile()
    due = loans.create_loan(borrower, request(), now=t0)
    later = loans.create_loan(borrower, request(), now=t0 + 2 * DAY)
    cancelled = loans.create_loan(borrower, request(), now=t0)
    loans.cancel_loan(borrower.id, cancelled.id, now=t0)
    rejected = loans.create_loan(make_profile(kyc=KycStatus.PENDING), request(), now=t0)

    loans.expire_loans(t0 + 7 * DAY - timedelta(seconds=1))
    assert loan_doc(due.id).status == LoanStatus.APPROVED  # not yet 7 days

    assert loans.expire_loans(t0 + 7 * DAY) >= 1
    assert loan_doc(due.id).status == LoanStatus.EXPIRED
    assert loan_doc(later.id).status == LoanStatus.APPROVED
    assert loan_doc(cancelled.id).status == LoanStatus.CANCELLED
    assert loan_doc(rejected.id).status == LoanStatus.REJECTED

    expired = loan_doc(due.id)
    loans.expire_loans(t0 + 7 * DAY)  # idempotent
    assert loan_doc(due.id) == expired
    # An expired loan can no longer be funded or cancelled.
    investor = make_profile(balance=100_000)
    refused("loan_not_open", loans.fund_loan, investor, due.id, due.amount, now=t0 + 8 * DAY)
    refused("invalid_state", loans.cancel_loan, borrower.id, due.id)
    assert read_wallet(investor.id).balance == 100_000


def test_a_loan_past_its_window_cannot_be_funded_even_before_the_job_runs() -> None:
    now = utcnow()
    loan = loans.create_loan(make_profile(), request(), now=now)
    investor = make_profile(balance=100_000)
    before = freeze([investor.id, loan.borrower_id], [(store.LOANS, loan.id)])
    refused("loan_not_open", loans.fund_loan, investor, loan.id, loan.amount, now=now + 7 * DAY)
    assert freeze([investor.id, loan.borrower_id], [(store.LOANS, loan.id)]) == before


# ---- funding ----


def test_funding_moves_money_and_disburses() -> None:
    borrower = make_profile(balance=1_000)
    investor = make_profile(balance=100_000)
    loan = open_loan(borrower, 40_000, rate=17, term=30)
    platform_before = money_totals(platform_wallets()).get("ZAR", 0)
    now = utcnow()
    funding = loans.fund_loan(investor, loan.id, 40_000, now=now)

    stored = loan_doc(loan.id)
    assert stored.status == LoanStatus.DISBURSED
    assert stored.total_due == 40_000 + 6_800
    assert stored.due_at == now + timedelta(days=30)
    assert stored.investor_id == investor.id
    assert stored.investment_id == funding.investment.id
    investment = investment_doc(funding.investment.id)
    assert investment["investorId"] == investor.id and investment["loanId"] == loan.id
    assert investment["amount"] == 40_000 and investment["expectedReturn"] == 46_800
    assert investment["received"] == 0 and investment["status"] == "active"

    investor_wallet = check_wallet(investor.id)
    assert investor_wallet.balance == 100_000 - 40_000 - LOAN_FUNDING_FEE
    assert investor_wallet.active_invested == 40_000
    assert check_wallet(borrower.id).balance == 1_000 + 40_000
    assert money_totals(platform_wallets()).get("ZAR", 0) == platform_before + LOAN_FUNDING_FEE
    check_wallet_objects(investor.id)


def test_interest_is_rounded_half_up() -> None:
    loan = open_loan(amount=1_010, rate=15)  # 151.5 cents of interest
    loans.fund_loan(make_profile(balance=10_000), loan.id, 1_010)
    assert loan_doc(loan.id).total_due == 1_010 + 152


def _refused_funding(code: str, investor: UserProfile, loan: Loan, amount: int) -> None:
    watched = [investor.id, loan.borrower_id]

    def investments() -> list[str]:
        query = (
            store.db()
            .collection(store.INVESTMENTS)
            .where(filter=FieldFilter("loanId", "==", loan.id))
        )
        return sorted(s.id for s in query.stream())

    before = freeze(watched, [(store.LOANS, loan.id)]), investments()
    refused(code, loans.fund_loan, investor, loan.id, amount)
    assert (freeze(watched, [(store.LOANS, loan.id)]), investments()) == before


@pytest.mark.parametrize("delta", [-1, 1])
def test_amount_must_equal_the_loan_amount(delta: int) -> None:
    loan = open_loan(amount=40_000)
    _refused_funding("amount_mismatch", make_profile(balance=100_000), loan, 40_000 + delta)


@pytest.mark.parametrize("kyc", [KycStatus.PENDING, KycStatus.REJECTED])
def test_investor_must_be_kyc_verified(kyc: KycStatus) -> None:
    _refused_funding("kyc_required", make_profile(balance=100_000, kyc=kyc), open_loan(), 40_000)


def test_borrower_cannot_fund_own_loan() -> None:
    borrower = make_profile(balance=100_000)
    _refused_funding("self_investment", borrower, open_loan(borrower), 40_000)


def test_insufficient_funds_change_nothing() -> None:
    loan = open_loan(amount=40_000)
    # Enough for the principal but not the R10 fee on top.
    _refused_funding("insufficient_funds", make_profile(balance=40_000 + 999), loan, 40_000)
    investor = make_profile(balance=40_000 + LOAN_FUNDING_FEE)
    loans.fund_loan(investor, loan.id, 40_000)
    assert read_wallet(investor.id).balance == 0


def test_tier_investment_limit_counts_active_principal() -> None:
    investor = make_profile(balance=1_000_000)  # basic: R5,000 of active principal
    funded = 0
    while funded + 50_000 <= 500_000:
        loans.fund_loan(investor, open_loan(amount=50_000).id, 50_000)
        funded += 50_000
    assert read_wallet(investor.id).active_invested == 500_000
    _refused_funding("limit_exceeded", investor, open_loan(amount=1_000), 1_000)
    check_wallet(investor.id)
    check_wallet_objects(investor.id)


def test_repaying_frees_investment_capacity() -> None:
    investor = make_profile(balance=1_200_000, tier=MembershipTier.AMBASSADOR)  # R10,000
    borrower = make_profile(balance=100_000, tier=MembershipTier.AMBASSADOR)
    first = open_loan(borrower, 100_000)
    loans.fund_loan(investor, first.id, 100_000)
    for _ in range(9):
        other = open_loan(make_profile(tier=MembershipTier.AMBASSADOR), 100_000)
        loans.fund_loan(investor, other.id, 100_000)
    assert read_wallet(investor.id).active_invested == 1_000_000
    nxt = open_loan(make_profile(tier=MembershipTier.AMBASSADOR), 100_000)
    _refused_funding("limit_exceeded", investor, nxt, 100_000)
    loans.repay_loan(borrower.id, first.id, loan_doc(first.id).outstanding)
    assert read_wallet(investor.id).active_invested == 900_000
    loans.fund_loan(investor, nxt.id, 100_000)
    check_wallet_objects(investor.id)


def test_a_loan_is_funded_once() -> None:
    loan = open_loan()
    loans.fund_loan(make_profile(balance=50_000), loan.id, loan.amount)
    _refused_funding("loan_not_open", make_profile(balance=50_000), loan, loan.amount)


def test_cancelled_and_rejected_loans_cannot_be_funded() -> None:
    loan = open_loan()
    loans.cancel_loan(loan.borrower_id, loan.id)
    _refused_funding("loan_not_open", make_profile(balance=50_000), loan, loan.amount)
    rejected = loans.create_loan(make_profile(tier=MembershipTier.BASIC), request(60_000))
    _refused_funding("loan_not_open", make_profile(balance=90_000), rejected, 60_000)


def test_funding_an_unknown_loan() -> None:
    refused("not_found", loans.fund_loan, make_profile(balance=1_000), "loan_nope", 1_000)


# ---- repayment ----


def _funded(amount: int = 40_000, rate: int = 20, term: int = 30) -> tuple[Loan, UserProfile]:
    borrower = make_profile(balance=100_000)
    investor = make_profile(balance=100_000)
    loan = open_loan(borrower, amount, rate=rate, term=term)
    loans.fund_loan(investor, loan.id, amount)
    return loan_doc(loan.id), investor


def test_partial_then_full_repayment_completes_loan_and_investment() -> None:
    loan, investor = _funded(40_000, rate=20)
    assert loan.total_due == 48_000
    borrower_before = read_wallet(loan.borrower_id).balance
    investor_before = read_wallet(investor.id).balance

    partial = loans.repay_loan(loan.borrower_id, loan.id, 10_000)
    assert partial.status == LoanStatus.DISBURSED and partial.repaid == 10_000
    stored = loan_doc(loan.id)
    assert stored.status == LoanStatus.DISBURSED and stored.outstanding == 38_000
    assert investment_doc(stored.investment_id or "")["received"] == 10_000
    assert read_wallet(investor.id).active_invested == 40_000

    loans.repay_loan(loan.borrower_id, loan.id, 38_000)
    stored = loan_doc(loan.id)
    assert stored.status == LoanStatus.COMPLETED and stored.repaid == 48_000
    assert stored.completed_at is not None
    investment = investment_doc(stored.investment_id or "")
    assert investment["status"] == InvestmentStatus.COMPLETED and investment["received"] == 48_000
    borrower_wallet = check_wallet(loan.borrower_id)
    investor_wallet = check_wallet(investor.id)
    assert borrower_wallet.balance == borrower_before - 48_000
    assert investor_wallet.balance == investor_before + 48_000
    assert investor_wallet.active_invested == 0
    check_wallet_objects(investor.id)
    refused("invalid_state", loans.repay_loan, loan.borrower_id, loan.id, 1)


def test_overpayment_is_refused() -> None:
    loan, investor = _funded(40_000, rate=20)
    loans.repay_loan(loan.borrower_id, loan.id, 8_000)
    watched = [loan.borrower_id, investor.id]
    before = freeze(
        watched, [(store.LOANS, loan.id), (store.INVESTMENTS, loan.investment_id or "")]
    )
    refused("overpayment", loans.repay_loan, loan.borrower_id, loan.id, 40_001)
    assert (
        freeze(watched, [(store.LOANS, loan.id), (store.INVESTMENTS, loan.investment_id or "")])
        == before
    )


def test_only_the_borrower_repays() -> None:
    loan, investor = _funded()
    other = make_profile(balance=100_000)
    watched = [loan.borrower_id, investor.id, other.id]
    before = freeze(watched, [(store.LOANS, loan.id)])
    refused("not_found", loans.repay_loan, other.id, loan.id, 1_000)
    refused("not_found", loans.repay_loan, investor.id, loan.id, 1_000)
    assert freeze(watched, [(store.LOANS, loan.id)]) == before


@pytest.mark.parametrize("amount", [0, -100])
def test_repayment_amount_must_be_positive(amount: int) -> None:
    loan, _ = _funded()
    refused("invalid_request", loans.repay_loan, loan.borrower_id, loan.id, amount)
    assert loan_doc(loan.id).repaid == 0


def test_repayment_without_funds_changes_nothing() -> None:
    borrower = make_profile()
    investor = make_profile(balance=100_000)
    loan = open_loan(borrower, 40_000)
    loans.fund_loan(investor, loan.id, 40_000)
    loans.repay_loan(borrower.id, loan.id, 40_000)  # everything it received
    watched = [borrower.id, investor.id]
    before = freeze(watched, [(store.LOANS, loan.id)])
    refused("insufficient_funds", loans.repay_loan, borrower.id, loan.id, 1)
    assert freeze(watched, [(store.LOANS, loan.id)]) == before


def test_approved_loan_takes_no_repayment() -> None:
    loan = open_loan(make_profile(balance=10_000))
    refused("invalid_state", loans.repay_loan, loan.borrower_id, loan.id, 100)
    assert read_wallet(loan.borrower_id).balance == 10_000


# ---- default ----


def test_default_seven_days_after_due_date() -> None:
    borrower = make_profile(balance=100_000)
    investor = make_profile(balance=100_000)
    t0 = utcnow() + timedelta(days=2000)
    loan = loans.create_loan(borrower, request(40_000, term=10), now=t0 - 2 * DAY)
    loans.fund_loan(investor, loan.id, 40_000, now=t0 - DAY)
    loans.repay_loan(borrower.id, loan.id, 5_000, now=t0)
    due_at = loan_doc(loan.id).due_at
    assert due_at == t0 - DAY + timedelta(days=10)

    loans.mark_defaults(due_at + 7 * DAY - timedelta(seconds=1))
    assert loan_doc(loan.id).status == LoanStatus.DISBURSED
    assert loans.mark_defaults(due_at + 7 * DAY) >= 1
    stored = loan_doc(loan.id)
    assert stored.status == LoanStatus.DEFAULTED
    assert investment_doc(stored.investment_id or "")["status"] == InvestmentStatus.DEFAULTED
    investor_wallet = check_wallet(investor.id)
    assert investor_wallet.active_invested == 0
    check_wallet_objects(investor.id)
    # Idempotent, and a defaulted loan takes no further repayment.
    before = freeze([borrower.id, investor.id], [(store.LOANS, loan.id)])
    loans.mark_defaults(due_at + 8 * DAY)
    refused("invalid_state", loans.repay_loan, borrower.id, loan.id, 100)
    assert freeze([borrower.id, investor.id], [(store.LOANS, loan.id)]) == before


def test_completed_loans_never_default() -> None:
    loan, _ = _funded(10_000, term=7)
    loans.repay_loan(loan.borrower_id, loan.id, loan.total_due or 0)
    loans.mark_defaults((loan.due_at or utcnow()) + timedelta(days=30))
    assert loan_doc(loan.id).status == LoanStatus.COMPLETED
