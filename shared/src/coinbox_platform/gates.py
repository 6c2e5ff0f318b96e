"""Gates: one writer at a time per wallet, across every instance (docs/scaling.md, "One wallet").
The same queue serves a user's per-user caps (`quota_key`, store.hold_user_quota).

Concurrent money moves on one wallet all read and write that wallet's document in Firestore
transactions. Firestore serialises them, but by conflict: transactions that read the same
document race, the losers are aborted (in production) or wait out a lock timeout (the emulator,
several seconds each), and then retry. Ten clients on one wallet then spend most of their time
aborting each other, and some run out of retries.

A gate turns that race into a queue. Before a transaction that moves money reads its wallets,
it holds the gate of each: a document `gates/wallet:{uid}` created with an exists=false
precondition (an atomic test-and-set, no transaction, no lock held on anything else). A waiter
polls with a jittered backoff; the holder deletes the gate when its transaction is over. Gates
are taken in sorted order, and a transaction only ever waits for gates while it holds no
transaction locks, so no wait can form a cycle.

A gate is an optimisation, never the guarantee: the transaction alone keeps every invariant.
So a gate carries a short lease (`LEASE_S`); a holder that dies leaves a gate that the next
waiter takes over once it has expired, and a holder that outlives its lease only loses the
queue's protection, not correctness.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from coinbox_platform import retention
from coinbox_platform.errors import ServiceUnavailable

if TYPE_CHECKING:
    from google.cloud.firestore import Client, DocumentReference

GATES = "gates"
LEASE_S = 5.0  # a gate older than this is taken over by the next waiter
WAIT_S = 20.0  # beyond this, a waiter gives up with 503 (the client may retry)
POLL_MIN_S = 0.01
POLL_MAX_S = 0.1  # waiters poll less as they wait: polls are CPU the moves need (docs/scaling.md)
LEASE_CHECK_S = 1.0  # a waiter reads the holder's lease only after waiting this long


def wallet_key(uid: str) -> str:
    return f"wallet:{uid}"


def quota_key(uid: str) -> str:
    """The gate of a user's per-user caps (store.hold_user_quota)."""
    return f"quota:{uid}"


class GatesBusy(Exception):
    """Raised inside a transaction that needs gates another caller holds: the transaction is
    rolled back (it holds no locks while waiting) and retried once the gates are held."""

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__("gates busy")
        self.keys = sorted(set(keys))


@dataclass
class Held:
    """The gates one `store.run_transaction` call holds: key -> the gate's update time. The
    client is the store's (passed in: this module does not import the store, which uses it)."""

    client: Client
    gates: dict[str, Any] = field(default_factory=dict)
    holder: str = field(default_factory=lambda: f"{os.getpid()}:{threading.get_ident()}")
    in_commit: set[str] = field(default_factory=set)  # deleted by the current attempt's commit


_held: ContextVar[Held | None] = ContextVar("coinbox_gates", default=None)


def _ref(held: Held, key: str) -> DocumentReference:
    return held.client.collection(GATES).document(key)


def _try(key: str, held: Held, *, check_lease: bool = True) -> bool:
    """One attempt to take `key`'s gate; with `check_lease`, takes over an expired one (one
    more read when the gate is held). Never waits."""
    from google.api_core import exceptions as gexc

    ref = _ref(held, key)
    now = datetime.now(UTC)
    until = now + timedelta(seconds=LEASE_S)
    doc = {
        "holder": held.holder,
        "leaseUntil": until,
        "expireAt": retention.expire_at(GATES, until),
    }
    try:
        result = ref.create(doc)
    except gexc.Aborted:
        # The gate's document is locked by a commit that is deleting it (release_with): the
        # gate is busy for now; the caller polls again. A create that aborted wrote nothing.
        return False
    except gexc.AlreadyExists:
        if not check_lease:
            return False
        snap = ref.get()
        if snap.exists:
            lease = (snap.to_dict() or {}).get("leaseUntil")
            if isinstance(lease, datetime) and lease > now:
                return False
            try:  # expired: take it over unless someone else just did
                ref.delete(option=held.client.write_option(last_update_time=snap.update_time))
            except (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted):
                return False
        try:
            result = ref.create(doc)
        except (gexc.AlreadyExists, gexc.Aborted):
            return False
    held.gates[key] = result.update_time
    return True


def release(held: Held, keys: Iterable[str] | None = None) -> None:
    """Give back the gates (all of them by default). A gate taken over after its lease ran out
    is left to its new holder (the delete is conditional on our own write)."""
    from google.api_core import exceptions as gexc

    for key in list(held.gates if keys is None else keys):
        stamp = held.gates.pop(key, None)
        if stamp is None:
            continue
        try:
            _ref(held, key).delete(option=held.client.write_option(last_update_time=stamp))
        except (gexc.FailedPrecondition, gexc.NotFound):
            pass


def wait_for(keys: Iterable[str], held: Held, *, deadline_s: float = WAIT_S) -> None:
    """Hold every gate of `keys` (in sorted order), waiting as long as it takes up to the
    deadline. Called with no transaction open."""
    deadline = time.monotonic() + deadline_s
    for key in sorted(set(keys)):
        pause = POLL_MIN_S
        since = time.monotonic()
        # A live holder's lease is only worth reading once it could have run out: until then
        # a poll is one failed create.
        while key not in held.gates and not _try(
            key, held, check_lease=time.monotonic() - since > LEASE_CHECK_S
        ):
            if time.monotonic() > deadline:
                release(held)
                raise ServiceUnavailable(
                    "The wallet is busy; retry the request.", headers={"Retry-After": "1"}
                )
            time.sleep(random.uniform(pause / 2, pause))
            pause = min(POLL_MAX_S, pause * 1.5)


def enter(keys: Iterable[str]) -> None:
    """Inside a transaction of `store.run_transaction`, before reading what the gates guard:
    take any of `keys` not yet held without waiting, or raise GatesBusy so that the
    transaction is rolled back and retried once they are held. Outside `run_transaction`
    (no gate context) this does nothing."""
    held = _held.get()
    if held is None:
        return
    wanted = set(keys)
    for key in sorted(wanted - set(held.gates)):
        if not _try(key, held):
            # Waiting must happen in order and outside the transaction: give back everything
            # this call holds and queue for the whole set.
            raise GatesBusy(wanted | set(held.gates))


def release_with(transaction: Any) -> None:
    """Delete the held gates in `transaction`'s commit: the next waiter can go the moment the
    money moved, with no round trip of our own in between. Unconditional (a precondition
    failing would fail the money move); a gate taken over after our lease ran out is then
    deleted too, which costs the queue one overlap, never correctness."""
    held = _held.get()
    if held is None:
        return
    for key in set(held.gates) - held.in_commit:  # once per commit, however many ledgers
        transaction.delete(_ref(held, key))
        held.in_commit.add(key)


class Scope:
    """The gate context of one `store.run_transaction` call."""

    def __init__(self, client: Client) -> None:
        self.held = Held(client)
        self._token: Any = None

    def __enter__(self) -> Scope:
        self._token = _held.set(self.held)
        return self

    def __exit__(self, *exc: object) -> None:
        _held.reset(self._token)
        release(self.held)

    def attempt(self) -> None:
        """A new transaction attempt: nothing is released by a commit yet."""
        self.held.in_commit = set()

    def committed(self) -> None:
        """The attempt committed: the gates its commit deleted are no longer held."""
        for key in self.held.in_commit:
            self.held.gates.pop(key, None)
        self.held.in_commit = set()

    def wait(self, busy: GatesBusy) -> None:
        release(self.held)
        wait_for(busy.keys, self.held)
