"""Modules whose code runs on the first name read from them, not when they are imported.

Some libraries import big modules at their top and use them only in functions a chart never
calls: checkov imports aiohttp, python-hcl2 (which builds a Lark parser when imported), boto3 and
docker for uploads, HCL expressions and image pulls; langchain_core reaches `langsmith.types`,
~160 generated API models, for one enum of a submodule; langgraph reaches the `langgraph_sdk`
package, whose `__init__` imports the whole remote client (httpx with rich and pygments,
websockets), for the `BaseUser` protocol of `langgraph_sdk.auth.types`. A module named to `DeferringFinder` is
found as usual, its module object (with `__path__` for a package, so its submodules import as
usual) goes into `sys.modules` at once, and its code runs the first time anyone reads a name it
does not have yet: a caller that does use it gets it whole, a caller that never does pays nothing.

(`importlib.util.LazyLoader` also loads on reads of `__spec__`, which every later `import x` of
the same module does, and on `__path__`, which importing any submodule does.)
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterable, Sequence
from typing import Any

LOADER_KEY = "__deferred_loader__"


class _Deferred(types.ModuleType):
    """A module whose code has not run yet; it runs on the first read of a name the module lacks."""

    def __getattr__(self, name: str) -> Any:
        loader = self.__dict__.pop(LOADER_KEY, None)
        if loader is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self.__class__ = types.ModuleType  # type: ignore[assignment]
        self.__loader__ = loader
        if self.__spec__ is not None:
            self.__spec__.loader = loader
        loader.exec_module(self)
        return getattr(self, name)


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def exec_module(self, module: types.ModuleType) -> None:
        module.__dict__[LOADER_KEY] = self.loader
        module.__class__ = _Deferred


class DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the named modules as the other finders do, their code deferred to the first name read."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self.library_modules = False  # the process-wide one (defer_library_modules)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is None:
                continue
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _DeferringLoader(spec.loader)
            return spec
        return None


def is_deferred(module: types.ModuleType) -> bool:
    """True while the module's code has not run."""
    return LOADER_KEY in module.__dict__


# the library modules deferred for the whole process (agents/__init__.py), never used by a chart
LIBRARY_MODULES = ("langsmith.types", "langgraph_sdk")


def defer_library_modules() -> None:
    """Defer LIBRARY_MODULES for the rest of the process; call it before langchain_core is imported."""
    if any(getattr(f, "library_modules", False) for f in sys.meta_path):
        return
    finder = DeferringFinder(name for name in LIBRARY_MODULES if name not in sys.modules)
    finder.library_modules = True
    sys.meta_path.insert(0, finder)
