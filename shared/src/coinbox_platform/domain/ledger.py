"""Wallets and the ledger: the only code that changes a wallet.

A `Ledger` lives inside one Firestore transaction. It reads the wallets it needs (all reads come
first, as Firestore transactions require), stages changes through `post`, which refuses any
change that would make an amount negative, and writes every changed wallet together with one
`transactions/{id}` entry per change when `write` is called. Each entry carries the wallet's
version after the change, so a wallet's entries are numbered 1..N with no gap: "every wallet
change has exactly one ledger entry" is checkable.

A change moves `amount` of one asset between the wallet's available and locked parts or across
the wallet's edge:

    Move.CREDIT   available += amount           (money in)
    Move.DEBIT    available -= amount           (money out)
    Move.LOCK     available -= amount, locked += amount
    Move.RELEASE  locked -= amount, available += amount
    Move.SPEND    locked -= amount              (locked money out)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

from coinbox_platform import gates, store
from coinbox_platform.domain.models import Direction, LedgerEntry, LedgerStatus, LedgerType
from coinbox_platform.errors import FieldError, NotFound, UnprocessableRule, insufficient_funds
from coinbox_platform.ids import has_prefix, new_id
from coinbox_platform.money import MAX_CRYPTO_HOLDING, MAX_ZAR_BALANCE, ZAR, Asset

if TYPE_CHECKING:
    from google.cloud.firestore import Transaction

PLATFORM = "platform"
# Fees land on one of several platform wallet documents so that concurrent fundings and trades
# do not all contend for one document; the platform's balance is their sum.
PLATFORM_SHARDS = 8


def platform_wallet_ids() -> list[str]:
    return [PLATFORM] + [f"{PLATFORM}-{i}" for i in range(1, PLATFORM_SHARDS)]


def random_platform_wallet() -> str:
    return random.choice(platform_wallet_ids())


def entries(
    uid: str,
    *,
    type: LedgerType | None = None,
    status: LedgerStatus | None = None,
    asset: str | None = None,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
) -> store.Listing:
    """The user's ledger entries, newest first (GET /v1/transactions). The equality filters
    come in the order of their composite index's fields (firestore.indexes.json)."""
    return (
        store.owned(store.TRANSACTIONS, "userId", uid)
        .where("type", "==", type)
        .where("status", "==", status)
        .where("asset", "==", asset)
        .where("createdAt", ">=", created_from)
        .where("createdAt", "<", created_before)
    )


def owned_entry(uid: str, entry_id: str) -> LedgerEntry:
    """One of the user's ledger entries; anyone else's (or an id that is not a ledger id: no
    read, so no odd document path reaches Firestore) is a 404."""
    if not has_prefix(entry_id, "txn"):
        raise NotFound(f"No transaction {entry_id}.")
    return LedgerEntry.require_owned(entry_id, uid)


def loan_repayments(uid: str, loan_id: str) -> store.Listing:
    """The borrower's repayment entries of one loan, newest first
    (GET /v1/loans/{loanId}/repayments)."""
    return store.owned(
        store.TRANSACTIONS, "userId", uid, loanId=loan_id, type=LedgerType.REPAYMENT.value
    )


@dataclass(frozen=True)
class Refs:
    """The objects a ledger entry belongs to."""

    loan_id: str | None = None
    investment_id: str | None = None
    order_id: str | None = None
    batch_id: str | None = None
    related_transaction_id: str | None = None

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


NO_REFS = Refs()


class Move(Enum):
    CREDIT = (1, 0, Direction.CREDIT)
    DEBIT = (-1, 0, Direction.DEBIT)
    LOCK = (-1, 1, Direction.DEBIT)
    RELEASE = (1, -1, Direction.CREDIT)
    SPEND = (0, -1, Direction.DEBIT)


@dataclass
class Wallet:
    """A wallet as read in the transaction, with the changes staged so far."""

    uid: str
    balance: int = 0
    locked: int = 0
    crypto: dict[str, dict[str, int]] = field(default_factory=dict)
    active_invested: int = 0
    open_orders: int = 0
    crypto_volume: dict[str, int] = field(default_factory=dict)  # UTC day -> cents
    version: int = 0
    dirty: bool = False

    @classmethod
    def from_doc(cls, uid: str, data: dict[str, Any] | None) -> Wallet:
        data = data or {}
        return cls(
            uid=uid,
            balance=int(data.get("balance", 0)),
            locked=int(data.get("locked", 0)),
            crypto={a: dict(v) for a, v in (data.get("crypto") or {}).items()},
            active_invested=int(data.get("activeInvested", 0)),
            open_orders=int(data.get("openOrders", 0)),
            crypto_volume=dict(data.get("cryptoVolume") or {}),
            version=int(data.get("version", 0)),
        )

    def to_doc(self, now: datetime) -> dict[str, Any]:
        return {
            "userId": self.uid,
            "balance": self.balance,
            "locked": self.locked,
            "crypto": self.crypto,
            "activeInvested": self.active_invested,
            "openOrders": self.open_orders,
            "cryptoVolume": self.crypto_volume,
            "version": self.version,
            "updatedAt": now,
        }

    def amounts(self, asset: str) -> tuple[int, int]:
        if asset == ZAR:
            return self.balance, self.locked
        held = self.crypto.get(asset, {})
        return int(held.get("available", 0)), int(held.get("locked", 0))

    def _set(self, asset: str, available: int, locked: int) -> None:
        if asset == ZAR:
            self.balance, self.locked = available, locked
        else:
            self.crypto[asset] = {"available": available, "locked": locked}

    def weekly_volume(self, now: datetime) -> int:
        """Crypto volume (cents) of the 7 UTC days ending today."""
        days = {(now - timedelta(days=i)).date().isoformat() for i in range(7)}
        return sum(v for d, v in self.crypto_volume.items() if d in days)

    def add_volume(self, day: str, cents: int, now: datetime) -> None:
        """Count (or with negative cents, uncount) volume on a day; forget days over a week old."""
        self.crypto_volume[day] = self.crypto_volume.get(day, 0) + cents
        horizon = (now - timedelta(days=7)).date().isoformat()
        self.crypto_volume = {d: v for d, v in self.crypto_volume.items() if d >= horizon and v}
        self.dirty = True


