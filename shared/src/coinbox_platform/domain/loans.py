"""Loans and investments (docs/product.md §3.3): create with automatic review, cancel, fund, repay,
expire and default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from google.cloud.firestore import FieldFilter

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.domain.ledger import Ledger, Move, Refs, random_platform_wallet
from coinbox_platform.domain.models import (
    Investment,
    InvestmentStatus,
    LedgerType,
    Loan,
    LoanStatus,
    UserProfile,
)
from coinbox_platform.errors import (
    Conflict,
    FieldError,
    InvalidRequest,
    NotFound,
    UnprocessableRule,
    insufficient_funds,
    limit_exceeded,
)
from coinbox_platform.ids import has_prefix, new_id
from coinbox_platform.money import LOAN_FUNDING_FEE, loan_interest, rands
from coinbox_platform.tiers import KycStatus, limits_for

if TYPE_CHECKING:
    from google.cloud.firestore import CollectionReference, Transaction

FUNDING_WINDOW = timedelta(days=7)
DEFAULT_GRACE = timedelta(days=7)
MIN_RATE, MAX_RATE = 15, 25
MIN_TERM, MAX_TERM = 7, 365
MAX_PURPOSE = 200


@dataclass(frozen=True)
class LoanRequest:
    amount: int
    interest_rate: int
    term_days: int
    purpose: str

    def validate(self) -> None:
        errors = []
        if self.amount <= 0:
            errors.append(FieldError("amount", "must be a positive number of cents", "invalid"))
        if not MIN_RATE <= self.interest_rate <= MAX_RATE:
            errors.append(
                FieldError("interestRate", f"must be {MIN_RATE} to {MAX_RATE}", "out_of_range")
            )
        if not MIN_TERM <= self.term_days <= MAX_TERM:
            errors.append(
                FieldError("termDays", f"must be {MIN_TERM} to {MAX_TERM}", "out_of_range")
            )
        if not self.purpose.strip() or len(self.purpose) > MAX_PURPOSE:
            errors.append(FieldError("purpose", f"1 to {MAX_PURPOSE} characters", "invalid"))
        if errors:
            raise InvalidRequest("The loan request is invalid.", errors=errors)


def _loans() -> CollectionReference:
    return store.db().collection(store.LOANS)


# ------------------------------------------------------------------ lists


def borrower_loans(uid: str, status: LoanStatus | None = None) -> store.Listing:
    """The borrower's own loans, newest first (GET /v1/loans)."""
    return store.owned(store.LOANS, "borrowerId", uid).where("status", "==", status)


def marketplace_loans(now: datetime, term_days: int | None = None) -> store.Listing:
    """Approved loans still inside their funding window (GET /v1/loans/marketplace), latest
    deadline first. Public: any loan that was ever on the marketplace (it has a funding
    window) may serve as the cursor, so paging survives a loan being funded between pages;
    a loan that was never public (rejected) may not, so the cursor cannot probe private
    loans."""
    return (
        store.Listing(
            store.LOANS,
            owner=(),
            filters=(store.Where("status", "==", LoanStatus.APPROVED.value),),
            order_field="expiresAt",
            cursor_rule=lambda data: data.get("expiresAt") is not None,
        )
        .where("termDays", "==", term_days)
        .where("expiresAt", ">", now)
    )


def investor_investments(uid: str, status: InvestmentStatus | None = None) -> store.Listing:
    """The investor's own investments, newest first (GET /v1/investments)."""
    return store.owned(store.INVESTMENTS, "investorId", uid).where("status", "==", status)


def review(borrower: UserProfile, request: LoanRequest, has_defaulted: bool) -> str | None:
    """The automatic review: the reason to reject, or None to approve."""
    if borrower.kyc_status != KycStatus.VERIFIED:
        return "kyc_not_verified"
    if request.amount > limits_for(borrower.membership_tier).loan_limit:
        return "over_tier_loan_limit"
    if has_defaulted:
        return "borrower_has_defaulted_loan"
    return None


def has_defaulted_loan(uid: str) -> bool:
    query = (
        _loans()
        .where(filter=FieldFilter("borrowerId", "==", uid))
        .where(filter=FieldFilter("status", "==", LoanStatus.DEFAULTED.value))
        .limit(1)
    )
    return any(True for _ in query.stream())


