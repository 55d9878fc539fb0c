"""Package names that load their module on first use.

A command imports only what it runs: `newsmill extract` must not wait for the
store's SQLAlchemy, nor `newsmill build` for numpy, just because a package's
`__init__` names everything it offers.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module-level `__getattr__` for `package`: each name in `where` is read from
    the module `where` gives (a full dotted name, or `module:name` where the module
    calls it otherwise) the first time it is asked for."""

    def __getattr__(name: str) -> Any:
        found = where.get(name)
        if found is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, own_name = found.partition(":")
        return getattr(import_module(module), own_name or name)

    return __getattr__
