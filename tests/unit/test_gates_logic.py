"""A gate's document can be locked by the commit that is deleting it (store.run_transaction
deletes held gates in the money-moving commit): a create then aborts with "Transaction lock
timeout" (the emulator) or ABORTED. That gate is busy, not an error: `_try` says so and the
waiter polls again. Seen in a clean-clone run of tests/emulator/test_ledger_concurrency.py,
where the Aborted escaped from `wait_for` and failed a money move."""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc

from coinbox_platform import gates


class _Ref:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def create(self, doc: dict[str, Any]) -> Any:
        raise self.error


class _Client:
    def __init__(self, error: Exception) -> None:
        self.ref = _Ref(error)

    def collection(self, name: str) -> _Client:
        assert name == gates.GATES
        return self

    def document(self, key: str) -> _Ref:
        return self.ref


def test_a_gate_locked_by_a_commit_is_busy_not_an_error() -> None:
    held = gates.Held(_Client(gexc.Aborted("Transaction lock timeout.")))  # type: ignore[arg-type]
    assert gates._try(gates.wallet_key("u1"), held) is False
    assert held.gates == {}


def test_other_errors_still_surface() -> None:
    held = gates.Held(_Client(gexc.PermissionDenied("no")))  # type: ignore[arg-type]
    try:
        gates._try(gates.wallet_key("u1"), held)
    except gexc.PermissionDenied:
        return
    raise AssertionError("PermissionDenied was swallowed")