def build_loan(
    borrower: UserProfile,
    request: LoanRequest,
    *,
    has_defaulted: bool,
    now: datetime,
    batch_id: str | None = None,
) -> Loan:
    """A new loan after the automatic review (not yet written)."""
    request.validate()
    reason = review(borrower, request, has_defaulted)
    return Loan(
        id=new_id("loan"),
        borrower_id=borrower.id,
        amount=request.amount,
        interest_rate=request.interest_rate,
        term_days=request.term_days,
        purpose=request.purpose.strip(),
        status=LoanStatus.REJECTED if reason else LoanStatus.APPROVED,
        reason=reason,
        expires_at=None if reason else now + FUNDING_WINDOW,
        created_at=now,
        batch_id=batch_id,
    )


def create_loan(
    borrower: UserProfile,
    request: LoanRequest,
    *,
    now: datetime | None = None,
    batch_id: str | None = None,
) -> Loan:
    """Create a loan; the automatic review approves it (open for funding for 7 days) or rejects
    it with a reason."""
    loan = build_loan(
        borrower,
        request,
        has_defaulted=has_defaulted_loan(borrower.id),
        now=now or utcnow(),
        batch_id=batch_id,
    )
    write_new_loan(loan)
    return loan


def write_new_loan(loan: Loan, txn: Transaction | None = None) -> None:
    """Store a loan built by `build_loan` (in `txn` when given); a loan id that exists already
    is an error, never an overwrite."""
    ref = _loans().document(loan.id)
    if txn is None:
        ref.create(loan.to_doc())
    else:
        txn.create(ref, loan.to_doc())


def get_loan(loan_id: str) -> Loan | None:
    return Loan.fetch(loan_id)


def owned_investment(uid: str, investment_id: str) -> Investment:
    """An investment the user made (the borrower sees the loan, not the investment)."""
    if not has_prefix(investment_id, "inv"):
        raise NotFound(f"No investment {investment_id}.")
    return Investment.require_owned(investment_id, uid, owner="investor_id")


def visible_loan(uid: str, loan_id: str) -> Loan:
    """A loan the user may see: theirs, one they funded, or one open on the marketplace."""
    loan = get_loan(loan_id)
    if loan is None or (
        uid not in (loan.borrower_id, loan.investor_id) and loan.status != LoanStatus.APPROVED
    ):
        raise NotFound(f"No loan {loan_id}.")
    return loan


def _read_loan(txn: Transaction, loan_id: str) -> Loan:
    return Loan.require(loan_id, txn)


def cancel_loan(uid: str, loan_id: str, *, now: datetime | None = None) -> Loan:
    """The borrower withdraws a loan that nobody has funded yet."""
    now = now or utcnow()

    def apply(txn: Transaction) -> Loan:
        loan = _read_loan(txn, loan_id)
        if loan.borrower_id != uid:
            raise NotFound(f"No loan {loan_id}.")
        if loan.status not in (LoanStatus.PENDING, LoanStatus.APPROVED):
            raise Conflict(f"A {loan.status.value} loan cannot be cancelled.", code="invalid_state")
        changes = {"status": LoanStatus.CANCELLED.value, "updatedAt": now}
        txn.update(_loans().document(loan_id), changes)
        return loan.model_copy(update={"status": LoanStatus.CANCELLED, "updated_at": now})

    return store.run_transaction(apply)


@dataclass(frozen=True)
class Funding:
    loan: Loan
    investment: Investment


