"""Every validation rule, listed explicitly (Helm's pkg/lint/rules style): add a rule here."""

from __future__ import annotations

from agents.validate.rules import (
    api_deprecated,
    api_removed,
    capabilities,
    host_namespaces,
    host_path,
    hpa_replicas,
    hpa_target,
    network_policy_selector,
    pdb_blocks_eviction,
    pdb_selector,
    pod_references,
    privilege_escalation,
    privileged,
    probes,
    read_only_root_fs,
    resources,
    route_backend,
    run_as_non_root,
    schema_crd,
    schema_kubernetes,
    schema_unknown_kind,
    seccomp,
    service_account_token,
    service_monitor_selector,
    service_selector,
    service_target_port,
    values_schema,
)
from agents.validate.rules.contract import ChartFacts, Rule, RuleInput, Violation

RULES: tuple[Rule, ...] = (
    # Kubernetes API versions and schemas
    api_removed.RULE,
    api_deprecated.RULE,
    schema_kubernetes.RULE,
    schema_crd.RULE,
    schema_unknown_kind.RULE,
    # values.schema.json
    values_schema.MISSING,
    values_schema.INVALID,
    values_schema.DEFAULTS,
    # restricted Pod Security Standard and production basics
    run_as_non_root.RULE,
    privileged.RULE,
    privilege_escalation.RULE,
    capabilities.RULE,
    seccomp.RULE,
    host_namespaces.RULE,
    host_path.RULE,
    read_only_root_fs.RULE,
    resources.RULE,
    probes.RULE,
    service_account_token.RULE,
    # wiring between objects
    service_selector.RULE,
    service_target_port.RULE,
    route_backend.RULE,
    hpa_target.RULE,
    hpa_replicas.RULE,
    pdb_selector.RULE,
    pdb_blocks_eviction.RULE,
    network_policy_selector.RULE,
    service_monitor_selector.RULE,
    pod_references.RULE,
)
RULES_BY_ID = {rule.id: rule for rule in RULES}

__all__ = ["RULES", "RULES_BY_ID", "ChartFacts", "Rule", "RuleInput", "Violation"]
