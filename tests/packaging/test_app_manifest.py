"""app.yml: a GitHub App manifest with the documented fields, real events and least privilege."""

from __future__ import annotations

import json
import re
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from tests.packaging.tools import REPO_ROOT

NPM = REPO_ROOT / "tests/fixtures/npm/node_modules/@octokit"
APP_YML = REPO_ROOT / "app.yml"


class HookAttributes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    active: bool = True


class AppManifest(BaseModel):
    """The fields GitHub's "registering a GitHub App from a manifest" flow accepts; anything else is
    a typo GitHub would ignore silently, so it is refused here."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=34)
    url: HttpUrl
    description: str | None = None
    hook_attributes: HookAttributes | None = None
    redirect_url: HttpUrl | None = None
    callback_urls: list[HttpUrl] = Field(default_factory=list, max_length=10)
    setup_url: HttpUrl | None = None
    public: bool = False
    default_events: list[str] = Field(default_factory=list)
    default_permissions: dict[str, Literal["read", "write", "admin"]] = Field(default_factory=dict)
    request_oauth_on_install: bool = False
    setup_on_update: bool = False


# Webhook event -> the permissions any one of which lets an App subscribe to it.
EVENT_PERMISSIONS: dict[str, set[str]] = {
    "issue_comment": {"issues", "pull_requests"},
    "pull_request": {"pull_requests"},
    "pull_request_review": {"pull_requests"},
    "pull_request_review_comment": {"pull_requests"},
    "check_run": {"checks"},
    "check_suite": {"checks"},
    "workflow_run": {"actions"},
}

LEAST_PRIVILEGE = {
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "checks": "write",
    "actions": "read",
    "metadata": "read",
}


def load_manifest(text: str) -> AppManifest:
    return AppManifest.model_validate(yaml.safe_load(text))


def webhook_event_names() -> set[str]:
    """Every event GitHub sends, from the recorded payloads of @octokit/webhooks-examples."""
    index = NPM / "webhooks-examples/api.github.com/index.json"
    if not index.exists():
        raise FileNotFoundError(f"{index} is missing: run `bash scripts/fixtures.sh`")
    return {event["name"] for event in json.loads(index.read_text(encoding="utf-8"))}


def app_permission_names() -> set[str]:
    """Permission names of a GitHub App, from the App type of @octokit/webhooks-types."""
    schema = (NPM / "webhooks-types/schema.d.ts").read_text(encoding="utf-8")
    app = schema.split("export interface App {", 1)[1].split("\n}\n", 1)[0]
    block = app.split("permissions?: {", 1)[1].split("};", 1)[0]
    return set(re.findall(r"^\s+(\w+)\?:", block, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def manifest() -> AppManifest:
    return load_manifest(APP_YML.read_text(encoding="utf-8"))


class TestManifestShape:
    def test_uses_only_documented_manifest_fields(self, manifest: AppManifest) -> None:
        assert manifest.name == "k8s-autopilot"
        assert manifest.hook_attributes is not None and manifest.hook_attributes.active

    def test_is_private_and_served_over_https(self, manifest: AppManifest) -> None:
        assert manifest.public is False
        assert manifest.hook_attributes is not None
        for url in (manifest.url, manifest.hook_attributes.url, manifest.redirect_url):
            assert url is not None and url.scheme == "https"

    def test_webhook_points_at_the_server_route(self, manifest: AppManifest) -> None:
        assert manifest.hook_attributes is not None
        assert manifest.hook_attributes.url.path == "/webhook"

    def test_converts_to_the_json_the_manifest_flow_posts(self) -> None:
        as_json = json.dumps(yaml.safe_load(APP_YML.read_text(encoding="utf-8")))
        assert load_manifest(as_json) == load_manifest(APP_YML.read_text(encoding="utf-8"))

    def test_subscribes_only_to_real_webhook_events(self, manifest: AppManifest) -> None:
        assert set(manifest.default_events) <= webhook_event_names()
        assert set(manifest.default_events) == set(EVENT_PERMISSIONS)

    def test_asks_only_for_real_permissions(self, manifest: AppManifest) -> None:
        assert set(manifest.default_permissions) <= app_permission_names()


class TestLeastPrivilege:
    def test_permissions_are_exactly_what_the_bot_uses(self, manifest: AppManifest) -> None:
        assert manifest.default_permissions == LEAST_PRIVILEGE

    def test_cannot_touch_workflows_or_administer_the_repository(self, manifest: AppManifest) -> None:
        for dangerous in ("workflows", "administration", "secrets", "organization_administration"):
            assert dangerous not in manifest.default_permissions
        assert "admin" not in manifest.default_permissions.values()

    def test_every_subscribed_event_is_covered_by_a_permission(self, manifest: AppManifest) -> None:
        granted = set(manifest.default_permissions)
        for event in manifest.default_events:
            assert EVENT_PERMISSIONS[event] & granted, f"{event} needs one of {EVENT_PERMISSIONS[event]}"


class TestManifestModelRejects:
    """Failure paths: the model must refuse what GitHub would silently ignore or reject."""

    def test_an_unknown_field(self) -> None:
        with pytest.raises(ValidationError, match="hook_url"):
            load_manifest("name: x\nurl: https://a.example\nhook_url: https://a.example/webhook\n")

    def test_a_permission_level_that_does_not_exist(self) -> None:
        with pytest.raises(ValidationError, match="contents"):
            load_manifest("name: x\nurl: https://a.example\ndefault_permissions: {contents: all}\n")

    def test_a_missing_app_url(self) -> None:
        with pytest.raises(ValidationError, match="url"):
            load_manifest("name: x\n")

    def test_too_long_a_name(self) -> None:
        with pytest.raises(ValidationError, match="name"):
            load_manifest(f"name: {'x' * 35}\nurl: https://a.example\n")


def test_permission_names_are_read_from_the_real_types() -> None:
    names = app_permission_names()
    assert {"contents", "pull_requests", "issues", "checks", "actions", "metadata", "workflows"} <= names
