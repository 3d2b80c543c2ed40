"""wiring/pod-references: ConfigMaps, Secrets, PVCs and ServiceAccounts a pod uses must exist.

They exist when the chart renders them or when a values key declares them external
(`existingSecret: db-creds`-style), or when the reference is marked optional.
"""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.finding import Severity
from agents.validate.manifests import PathPart
from agents.validate.outside_chart import OUTSIDE_HINT, unresolved_reference_reason
from agents.validate.pod_templates import PodTemplate, pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping, mappings

BUILT_IN = {("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")}


def _references(pod: PodTemplate) -> Iterator[tuple[str, str, tuple[PathPart, ...], bool]]:
    """(kind, name, path, optional) for every object the pod spec names."""
    spec = pod.spec
    if isinstance(spec.get("serviceAccountName"), str) and spec["serviceAccountName"]:
        yield "ServiceAccount", spec["serviceAccountName"], (*pod.path, "serviceAccountName"), False
    for i, volume in mappings(spec.get("volumes")):
        where = (*pod.path, "volumes", i)
        if cm := mapping(volume.get("configMap")):
            yield "ConfigMap", str(cm.get("name")), (*where, "configMap", "name"), bool(cm.get("optional"))
        if secret := mapping(volume.get("secret")):
            optional = bool(secret.get("optional"))
            yield "Secret", str(secret.get("secretName")), (*where, "secret", "secretName"), optional
        if claim := mapping(volume.get("persistentVolumeClaim")):
            yield (
                "PersistentVolumeClaim",
                str(claim.get("claimName")),
                (*where, "persistentVolumeClaim"),
                False,
            )
        for s, source in mappings(dig(volume, "projected", "sources")):
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                if ref := mapping(source.get(key)):
                    yield (
                        kind,
                        str(ref.get("name")),
                        (*where, "projected", "sources", s),
                        bool(ref.get("optional")),
                    )
    for path, container in pod.containers():
        for e, source in mappings(container.get("envFrom")):
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if ref := mapping(source.get(key)):
                    yield kind, str(ref.get("name")), (*path, "envFrom", e, key), bool(ref.get("optional"))
        for e, env in mappings(container.get("env")):
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if ref := mapping(dig(env, "valueFrom", key)):
                    yield (
                        kind,
                        str(ref.get("name")),
                        (*path, "env", e, "valueFrom", key),
                        bool(ref.get("optional")),
                    )


def check(given: RuleInput) -> Iterator[Violation]:
    rendered = {(o.kind, o.name) for o in given.objects}
    for producer in given.of_kind("ExternalSecret"):
        # The external-secrets operator writes this Secret (target.name, default: its own name).
        target = dig(producer.doc, "spec", "target", "name")
        rendered.add(("Secret", str(target) if isinstance(target, str) and target else producer.name))
    for owner in given.of_kind("StatefulSet"):
        for _, template in mappings(dig(owner.doc, "spec", "volumeClaimTemplates")):
            rendered.add(("PersistentVolumeClaim", str(dig(template, "metadata", "name"))))
    for pod in pod_templates(given.objects):
        for kind, name, path, optional in _references(pod):
            if (
                optional
                or (kind, name) in rendered
                or (kind, name) in BUILT_IN
                or name in given.chart.external_names
            ):
                continue
            reason = unresolved_reference_reason(name, given.objects)
            if reason is not None:
                yield Violation(
                    f"{pod.obj.ref} uses {kind} {name!r}, which the chart does not render; "
                    f"not an error: {reason}",
                    pod.obj,
                    path,
                    severity=Severity.INFO,
                    hint=OUTSIDE_HINT,
                )
                continue
            yield Violation(
                f"{pod.obj.ref} uses {kind} {name!r}, which the chart does not render "
                "and no existing*-style value declares",
                pod.obj,
                path,
            )


RULE = Rule(
    "wiring/pod-references",
    Severity.ERROR,
    "ConfigMaps, Secrets, PVCs and ServiceAccounts used by pods must exist",
    "render the object in the chart, or take its name from an `existingSecret`-style value (or mark it optional)",
    check,
)
