"""Index of every Cloud Function; the Firebase CLI discovers what this module exposes.

Each module keeps its top-level imports to the firebase_functions decorators: the platform
library is imported inside the handlers, so discovery and cold starts stay light.
"""

from api.admin import admin
from api.apikeys import apikeys
from api.crypto import crypto
from api.events import events
from api.health import health
from api.investments import investments
from api.loans import loans
from api.me import me
from api.messages import messages
from api.openapi import openapi
from api.transactions import transactions
from api.wallet import wallet
from api.webhooks import webhooks
from tasks.webhooks import deliverwebhook
from tasks.withdrawals import settlewithdrawal
from triggers.domain_events import (
    cryptoorderevents,
    investmentevents,
    loanevents,
    transactionevents,
    userevents,
)

__all__ = [
    "admin",
    "apikeys",
    "crypto",
    "cryptoorderevents",
    "deliverwebhook",
    "events",
    "health",
    "investmentevents",
    "investments",
    "loanevents",
    "loans",
    "me",
    "messages",
    "openapi",
    "settlewithdrawal",
    "transactionevents",
    "transactions",
    "userevents",
    "wallet",
    "webhooks",
]
