"""Endpoint family `transactions` (see functions/api/transactions.py). Routes are registered on import."""

from __future__ import annotations
