"""apiserver/pvc-access-modes: a PersistentVolumeClaim (or claim template) needs an access mode."""

from __future__ import annotations

from collections.abc import Iterator

from agents.validate.apiserver_wording import rejected, required
from agents.validate.finding import Severity
from agents.validate.manifests import PathPart
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping, mappings, sequence


def check(given: RuleInput) -> Iterator[Violation]:
    for obj in given.of_kind("PersistentVolumeClaim", "StatefulSet"):
        claims: list[tuple[tuple[PathPart, ...], dict[str, object]]]
        if obj.kind == "PersistentVolumeClaim":
            claims = [((), obj.doc)]
        else:
            claims = [
                (("spec", "volumeClaimTemplates", i), claim)
                for i, claim in mappings(dig(obj.doc, "spec", "volumeClaimTemplates"))
            ]
        for prefix, claim in claims:
            spec = claim.get("spec")
            if not isinstance(spec, dict):
                continue
            if not sequence(mapping(spec).get("accessModes")):
                where = (*prefix, "spec", "accessModes")
                located = where if "accessModes" in spec else (*prefix, "spec")
                yield Violation(
                    rejected(obj, required(where, "at least 1 access mode is required")), obj, located
                )


RULE = Rule(
    "apiserver/pvc-access-modes",
    Severity.ERROR,
    "a PersistentVolumeClaim must list at least one access mode",
    "set accessModes (usually [ReadWriteOnce]) from values, with a default in values.yaml",
    check,
)