class Ledger:
    """Stages wallet changes and their ledger entries inside one transaction."""

    def __init__(self, transaction: Transaction, now: datetime) -> None:
        self._txn = transaction
        self._now = now
        self._wallets: dict[str, Wallet] = {}
        self._entries: list[LedgerEntry] = []
        # The API request's Idempotency-Key claim, if any: read with the first wallets and
        # marked committed with the writes (api/idempotency.py), so a retry after a crash
        # knows this change happened.
        from coinbox_platform.api.idempotency import current_claim

        self._claim = current_claim()
        self._claim_checked = False

    def read(self, *uids: str) -> None:
        """Read the wallets (one round trip). Must come before any write of the transaction."""
        wanted = [u for u in dict.fromkeys(uids) if u not in self._wallets]
        if not wanted:
            return
        # One money move at a time per wallet (coinbox_platform/gates.py): may roll this
        # transaction back to queue for a wallet another caller is changing.
        gates.enter(gates.wallet_key(u) for u in (*self._wallets, *wanted))
        col = store.db().collection(store.WALLETS)
        refs = [col.document(u) for u in wanted]
        claim = self._claim if not self._claim_checked else None
        if claim is not None:
            refs.append(claim.ref)
        snaps = store.get_all(refs, transaction=self._txn)
        if claim is not None:
            from coinbox_platform.api.idempotency import check_claim

            check_claim(snaps.get(claim.ref.path), claim)
            self._claim_checked = True
        for uid in wanted:
            snap = snaps.get(f"{store.WALLETS}/{uid}")
            data = snap.to_dict() if snap is not None and snap.exists else None
            self._wallets[uid] = Wallet.from_doc(uid, data)

    def wallet(self, uid: str) -> Wallet:
        return self._wallets[uid]

    def post(
        self,
        uid: str,
        move: Move,
        amount: int,
        *,
        type: LedgerType,
        asset: str = ZAR,
        status: LedgerStatus = LedgerStatus.COMPLETED,
        description: str | None = None,
        entry_id: str | None = None,
        field_name: str = "amount",
        refs: Refs = NO_REFS,
    ) -> LedgerEntry:
        """Stage one change of `uid`'s wallet; raises insufficient_funds if it would overdraw."""
        if amount <= 0:
            raise ValueError("ledger amounts are positive; the move gives the direction")
        if asset != ZAR:
            Asset(asset)
        wallet = self._wallets[uid]
        available, locked = wallet.amounts(asset)
        d_avail, d_locked, direction = move.value
        new_available = available + d_avail * amount
        new_locked = locked + d_locked * amount
        if new_available < 0 or new_locked < 0:
            what = "balance" if asset == ZAR else f"{asset} balance"
            raise insufficient_funds(f"Insufficient {what} for this operation.", field_name)
        ceiling = MAX_ZAR_BALANCE if asset == ZAR else MAX_CRYPTO_HOLDING
        if new_available + new_locked > ceiling:
            raise UnprocessableRule(
                "This would take the wallet above its documented maximum "
                f"({'cents' if asset == ZAR else 'atoms of ' + asset}: {ceiling}).",
                code="balance_limit_exceeded",
                errors=[FieldError(field_name, f"at most {ceiling} in one wallet", "too_large")],
            )
        wallet._set(asset, new_available, new_locked)
        wallet.version += 1
        wallet.dirty = True
        entry = LedgerEntry(
            id=entry_id or new_id("txn"),
            user_id=uid,
            type=type,
            amount=amount,
            asset=asset,
            direction=direction,
            balance_before=available,
            balance_after=new_available,
            locked_before=locked,
            locked_after=new_locked,
            status=status,
            wallet_version=wallet.version,
            description=description,
            created_at=self._now,
            **refs.fields(),
        )
        self._entries.append(entry)
        return entry

    def touch(self, uid: str) -> Wallet:
        """A wallet whose counters (not money) change: it will be written."""
        wallet = self._wallets[uid]
        wallet.dirty = True
        return wallet

    @property
    def entries(self) -> list[LedgerEntry]:
        return list(self._entries)

    def write(self) -> None:
        col = store.db().collection(store.WALLETS)
        for wallet in self._wallets.values():
            if wallet.dirty:
                self._txn.set(col.document(wallet.uid), wallet.to_doc(self._now))
        txns = store.db().collection(store.TRANSACTIONS)
        for entry in self._entries:
            self._txn.create(txns.document(entry.id), entry.to_doc())
        if self._claim is not None and self._claim_checked and self._entries:
            from coinbox_platform.api.idempotency import mark_committed

            mark_committed(self._txn, self._claim, [e.id for e in self._entries])
        gates.release_with(self._txn)
