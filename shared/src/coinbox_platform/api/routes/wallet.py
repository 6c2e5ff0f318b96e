"""Endpoint family `wallet` (functions/api/wallet.py): balance, sandbox deposits, withdrawals.

GET  /v1/wallet               balance, locked, crypto holdings, activeInvested
POST /v1/wallet/deposits      sandbox only: {amount} or {asset, quantity} → 201 + the entry
POST /v1/wallet/withdrawals   {amount} → 202 + the pending entry; a task settles it
"""

from __future__ import annotations

from coinbox_platform.api.call import Call, Reply
from coinbox_platform.api.routing import TABLE
from coinbox_platform.api.schemas.transactions import Transaction
from coinbox_platform.api.schemas.wallet import DepositIn, WalletOut, WithdrawalIn
from coinbox_platform.domain import wallets, withdrawals
from coinbox_platform.errors import FieldError, InvalidRequest
from coinbox_platform.money import Asset, format_quantity


@TABLE.route(
    "GET",
    "/v1/wallet",
    "wallet",
    summary="The caller's wallet",
    scope="read:wallet",
    response=WalletOut,
    errors=(401, 403),
    tags=("Wallet",),
)
def get_wallet(call: Call) -> Reply:
    wallet = wallets.get_wallet(call.uid)
    crypto = {}
    for asset in Asset:
        available, locked = wallet.amounts(asset.value)
        crypto[asset.value] = {
            "available": format_quantity(available, asset),
            "locked": format_quantity(locked, asset),
        }
    return Reply(
        {
            "object": "wallet",
            "userId": call.uid,
            "currency": "ZAR",
            "balance": wallet.balance,
            "locked": wallet.locked,
            "crypto": crypto,
            "activeInvested": wallet.active_invested,
        }
    )


@TABLE.route(
    "POST",
    "/v1/wallet/deposits",
    "wallet",
    summary="Fund the wallet (sandbox only)",
    scope="write:wallet",
    body=DepositIn,
    response=Transaction,
    status=201,
    errors=(400, 401, 403, 409, 422),
    tags=("Wallet",),
    sandbox_only=True,
    description=(
        "Sandbox mode only: in production deposits come from the payment provider. "
        "Send `{amount}` in cents, or `{asset, quantity}` for crypto. Returns the ledger entry."
    ),
    codes=("balance_limit_exceeded",),
)
def create_deposit(call: Call[None, DepositIn]) -> Reply:
    body = call.body
    by_amount = body.amount is not None
    by_asset = body.asset is not None or body.quantity is not None
    if by_amount == by_asset or (by_asset and (body.asset is None or body.quantity is None)):
        fields = ["amount"] if by_amount == by_asset else []
        fields += [f for f in ("asset", "quantity") if by_asset and getattr(body, f) is None]
        raise InvalidRequest(
            "Give either amount (cents) or both asset and quantity.",
            errors=[
                FieldError(f, "give amount, or asset and quantity", "invalid_combination")
                for f in fields
            ],
        )
    entry = wallets.deposit(
        call.uid, amount=body.amount, asset=body.asset, quantity=body.quantity, now=call.now
    )
    return Reply(entry.to_api(), 201, {"Location": f"/v1/transactions/{entry.id}"})


@TABLE.route(
    "POST",
    "/v1/wallet/withdrawals",
    "wallet",
    summary="Withdraw to the bank",
    scope="write:wallet",
    body=WithdrawalIn,
    response=Transaction,
    status=202,
    errors=(400, 401, 403, 409, 422),
    tags=("Wallet",),
    description=(
        "Debits the wallet at once into a `pending` withdrawal; a background payout then marks "
        "it `completed`, or `failed` with a `refund` entry that restores the balance (sandbox: "
        "amounts ending in 13 cents fail). Poll the `Location` or listen for "
        "`transaction.completed` / `transaction.failed`."
    ),
    codes=("insufficient_funds",),
)
def create_withdrawal(call: Call[None, WithdrawalIn]) -> Reply:
    body = call.body
    entry = withdrawals.withdraw(call.uid, body.amount, now=call.now)
    return Reply(entry.to_api(), 202, {"Location": f"/v1/transactions/{entry.id}"})
