"""Every catalog entry is usable: a valid, non-root, pinned, distinct-probe plan from its name alone."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from agents.plan import catalog_names, find_entry, load_catalog, plan_request
from agents.plan.catalog import CatalogEntry

APPS = catalog_names()
RUNTIMES = [e.name for e in load_catalog().apps if e.kind == "runtime"]


def test_catalog_and_api_table_read_the_same_with_libyaml_as_with_pure_python_pyyaml() -> None:
    from importlib import resources

    for package, name in (("agents.plan", "catalog.yaml"), ("agents.validate", "api_lifecycle.yaml")):
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        assert fast == yaml.safe_load(text), name


def test_catalog_is_large_enough_and_lists_runtimes_separately() -> None:
    assert len(APPS) >= 32
    assert {
        "django",
        "flask",
        "fastapi",
        "rails",
        "express",
        "spring-boot",
        "go",
        "dotnet",
        "php-fpm",
    } <= set(RUNTIMES)
    assert not set(RUNTIMES) & set(APPS)
    assert set(catalog_names(include_runtimes=True)) == set(APPS) | set(RUNTIMES)


@pytest.mark.parametrize("name", APPS)
def test_catalog_app_plans_securely(name: str) -> None:
    outcome = plan_request(name)
    plan = outcome.plan
    assert plan is not None, [q.key for q in outcome.questions]
    assert plan.catalog_app == name
    assert plan.image.tag not in (None, "latest")
    assert not (plan.image.registry == "docker.io" and plan.image.repository.startswith("bitnami/"))
    assert plan.security.run_as_user > 0
    assert all(p.container_port >= 1024 for p in plan.ports)
    assert plan.probes.liveness is not None and plan.probes.readiness is not None
    assert plan.probes.liveness != plan.probes.readiness
    if plan.workload == "StatefulSet":
        assert plan.service.headless
    if plan.persistence.enabled:
        assert plan.persistence.mount_path not in plan.security.writable_paths
    entry = find_entry(name)
    assert entry is not None and entry.description and entry.sources


@pytest.mark.parametrize("name", RUNTIMES)
def test_runtime_profile_asks_for_image_then_plans(name: str) -> None:
    asked = plan_request(f"a {name} app")
    assert [q.key for q in asked.questions] == ["image"]
    done = plan_request(f"a {name} app", answers={"image": "ghcr.io/acme/app:1.0.0"})
    assert done.plan is not None and done.plan.catalog_app == name and done.plan.ports


def test_aliases_resolve_to_their_entry() -> None:
    assert find_entry("postgresql").name == "postgres"  # type: ignore[union-attr]
    assert find_entry("PG").name == "postgres"  # type: ignore[union-attr]
    assert find_entry("traefik-whoami").name == "whoami"  # type: ignore[union-attr]
    assert find_entry("no-such-app") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "x", "description": "d", "image": "docker.io/library/x:latest"}, "pin a real tag"),
        ({"name": "x", "description": "d", "image": "docker.io/bitnami/redis:7.0.0"}, "bitnami"),
        ({"name": "x", "description": "d"}, "needs an image"),
        ({"name": "x", "kind": "runtime", "description": "d", "image": "a/b:1"}, "must not carry an image"),
        ({"name": "X", "description": "d", "image": "a/b:1"}, "lowercase"),
        (
            {"name": "x", "description": "d", "image": "a/b:1",
             "probes": {"liveness": {"type": "tcp"}, "readiness": {"type": "tcp"}}},
            "must differ",
        ),
    ],
)  # fmt: skip
def test_catalog_entry_rejects_unsafe_data(entry: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CatalogEntry.model_validate(entry)


def test_catalog_yaml_round_trips_through_the_model() -> None:
    from importlib import resources

    raw = yaml.safe_load(resources.files("agents.plan").joinpath("catalog.yaml").read_text())
    assert len(raw["apps"]) == len(load_catalog().apps)
