"""What a chart refers to that it does not render itself, and why that is fine.

Wiring rules report a selector or reference the chart cannot resolve as an error only when it
should resolve inside the chart. Real charts also point at things made elsewhere:
- objects their own Helm hook Jobs create at install time (a webhook's TLS Secret);
- pods an operator creates from a custom resource the chart renders (a Prometheus CR's pods);
- components of the cluster itself (CoreDNS, etcd, the scheduler) or objects in other namespaces.
Each function returns a sentence saying which case applies, or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from agents.validate.manifests import RenderedObject
from agents.validate.pod_templates import pod_template
from agents.validate.shapes import dig, mapping, sequence

HOOK_ANNOTATION = "helm.sh/hook"
RELEASE_NAMESPACES = frozenset({"", "default"})  # what `helm template` renders .Release.Namespace as
# labels the cluster's own components carry (kubeadm, CoreDNS, kube-proxy, metrics-server)
SYSTEM_LABEL_KEYS = frozenset({"k8s-app"})
SYSTEM_LABEL_VALUES: dict[str, frozenset[str]] = {
    "component": frozenset(
        {"etcd", "apiserver", "kube-apiserver", "kube-scheduler", "kube-controller-manager", "kube-proxy"}
    ),
    "provider": frozenset({"kubernetes"}),  # the API server's own `kubernetes` Service in default
    "tier": frozenset({"control-plane"}),
    "app.kubernetes.io/name": frozenset({"kube-state-metrics", "coredns", "kube-dns"}),
}
OUTSIDE_HINT = "nothing to do; to silence it, accept it in .github/autopilot.yml accepted_risks with a reason"
BUILT_IN_GROUP = re.compile(r"^([a-z]+|[a-z.]+\.k8s\.io)$")


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a nested structure (each container visited once)."""
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict | list) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)


def _mentions(texts: Iterator[str], name: str) -> bool:
    word = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])")
    return any(word.search(text) for text in texts)


def is_hook(obj: RenderedObject) -> bool:
    return isinstance(mapping(dig(obj.doc, "metadata", "annotations")).get(HOOK_ANNOTATION), str)


def is_custom_resource(obj: RenderedObject) -> bool:
    """An object of a CRD (its API group is neither core nor *.k8s.io), served by some operator."""
    group = obj.api_version.rpartition("/")[0]
    return bool(group) and not BUILT_IN_GROUP.match(group)


def created_by_hook(name: str, objects: list[RenderedObject]) -> str | None:
    """The chart's hook Job (or Pod) that names `name` in its command, args or env: it creates it."""
    for obj in objects:
        pod = pod_template(obj) if is_hook(obj) else None
        if pod is None:
            continue
        texts = (
            text
            for _, container in pod.containers()
            for key in ("command", "args", "env")
            for text in _strings(container.get(key))
        )
        if _mentions(texts, name):
            hook = mapping(dig(obj.doc, "metadata", "annotations"))[HOOK_ANNOTATION]
            return f"the chart's {hook} hook {obj.ref} creates it at install time"
    return None


def written_by_operator(name: str, objects: list[RenderedObject]) -> str | None:
    """A custom resource of the chart whose spec names `name` (a Certificate's secretName…)."""
    for obj in objects:
        if is_custom_resource(obj) and _mentions(_strings(obj.doc.get("spec")), name):
            return f"{obj.ref} (a custom resource) names it: its operator creates it"
    return None


def operator_pods(selector_labels: Mapping[str, str], objects: list[RenderedObject]) -> str | None:
    """A custom resource of the chart whose pods these labels select (the operator labels them)."""
    values = {str(v) for v in selector_labels.values()}
    for obj in objects:
        if not is_custom_resource(obj):
            continue
        kind = obj.kind.lower()
        # operators label the pods of a CR with its kind (`app.kubernetes.io/name: prometheus`) or
        # with `<kind>: <name>` (`alertmanager: main`); a shared name alone proves nothing
        if kind in values or selector_labels.get(kind) == obj.name:
            return f"it selects the pods the operator creates for {obj.ref}"
    return None


def system_component(selector_labels: Mapping[str, str]) -> str | None:
    """Labels only the cluster's own components carry (CoreDNS, etcd, the control plane)."""
    for key, value in selector_labels.items():
        if key in SYSTEM_LABEL_KEYS or value in SYSTEM_LABEL_VALUES.get(key, frozenset()):
            return f"{key}={value} is a label of the cluster's own components, not of this chart's pods"
    return None


def other_namespace(obj: RenderedObject) -> str | None:
    """The object lives in a namespace other than the release's: what it selects lives there too."""
    namespace = str(dig(obj.doc, "metadata", "namespace") or "")
    if namespace in RELEASE_NAMESPACES:
        return None
    return f"it lives in namespace {namespace!r}, where the chart's release does not put its pods"


def selector_labels(selector: Any) -> dict[str, str]:
    """The label map of a plain selector or of a LabelSelector's matchLabels and `In` expressions."""
    labels = {str(k): str(v) for k, v in mapping(selector).items() if not isinstance(v, dict | list)}
    labels.update({str(k): str(v) for k, v in mapping(mapping(selector).get("matchLabels")).items()})
    for expression in sequence(mapping(selector).get("matchExpressions")):
        values = sequence(mapping(expression).get("values"))
        if mapping(expression).get("operator") == "In" and values:
            labels[str(mapping(expression).get("key"))] = str(values[0])
    return labels


def unresolved_selector_reason(
    owner: RenderedObject, selector: Any, objects: list[RenderedObject]
) -> str | None:
    """Why a selector matching none of the chart's pods is still fine, or None when it is a mistake."""
    labels = selector_labels(selector)
    return other_namespace(owner) or system_component(labels) or operator_pods(labels, objects)


def unresolved_reference_reason(name: str, objects: list[RenderedObject]) -> str | None:
    """Why an object the chart does not render still exists at run time, or None."""
    return created_by_hook(name, objects) or written_by_operator(name, objects)