def stage_funding(
    ledger: Ledger,
    investor: UserProfile,
    loan: Loan,
    amount: int,
    *,
    now: datetime,
    platform: str,
    batch_id: str | None = None,
) -> Funding:
    """Check one funding and stage its money moves on an already-read ledger (the investor's,
    the borrower's and the platform shard's wallets must have been read). Nothing is written:
    the caller writes the ledger and then `write_funding`. Raises before any move is staged,
    so a refused funding leaves the ledger as it was."""
    if loan.borrower_id == investor.id:
        raise UnprocessableRule(
            "You cannot invest in your own loan.",
            code="self_investment",
            errors=[FieldError("loanId", "this is your own loan", "self_investment")],
        )
    if loan.status != LoanStatus.APPROVED or (loan.expires_at and loan.expires_at <= now):
        raise Conflict("This loan is not open for funding.", code="loan_not_open")
    if amount != loan.amount:
        raise UnprocessableRule(
            f"The amount must equal the loan amount ({loan.amount} cents).",
            code="amount_mismatch",
            errors=[FieldError("amount", f"must be {loan.amount}", "amount_mismatch")],
        )
    if investor.kyc_status != KycStatus.VERIFIED:
        raise UnprocessableRule(
            "Investors must be KYC-verified.",
            code="kyc_required",
            errors=[FieldError("kycStatus", "must be verified", "kyc_required")],
        )
    wallet = ledger.wallet(investor.id)
    cap = limits_for(investor.membership_tier).investment_limit
    if wallet.active_invested + amount > cap:
        raise limit_exceeded(f"Active investments would exceed the tier limit of {rands(cap)}.")
    if wallet.balance < amount + LOAN_FUNDING_FEE:
        # The same refusal the second ledger.post would give, raised before the first one.
        raise insufficient_funds("Insufficient balance for this operation.", "amount")
    investment_id = new_id("inv")
    related = Refs(loan_id=loan.id, investment_id=investment_id, batch_id=batch_id)
    ledger.post(
        investor.id,
        Move.DEBIT,
        amount,
        type=LedgerType.INVESTMENT,
        description=f"Funded loan {loan.id}",
        refs=related,
    )
    ledger.post(
        investor.id,
        Move.DEBIT,
        LOAN_FUNDING_FEE,
        type=LedgerType.FEE,
        description="Loan funding fee",
        refs=related,
    )
    ledger.post(
        loan.borrower_id,
        Move.CREDIT,
        amount,
        type=LedgerType.DISBURSEMENT,
        description=f"Loan {loan.id} disbursed",
        refs=related,
    )
    ledger.post(
        platform,
        Move.CREDIT,
        LOAN_FUNDING_FEE,
        type=LedgerType.FEE,
        description="Loan funding fee",
        refs=related,
    )
    wallet.active_invested += amount
    total_due = amount + loan_interest(amount, loan.interest_rate)
    funded = loan.model_copy(
        update={
            "status": LoanStatus.DISBURSED,
            "investor_id": investor.id,
            "investment_id": investment_id,
            "total_due": total_due,
            "due_at": now + timedelta(days=loan.term_days),
            "disbursed_at": now,
            "updated_at": now,
        }
    )
    investment = Investment(
        id=investment_id,
        investor_id=investor.id,
        borrower_id=loan.borrower_id,
        loan_id=loan.id,
        amount=amount,
        fee=LOAN_FUNDING_FEE,
        expected_return=total_due,
        status=InvestmentStatus.ACTIVE,
        created_at=now,
        batch_id=batch_id,
    )
    return Funding(funded, investment)


def write_funding(txn: Transaction, funding: Funding) -> None:
    """Stage the documents of a funding (after `ledger.write()`, in the same transaction)."""
    txn.set(_loans().document(funding.loan.id), funding.loan.to_doc())
    txn.create(
        store.db().collection(store.INVESTMENTS).document(funding.investment.id),
        funding.investment.to_doc(),
    )


def read_loans(txn: Transaction, loan_ids: list[str]) -> dict[str, Loan]:
    """The loans that exist among `loan_ids`, read in one round trip inside `txn`."""
    refs = [_loans().document(i) for i in dict.fromkeys(loan_ids)]
    snaps = store.get_all(refs, transaction=txn)
    out = {}
    for ref in refs:
        snap = snaps.get(ref.path)
        if snap is not None and snap.exists:
            out[ref.id] = Loan.from_doc(ref.id, snap.to_dict() or {})
    return out


def fund_loan(
    investor: UserProfile,
    loan_id: str,
    amount: int,
    *,
    now: datetime | None = None,
    batch_id: str | None = None,
) -> Funding:
    """One investor funds the whole loan. In one transaction: the investor pays amount + R10,
    the borrower receives amount, the loan is disbursed and the investment created."""
    now = now or utcnow()
    platform = random_platform_wallet()

    def apply(txn: Transaction) -> Funding:
        ledger = Ledger(txn, now)
        loan = _read_loan(txn, loan_id)
        ledger.read(investor.id, loan.borrower_id, platform)
        funding = stage_funding(
            ledger, investor, loan, amount, now=now, platform=platform, batch_id=batch_id
        )
        ledger.write()
        write_funding(txn, funding)
        return funding

    return store.run_transaction(apply)


