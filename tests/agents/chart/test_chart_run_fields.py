"""The catalog and plan fields that make a chart run are checked when loaded, with what to do next.

(They live with the chart tests because they exist for the chart engine; the catalog's own
loading tests are in tests/agents/plan.)
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from agents.plan.catalog import CatalogEntry
from agents.plan.model import ChartPlan
from agents.plan.planner import _from_entry

BASE_ENTRY: dict[str, Any] = {"name": "x", "description": "d", "image": "docker.io/acme/x:1.0.0"}
BASE_PLAN: dict[str, Any] = {
    "name": "x",
    "image": {"repository": "acme/x", "tag": "1.0.0"},
    "ports": [{"name": "tcp", "container_port": 7000}],
}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"data_dir": "/var/lib/x", "persistence": {"mount_path": "/data"}}, "differs from persistence"),
        ({"credentials": [{"key": "password"}]}, "read by no env var"),
        ({"exporter": {"image": "docker.io/acme/exporter:latest", "port": 9100}}, "pin a real tag"),
    ],
)
def test_inconsistent_catalog_run_fields_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CatalogEntry.model_validate({**BASE_ENTRY, **fields})


def test_credentials_default_to_random_values_for_every_key_the_env_reads() -> None:
    entry = CatalogEntry.model_validate(
        {
            **BASE_ENTRY,
            "env": [
                {"name": "X_USER", "secret": "{name}-credentials", "key": "username"},
                {"name": "X_PASSWORD", "secret": "{name}-credentials", "key": "password"},
                {"name": "OTHER", "secret": "team-secret", "key": "token"},
            ],
            "credentials": [{"key": "username", "value": "admin"}],
        }
    )
    assert [(k.key, k.value) for k in entry.credential_keys()] == [("username", "admin"), ("password", None)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"single_primary": True, "replicas": 2}, "one primary pod"),
        ({"single_primary": True, "autoscaling": {"enabled": True}}, "one primary pod"),
        ({"datastore": True, "migration": {"enabled": True, "command": ["migrate"]}}, "inside the cluster"),
        ({"read_replicas": 1}, "read_replicas must stay 0"),
        (
            {
                "ports": [{"name": "metrics", "container_port": 9100}],
                "exporter": {"image": {"repository": "acme/exp", "tag": "1"}, "port": 9200},
            },
            "rename the app's port",
        ),
        ({"credentials": [{"key": "password"}, {"key": "password"}]}, "must be unique"),
        ({"credentials": [{"key": "pass word"}]}, "Secret data key"),
    ],
)
def test_plans_that_could_not_run_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ChartPlan.model_validate({**BASE_PLAN, **fields})


def test_a_data_dir_without_persistence_is_writable_until_a_claim_replaces_it() -> None:
    entry = CatalogEntry.model_validate({**BASE_ENTRY, "data_dir": "/var/lib/x"})
    data = _from_entry(entry, "x")
    assert data["persistence"] == {"enabled": False, "mount_path": "/var/lib/x"}
    assert "/var/lib/x" in data["security"]["writable_paths"]
