"""JSON schemas for the custom resources charts commonly render, shipped under crds/.

Written from the CRDs' openAPIV3Schema (structural, so unknown fields are rejected like
the API server would prune them): a typo in an IngressRoute is caught before install.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import jsonschema

CRD_DIR = "crds"


@cache
def crd_index() -> dict[tuple[str, str], str]:
    """(apiVersion, kind) -> schema file name, read from crds/index.json."""
    raw = json.loads(resources.files("agents.validate").joinpath(CRD_DIR, "index.json").read_text())
    return {(item["apiVersion"], item["kind"]): item["schema"] for item in raw}


@cache
def crd_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    name = crd_index().get((api_version, kind))
    if name is None:
        return None
    schema = json.loads(resources.files("agents.validate").joinpath(CRD_DIR, name).read_text())
    return jsonschema.validators.Draft202012Validator(schema)


# *.k8s.io groups that are CRDs maintained by SIGs, not served by the API server itself.
SIG_CRD_GROUPS = {"gateway.networking.k8s.io", "autoscaling.k8s.io"}


def is_builtin_group(api_version: str) -> bool:
    """Core and *.k8s.io groups are Kubernetes' own; anything else is a custom resource."""
    if "/" not in api_version:
        return True
    group = api_version.split("/", 1)[0]
    return "." not in group or group.endswith(".k8s.io") and group not in SIG_CRD_GROUPS
