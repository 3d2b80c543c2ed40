"""Import checkov's Kubernetes runner without loading checkov's Terraform checks.

`checkov.kubernetes.runner` reaches, through checkov's shared graph-check solvers, one enum in
`checkov.terraform.graph_builder`; importing it runs the `checkov.terraform` package's `__init__`,
which imports and registers every Terraform check (with policy_sentry's IAM database and
cloudsplaining): about a thousand modules and a third of checkov's import time, paid by every
cold `autopilot chart` for checks a Kubernetes scan never runs.

So `checkov.terraform` is entered as a bare package: its submodules import as usual, its
`__init__` does not run. Nothing on the Kubernetes path reads the Terraform registry, and the
findings are the same (tests/agents/validate/test_checkov_import.py compares both on real charts).

aiohttp, python-hcl2 (which builds its Lark parser when imported), boto3 and docker are imported by
checkov's shared modules with a plain `import x` and used only inside functions a Kubernetes scan
does not call (uploads, HCL expressions, image pulls): a fifth of checkov's import time. While the
runner is imported their code is deferred (agents.deferred_imports) until a name is read from them.
"""

from __future__ import annotations

import importlib.util
import sys
import types

from agents.deferred_imports import DeferringFinder

BARE_PACKAGES = ("checkov.terraform",)
DEFERRED_MODULES = ("aiohttp", "hcl2", "boto3", "docker")


def _enter_bare_package(name: str) -> None:
    """Make `name` importable as a package whose `__init__` has not run."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return
    package = types.ModuleType(name, f"{name} without its __init__ (see agents.validate.checkov_import)")
    package.__path__ = list(spec.submodule_search_locations)
    package.__package__ = name
    package.__file__ = spec.origin
    package.__spec__ = spec
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, package)  # as an import would, for `checkov.terraform.…`


def import_kubernetes_runner() -> types.ModuleType:
    """`checkov.kubernetes.runner`, imported with the least checkov needs for Kubernetes."""
    if "checkov.kubernetes.runner" not in sys.modules:
        import checkov  # noqa: F401 - the parent package must exist before a bare child

        for name in BARE_PACKAGES:
            _enter_bare_package(name)
        finder = DeferringFinder(DEFERRED_MODULES)
        sys.meta_path.insert(0, finder)
        try:
            import checkov.kubernetes.runner  # noqa: F401 - imported under the finder
        finally:
            sys.meta_path.remove(finder)
    import checkov.kubernetes.runner as runner

    return runner
