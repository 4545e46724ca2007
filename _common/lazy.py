"""Lazy package exports (PEP 562): names a package imports only when first used.

A package keeps its import light by listing heavy names in a table,
``{name: (module, attribute or None for the module itself)}``, and installing the module
hooks this function returns::

    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, table: Mapping[str, tuple[str, str | None]], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` for the lazy names of ``table``.

    A name is imported on first access and stored in ``namespace`` (the package's
    ``globals()``), so later accesses cost nothing.

    >>> namespace = {}
    >>> getattr_, dir_ = lazy_exports("pkg", {"sqrt": ("math", "sqrt")}, namespace)
    >>> getattr_("sqrt")(9.0), "sqrt" in namespace, dir_()
    (3.0, True, ['sqrt'])
    """

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = table[name]
        value = importlib.import_module(module)
        if attribute is not None:
            value = getattr(value, attribute)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *table})

    return __getattr__, __dir__
