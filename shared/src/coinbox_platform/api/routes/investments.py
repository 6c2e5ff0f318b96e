"""Endpoint family `investments` (see functions/api/investments.py). Routes are registered on import."""

from __future__ import annotations
