"""Endpoint family `openapi` (see functions/api/openapi.py). Routes are registered on import."""

from __future__ import annotations
