"""A deferred module runs its code on the first name read from it, and is then the whole module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
import agents  # defers langsmith.types and langgraph_sdk
import langsmith.run_trees  # langchain_core's way in: one enum of a submodule
import langgraph.graph  # and langgraph's: langgraph_sdk.auth.types
from agents.deferred_imports import is_deferred
from agents.validate.checkov_import import import_kubernetes_runner
import_kubernetes_runner()
names = ("langsmith.types", "langgraph_sdk", "hcl2", "aiohttp")
before = {name: is_deferred(sys.modules[name]) for name in names}
client_imported = "langgraph_sdk.client" in sys.modules
from langsmith.types import RunType  # a name read: the package's code runs
from langgraph_sdk import get_client
import hcl2
parsed = hcl2.loads("a = 1\\n")  # and here
after = {name: is_deferred(sys.modules[name]) for name in ("langsmith.types", "langgraph_sdk", "hcl2")}
print(json.dumps({"before": before, "after": after, "run_type": "LLM" in str(RunType), "hcl2": parsed,
                  "client_imported": client_imported, "get_client": callable(get_client)}))
"""


@pytest.mark.slow  # a fresh interpreter: imports happen once per process
def test_deferred_modules_load_whole_on_first_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["before"] == {"langsmith.types": True, "langgraph_sdk": True, "hcl2": True, "aiohttp": True}
    assert result["client_imported"] is False
    assert result["after"] == {"langsmith.types": False, "langgraph_sdk": False, "hcl2": False}
    assert result["get_client"] is True
    assert result["run_type"] is True
    assert result["hcl2"] == {"a": [1]}
