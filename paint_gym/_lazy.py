"""Lazy module attributes (PEP 562): names that need torch, imported on first access.

``__getattr__, __dir__ = lazy_attributes(__name__, {"name": ".submodule", ...})`` in a package's
``__init__`` keeps ``import`` of that package free of what the submodules import.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(module: str, lazy: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``module``: a name of ``lazy`` is
    imported from its (relative) submodule on first access and kept in the module; ``dir``
    lists the module's names and its ``__all__``."""

    def __getattr__(name: str) -> Any:
        if name not in lazy:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(lazy[name], module), name)
        vars(sys.modules[module])[name] = value
        return value

    def __dir__() -> list[str]:
        namespace = vars(sys.modules[module])
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
