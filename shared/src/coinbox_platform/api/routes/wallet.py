"""Endpoint family `wallet` (see functions/api/wallet.py). Routes are registered on import."""

from __future__ import annotations
