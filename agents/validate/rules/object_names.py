"""apiserver/object-name: metadata.name must be the DNS name its kind requires.

Services are DNS-1035 labels (63 characters, starting with a letter), Namespaces DNS-1123 labels,
RBAC objects URL path segments, everything else a DNS-1123 subdomain (253). CronJob names stop at
52 characters (the Job names they generate get a suffix) and Job names at 63 (they become a label).
The pipeline also renders the chart once as a release with a 53-character name, Helm's longest, to
catch `{{ fullname }}-suffix` names that only overflow for long release names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from agents.validate.apiserver_wording import invalid, rejected
from agents.validate.finding import Severity
from agents.validate.k8s_names import (
    DNS1123_LABEL_MAX,
    DNS1123_SUBDOMAIN_MAX,
    dns1035_label,
    dns1123_label,
    dns1123_subdomain,
    path_segment_name,
)
from agents.validate.rules.contract import Rule, RuleInput, Violation

CRONJOB_NAME_MAX = 52
JOB_NAME_MAX = 63

_NAME_SYNTAX: dict[str, Callable[[str], list[str]]] = {
    "Service": dns1035_label,
    "Namespace": dns1123_label,
    "Role": path_segment_name,
    "ClusterRole": path_segment_name,
    "RoleBinding": path_segment_name,
    "ClusterRoleBinding": path_segment_name,
}


def longest_name(kind: str) -> int | None:
    """How long a `kind` object's name may be (None: RBAC names have no length rule)."""
    if kind in ("Service", "Namespace", "Job"):
        return DNS1123_LABEL_MAX
    if kind == "CronJob":
        return CRONJOB_NAME_MAX
    return None if _NAME_SYNTAX.get(kind) is path_segment_name else DNS1123_SUBDOMAIN_MAX


def name_problems(kind: str, name: str) -> list[tuple[tuple[str, ...], str]]:
    """(field path, API server message) for each reason `name` is refused for `kind`."""
    where: tuple[str, ...] = ("metadata", "name")
    problems: list[tuple[tuple[str, ...], str]] = [
        (where, m) for m in _NAME_SYNTAX.get(kind, dns1123_subdomain)(name)
    ]
    if kind == "CronJob" and len(name) > CRONJOB_NAME_MAX:
        problems.append((where, f"must be no more than {CRONJOB_NAME_MAX} characters"))
    if kind == "Job" and len(name) > JOB_NAME_MAX:  # the job-name label of its pods
        problems.append((("spec", "template", "labels"), f"must be no more than {JOB_NAME_MAX} characters"))
    return problems


def check(given: RuleInput) -> Iterator[Violation]:
    long_release = given.release_note() != ""
    for obj in given.objects:
        if not obj.name:
            continue  # no name (or generateName only): schema/kubernetes and Helm say so
        longest = longest_name(obj.kind)
        note = given.release_note(overflow=len(obj.name) - longest if longest else 0)
        for where, problem in name_problems(obj.kind, obj.name):
            yield Violation(
                rejected(obj, invalid(where, obj.name, problem)) + note,
                obj,
                ("metadata", "name"),
                # a name that only overflows for long release names installs under the usual ones
                severity=Severity.WARNING if long_release else None,
                hint=LONG_RELEASE_HINT if long_release else None,
            )


LONG_RELEASE_HINT = (
    "build the name from the fullname helper truncated to leave room for the suffix "
    '(e.g. {{ include "x.fullname" . | trunc 52 | trimSuffix "-" }} for a CronJob, '
    '{{ include "x.fullname" . | trunc 54 | trimSuffix "-" }}-headless for a Service)'
)


RULE = Rule(
    "apiserver/object-name",
    Severity.ERROR,
    "object names must be the DNS names their kind requires (Services 63, most others 253 characters)",
    "use lowercase letters, digits and '-' (start with a letter for Services); build names from the "
    'fullname helper, which truncates to 63 characters (trunc 63 | trimSuffix "-")',
    check,
    release_sensitive=True,
)
