"""What a rule is: a stable id, a severity, a fix hint and a check over one render of a chart."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.validate.engine import RELEASE_NAME
from agents.validate.finding import Severity
from agents.validate.manifests import PathPart, RenderedObject

# `helm install` refuses release names over 53 characters: names built from the release name are
# checked once more with a release this long, the worst case a user can choose
LONG_RELEASE_NAME = "my-release-with-the-longest-name-helm-accepts-53-char"


@dataclass(frozen=True)
class ChartFacts:
    """What rules may know about the chart besides its rendered objects."""

    chart_dir: Path
    kube_versions: list[str]
    default_values: dict[str, Any]
    external_names: frozenset[str] = frozenset()  # values of existingSecret-style keys


@dataclass(frozen=True)
class RuleInput:
    """One render (default values or one ci/ values file) of a chart."""

    objects: list[RenderedObject]
    chart: ChartFacts
    values_file: str = "values.yaml"
    release_name: str = RELEASE_NAME  # what the chart was rendered as (`helm template`'s default)

    def of_kind(self, *kinds: str) -> list[RenderedObject]:
        return [o for o in self.objects if o.kind in kinds]

    def release_note(self, overflow: int = 0) -> str:
        """What to add to a message about a render as an unusual release name ("" for the default).

        `overflow`: characters a name built from the release name is over its limit; the release
        name grows the name one for one, so release names that much shorter still work.
        """
        if self.release_name == RELEASE_NAME:
            return ""
        longest = len(self.release_name)
        if 0 < overflow < longest:
            return (
                f" (with a release name of {longest} characters, e.g. {self.release_name!r}: it installs "
                f"only while the release name has at most {longest - overflow}; helm install accepts {longest})"
            )
        return f" (with a release name of {longest} characters, e.g. {self.release_name!r}, which helm install accepts)"


@dataclass(frozen=True)
class Violation:
    """A rule's raw complaint; the runner turns it into a located `Finding`."""

    message: str
    obj: RenderedObject | None = None
    path: tuple[PathPart, ...] = ()
    file: str | None = None  # for chart files (values.yaml…) when there is no object
    line: int | None = None
    kube_version: str | None = None
    severity: Severity | None = None  # overrides the rule's default when set
    hint: str | None = None  # overrides the rule's hint when set


@dataclass(frozen=True)
class Rule:
    id: str  # stable: "family/name"
    severity: Severity
    summary: str
    hint: str
    check: Callable[[RuleInput], Iterable[Violation]] = field(repr=False)
    # also run on a render as a release named LONG_RELEASE_NAME (names and labels built from it)
    release_sensitive: bool = False

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]
