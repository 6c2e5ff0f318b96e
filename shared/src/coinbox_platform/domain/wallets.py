"""Wallet operations seen by users: balance, sandbox deposits, withdrawals (docs/product.md
§3.2)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from coinbox_platform import store
from coinbox_platform.clock import utcnow
from coinbox_platform.config import settings
from coinbox_platform.domain.ledger import Ledger, Move, Refs, Wallet, platform_wallet_ids
from coinbox_platform.domain.models import LedgerEntry, LedgerStatus, LedgerType
from coinbox_platform.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from coinbox_platform.money import ZAR, Asset, parse_quantity

if TYPE_CHECKING:
    from google.cloud.firestore import Transaction

MAX_SANDBOX_DEPOSIT = 100_000_000  # R1,000,000 per deposit
FAILING_CENTS = 13  # sandbox payouts of an amount ending in 13 cents fail


def get_wallet(uid: str) -> Wallet:
    snap = store.db().collection(store.WALLETS).document(uid).get()
    return Wallet.from_doc(uid, snap.to_dict() if snap.exists else None)


def platform_balance() -> int:
    """The platform's fee income: the sum of its wallet shards."""
    col = store.db().collection(store.WALLETS)
    snaps = store.get_all([col.document(w) for w in platform_wallet_ids()])
    return sum(int((s.to_dict() or {}).get("balance", 0)) for s in snaps.values() if s.exists)


def deposit(
    uid: str,
    *,
    amount: int | None = None,
    asset: Asset | None = None,
    quantity: str | None = None,
    now: datetime | None = None,
) -> LedgerEntry:
    """Sandbox only: fund a wallet with rands (`amount`) or crypto (`asset`, `quantity`)."""
    if not settings().sandbox:
        raise Forbidden("Deposits come from the payment provider outside sandbox mode.")
    now = now or utcnow()
    if (amount is None) == (asset is None or quantity is None):
        raise InvalidRequest(
            "Give either amount (cents) or asset and quantity.",
            errors=[FieldError("amount", "amount or asset+quantity", "invalid")],
        )
    if amount is not None:
        if not 0 < amount <= MAX_SANDBOX_DEPOSIT:
            raise InvalidRequest(
                "The deposit amount is out of range.",
                errors=[FieldError("amount", f"1 to {MAX_SANDBOX_DEPOSIT} cents", "out_of_range")],
            )
        units, asset_code = amount, ZAR
    else:
        assert asset is not None and quantity is not None
        try:
            units = parse_quantity(quantity, asset)
        except ValueError as exc:
            raise InvalidRequest(
                "The quantity is invalid.",
                errors=[FieldError("quantity", str(exc), "invalid_quantity")],
            ) from exc
        asset_code = asset.value

    def apply(txn: Transaction) -> LedgerEntry:
        ledger = Ledger(txn, now)
        ledger.read(uid)
        entry = ledger.post(
            uid,
            Move.CREDIT,
            units,
            asset=asset_code,
            type=LedgerType.DEPOSIT,
            description="Sandbox deposit",
        )
        ledger.write()
        return entry

    return store.run_transaction(apply)


def request_withdrawal(uid: str, amount: int, *, now: datetime | None = None) -> LedgerEntry:
    """Debit the wallet at once into a pending withdrawal that a payout job settles."""
    if amount <= 0:
        raise InvalidRequest(
            "The amount must be positive.",
            errors=[FieldError("amount", "must be a positive number of cents", "invalid")],
        )
    now = now or utcnow()

    def apply(txn: Transaction) -> LedgerEntry:
        ledger = Ledger(txn, now)
        ledger.read(uid)
        entry = ledger.post(
            uid,
            Move.DEBIT,
            amount,
            type=LedgerType.WITHDRAWAL,
            status=LedgerStatus.PENDING,
            description="Withdrawal to bank",
        )
        ledger.write()
        return entry

    return store.run_transaction(apply)


def settle_withdrawal(transaction_id: str, *, now: datetime | None = None) -> LedgerEntry:
    """Complete a pending withdrawal, or fail it and refund the wallet (sandbox: amounts
    ending in 13 cents fail). Idempotent: a settled withdrawal is returned unchanged."""
    now = now or utcnow()
    ref = store.db().collection(store.TRANSACTIONS).document(transaction_id)

    def apply(txn: Transaction) -> LedgerEntry:
        snap = ref.get(transaction=txn)
        if not snap.exists:
            raise NotFound(f"No transaction {transaction_id}.")
        entry = LedgerEntry.from_doc(snap.id, snap.to_dict() or {})
        if entry.type != LedgerType.WITHDRAWAL:
            raise Conflict("Not a withdrawal.", code="invalid_state")
        if entry.status != LedgerStatus.PENDING:
            return entry
        # The failing-payout rule is a sandbox fixture: real payouts never fail on their cents.
        if settings().sandbox and entry.amount % 100 == FAILING_CENTS:
            ledger = Ledger(txn, now)
            ledger.read(entry.user_id)
            ledger.post(
                entry.user_id,
                Move.CREDIT,
                entry.amount,
                type=LedgerType.REFUND,
                description="Withdrawal failed: refunded",
                refs=Refs(related_transaction_id=entry.id),
            )
            ledger.write()
            update = {"status": LedgerStatus.FAILED, "failure_reason": "payout_rejected"}
        else:
            update = {"status": LedgerStatus.COMPLETED}
        settled = entry.model_copy(update={**update, "updated_at": now})
        txn.set(ref, settled.to_doc())
        return settled

    return store.run_transaction(apply)