def repay_loan(borrower_id: str, loan_id: str, amount: int, *, now: datetime | None = None) -> Loan:
    """The borrower repays part or all of what is outstanding; money goes to the investor.
    When nothing is outstanding the loan and the investment complete."""
    now = now or utcnow()
    if amount <= 0:
        raise InvalidRequest(
            "The amount must be positive.",
            errors=[FieldError("amount", "must be a positive number of cents", "invalid")],
        )

    def apply(txn: Transaction) -> Loan:
        loan = _read_loan(txn, loan_id)
        if loan.borrower_id != borrower_id:
            raise NotFound(f"No loan {loan_id}.")
        if loan.status != LoanStatus.DISBURSED or not loan.investor_id or not loan.investment_id:
            raise Conflict(f"A {loan.status.value} loan takes no repayment.", code="invalid_state")
        inv_ref = store.db().collection(store.INVESTMENTS).document(loan.investment_id)
        investment = Investment.require(loan.investment_id, txn)
        ledger = Ledger(txn, now)
        ledger.read(borrower_id, loan.investor_id)
        if amount > loan.outstanding:
            raise UnprocessableRule(
                f"The amount exceeds what is outstanding ({loan.outstanding} cents).",
                code="overpayment",
                errors=[FieldError("amount", f"at most {loan.outstanding}", "overpayment")],
            )
        related = Refs(loan_id=loan.id, investment_id=investment.id)
        ledger.post(
            borrower_id,
            Move.DEBIT,
            amount,
            type=LedgerType.REPAYMENT,
            description=f"Repayment of loan {loan.id}",
            refs=related,
        )
        ledger.post(
            loan.investor_id,
            Move.CREDIT,
            amount,
            type=LedgerType.REPAYMENT,
            description=f"Repayment from loan {loan.id}",
            refs=related,
        )
        repaid = loan.repaid + amount
        loan_update: dict[str, Any] = {"repaid": repaid, "updated_at": now}
        inv_update: dict[str, Any] = {"received": investment.received + amount, "updated_at": now}
        if repaid == loan.total_due:
            loan_update |= {"status": LoanStatus.COMPLETED, "completed_at": now}
            inv_update["status"] = InvestmentStatus.COMPLETED
            investor_wallet = ledger.wallet(loan.investor_id)
            investor_wallet.active_invested = max(
                0, investor_wallet.active_invested - investment.amount
            )
        updated = loan.model_copy(update=loan_update)
        ledger.write()
        txn.set(_loans().document(loan.id), updated.to_doc())
        txn.set(inv_ref, investment.model_copy(update=inv_update).to_doc())
        return updated

    return store.run_transaction(apply)


def expire_loans(now: datetime | None = None, *, limit: int = 500) -> int:
    """Approved loans unfunded for 7 days become expired. Idempotent; returns how many."""
    now = now or utcnow()
    query = (
        _loans()
        .where(filter=FieldFilter("status", "==", LoanStatus.APPROVED.value))
        .where(filter=FieldFilter("expiresAt", "<=", now))
        .limit(limit)
    )
    count = 0
    for snap in query.stream():

        def apply(txn: Transaction, loan_id: str = snap.id) -> bool:
            loan = _read_loan(txn, loan_id)
            if loan.status != LoanStatus.APPROVED or not loan.expires_at or loan.expires_at > now:
                return False
            txn.update(
                _loans().document(loan_id),
                {"status": LoanStatus.EXPIRED.value, "updatedAt": now},
            )
            return True

        count += store.run_transaction(apply)
    return count


def mark_defaults(now: datetime | None = None, *, limit: int = 500) -> int:
    """Disbursed loans still owing 7 days after dueAt default, with their investment. The
    investment is no longer active, so the investor's activeInvested drops by its principal.
    Idempotent; returns how many defaulted."""
    now = now or utcnow()
    cutoff = now - DEFAULT_GRACE
    query = (
        _loans()
        .where(filter=FieldFilter("status", "==", LoanStatus.DISBURSED.value))
        .where(filter=FieldFilter("dueAt", "<=", cutoff))
        .limit(limit)
    )
    count = 0
    for snap in query.stream():

        def apply(txn: Transaction, loan_id: str = snap.id) -> bool:
            loan = _read_loan(txn, loan_id)
            if (
                loan.status != LoanStatus.DISBURSED
                or not loan.due_at
                or loan.due_at > cutoff
                or not loan.investor_id
                or not loan.investment_id
            ):
                return False
            inv_ref = store.db().collection(store.INVESTMENTS).document(loan.investment_id)
            investment = Investment.require(loan.investment_id, txn)
            ledger = Ledger(txn, now)
            ledger.read(loan.investor_id)
            wallet = ledger.touch(loan.investor_id)
            wallet.active_invested = max(0, wallet.active_invested - investment.amount)
            ledger.write()
            txn.update(
                _loans().document(loan_id),
                {"status": LoanStatus.DEFAULTED.value, "updatedAt": now},
            )
            txn.update(inv_ref, {"status": InvestmentStatus.DEFAULTED.value, "updatedAt": now})
            return True

        count += store.run_transaction(apply)
    return count
