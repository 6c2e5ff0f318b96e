"""Endpoint family `loans` (see functions/api/loans.py). Routes are registered on import."""

from __future__ import annotations
