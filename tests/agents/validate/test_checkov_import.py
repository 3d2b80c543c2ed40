"""checkov imported without its Terraform checks finds exactly what checkov imported whole finds.

Each way runs in a fresh interpreter (an import happens once per process). checkov's evaluated keys
come from a set, so their order differs between any two processes: they are compared sorted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MANIFESTS = ROOT / "tests" / "fixtures" / "validate" / "checkov-graph"
SCAN = """
import json, sys
if sys.argv[1] == "whole":
    import checkov.kubernetes.runner  # checkov's own import, Terraform checks and all
from agents.validate.checkov_scan import failed_checks
records = failed_checks(sys.argv[2:], every_kind_in_graph=True)
print(json.dumps({
    "findings": sorted(
        [r.check_id, r.file_abs_path, str(r.resource), list(r.file_line_range),
         sorted((r.check_result or {}).get("evaluated_keys") or [])]
        for r in records
    ),
    "terraform_checks_loaded": "checkov.terraform.checks.resource.registry" in sys.modules,
}))
"""


def _scan(way: str, files: list[str]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCAN, way, *files],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow  # fresh interpreters
def test_kubernetes_findings_are_the_same_without_terraform_checks() -> None:
    files = [str(p) for p in sorted(MANIFESTS.glob("*.yaml"))]
    whole, lean = _scan("whole", files), _scan("lean", files)
    assert whole["terraform_checks_loaded"] is True and lean["terraform_checks_loaded"] is False
    assert lean["findings"] == whole["findings"]
    assert len(whole["findings"]) > 5  # graph and resource checks both fired (see test_checkov_shortcuts)
