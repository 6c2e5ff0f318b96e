"""Endpoint family `admin` (see functions/api/admin.py). Routes are registered on import."""

from __future__ import annotations
