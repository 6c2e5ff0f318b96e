"""Endpoint family `messages` (see functions/api/messages.py). Routes are registered on import."""

from __future__ import annotations
