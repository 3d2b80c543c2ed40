"""apiserver/labels: label keys and values the API server accepts (63-character names and values).

Checked where labels are stored or matched: metadata.labels, the pod template's labels and the
selector's matchLabels (a selector with an invalid label can never be created either).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agents.validate.apiserver_wording import invalid, rejected
from agents.validate.finding import Severity
from agents.validate.k8s_names import LABEL_VALUE_MAX, label_value, qualified_name
from agents.validate.manifests import PathPart, RenderedObject
from agents.validate.pod_templates import POD_SPEC_PATHS
from agents.validate.rules.contract import Rule, RuleInput, Violation
from agents.validate.shapes import dig, mapping


def _label_maps(obj: RenderedObject) -> Iterator[tuple[tuple[PathPart, ...], dict[str, Any]]]:
    yield ("metadata", "labels"), mapping(dig(obj.doc, "metadata", "labels"))
    pod_spec = POD_SPEC_PATHS.get(obj.kind)
    if pod_spec is not None and len(pod_spec) > 1:
        template = pod_spec[:-1]
        yield (*template, "metadata", "labels"), mapping(dig(obj.doc, *template, "metadata", "labels"))
        if obj.kind != "CronJob":
            yield (
                ("spec", "selector", "matchLabels"),
                mapping(dig(obj.doc, "spec", "selector", "matchLabels")),
            )
    if obj.kind == "Service":
        yield ("spec", "selector"), mapping(dig(obj.doc, "spec", "selector"))


def check(given: RuleInput) -> Iterator[Violation]:
    long_release = given.release_note() != ""
    for obj in given.objects:
        for path, labels in _label_maps(obj):
            for key, value in labels.items():
                key_text = str(key)
                where = (*path, key_text)
                for problem in qualified_name(key_text):
                    yield Violation(rejected(obj, invalid(path, key_text, problem)), obj, where)
                value_text = "" if value is None else str(value)
                if isinstance(value, bool):
                    value_text = str(value).lower()  # Helm writes YAML true/false
                note = given.release_note(overflow=len(value_text) - LABEL_VALUE_MAX)
                for problem in label_value(value_text):
                    yield Violation(
                        rejected(obj, invalid(path, value_text, problem)) + note,
                        obj,
                        where,
                        # a value that only overflows for long release names works under the usual ones
                        severity=Severity.WARNING if long_release else None,
                    )


RULE = Rule(
    "apiserver/labels",
    Severity.ERROR,
    "label keys and values must be at most 63 characters of letters, digits, '-', '_' and '.'",
    "shorten the value (e.g. `| trunc 63 | trimSuffix \"-\"`) and replace other characters ('+' in "
    'chart versions: `| replace "+" "_"`)',
    check,
    release_sensitive=True,
)
