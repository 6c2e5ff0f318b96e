"""Every stored record's model: the `Document` subclasses of the library (docs/architecture.md,
"A resource's shape, defined once"), found by importing every module of coinbox_platform."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache

import coinbox_platform
from coinbox_platform.domain.models import Document


def _subclasses(cls: type[Document]) -> Iterator[type[Document]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache
def stored_models() -> dict[str, type[Document]]:
    """Class name → model, for every Document subclass defined in the library."""
    for mod in pkgutil.walk_packages(coinbox_platform.__path__, "coinbox_platform."):
        importlib.import_module(mod.name)
    return {
        m.__name__: m for m in _subclasses(Document) if m.__module__.startswith("coinbox_platform.")
    }
