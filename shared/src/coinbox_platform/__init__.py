"""CoinBox platform library.

Layers, importing only downwards:

    api/       HTTP: routing, auth, errors, idempotency, pagination, OpenAPI
    domain/    services: users, wallets and the ledger, loans, investments, crypto, messages
    store, money, tiers, errors, ids, clock, config   the ground floor

Nothing here imports Firebase decorators; everything runs against any Firestore (the emulator
in tests).
"""

__version__ = "0.1.0"
