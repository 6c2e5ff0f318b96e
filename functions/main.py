"""Index of every Cloud Function; the Firebase CLI discovers what this module exposes.

Each module keeps its top-level imports to the firebase_functions decorators: the platform
library is imported inside the handlers, so discovery and cold starts stay light.
"""

from api.admin import admin
from api.apikeys import apikeys
from api.crypto import crypto
from api.health import health
from api.investments import investments
from api.loans import loans
from api.me import me
from api.messages import messages
from api.openapi import openapi
from api.transactions import transactions
from api.wallet import wallet
from tasks.withdrawals import settlewithdrawal

__all__ = [
    "admin",
    "apikeys",
    "crypto",
    "health",
    "investments",
    "loans",
    "me",
    "messages",
    "openapi",
    "settlewithdrawal",
    "transactions",
    "wallet",
]
