"""Endpoint family `crypto` (see functions/api/crypto.py). Routes are registered on import."""

from __future__ import annotations
