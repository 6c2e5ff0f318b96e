"""Index of every Cloud Function; the Firebase CLI discovers what this module exposes.

Each module keeps its top-level imports to the firebase_functions decorators: the platform
library is imported inside the handlers, so discovery and cold starts stay light. Logging is
configured once here, for every function (structured JSON lines: coinbox_platform.logs).
"""

from api.admin import admin
from api.apikeys import apikeys
from api.bulk import bulk
from api.crypto import crypto
from api.events import events
from api.exports import exports
from api.health import health
from api.investments import investments
from api.loans import loans
from api.me import me
from api.messages import messages
from api.openapi import openapi
from api.transactions import transactions
from api.wallet import wallet
from api.webhooks import webhooks
from coinbox_platform.logs import configure
from jobs.maintenance import (
    deleteexpiredexports,
    expirecryptoorders,
    expireloans,
    markdefaults,
    settlestalewithdrawals,
    sweepwebhookdeliveries,
)
from tasks.bulk import fanoutmessages
from tasks.exports import runexport
from tasks.webhooks import deliverwebhook
from tasks.withdrawals import settlewithdrawal
from triggers.domain_events import (
    cryptoorderevents,
    investmentevents,
    loanevents,
    transactionevents,
    userevents,
)

configure()

__all__ = [
    "admin",
    "apikeys",
    "bulk",
    "crypto",
    "cryptoorderevents",
    "deleteexpiredexports",
    "deliverwebhook",
    "events",
    "expirecryptoorders",
    "expireloans",
    "exports",
    "fanoutmessages",
    "health",
    "investmentevents",
    "investments",
    "loanevents",
    "loans",
    "markdefaults",
    "me",
    "messages",
    "openapi",
    "runexport",
    "settlestalewithdrawals",
    "settlewithdrawal",
    "sweepwebhookdeliveries",
    "transactionevents",
    "transactions",
    "userevents",
    "wallet",
    "webhooks",
]
