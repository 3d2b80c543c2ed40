"""apiserver/volume-mount-defined: a volumeMount must name one of the pod's volumes."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import not_found, rejected
from agents.validate.finding import Severity
from agents.validate.pod_templates import pod_templates
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mappings


def check(given: RuleInput) -> Iterator[Violation]:
    for pod in pod_templates(given.objects):
        volumes = {str(v.get("name")) for _, v in mappings(pod.spec.get("volumes"))}
        if pod.obj.kind == "StatefulSet":  # each claim template becomes a volume of the same name
            claims = dig(pod.obj.doc, "spec", "volumeClaimTemplates")
            volumes |= {str(dig(c, "metadata", "name")) for _, c in mappings(claims)}
        for path, container in pod.containers():
            for i, mount in mappings(container.get("volumeMounts")):
                name = mount.get("name")
                if isinstance(name, str) and name and name not in volumes:
                    where = (*path, "volumeMounts", i, "name")
                    yield Violation(
                        rejected(pod.obj, not_found(where, name))
                        + f" (the pod's volumes are {sorted(volumes)})",
                        pod.obj,
                        where,
                    )


RULE = Rule(
    "apiserver/volume-mount-defined",
    Severity.ERROR,
    "every volumeMount must name a volume of the pod (or a StatefulSet claim template)",
    "declare the volume under the pod's volumes (behind the same `if` as its mount) or drop the mount",
    check,
)
