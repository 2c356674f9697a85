"""Names a package exports but loads only when first used.

A package's ``__init__`` is imported by any of its modules: if it imported everything it
exports, importing one light module (``waarom --help`` reaching a platform's settings, the
storage layer reaching ``clock.delivery``) would load the whole package and its libraries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each of ``names`` (name → the module that
    defines it) is imported from its module the first time it is asked for."""

    def load(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return load
