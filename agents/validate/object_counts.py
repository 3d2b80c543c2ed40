"""What a chart creates on each Kubernetes version: its objects counted by kind, default values.

A chart can render differently per version (`.Capabilities.KubeVersion`, `.Capabilities.APIVersions`),
so each version gets its own `helm template --kube-version` render; the counts are what a reviewer
compares to see that every version gets the same workload, Service and policies.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from agents.chart.write import write_chart
from agents.validate.engine import HelmEngine, get_engine
from agents.validate.errors import HelmEngineError
from agents.validate.kube_schema import default_kube_versions
from agents.validate.manifests import parse_manifests
from agents.validate.pipeline import helm_threads

DEFAULT_VALUES = "values.yaml"
log = logging.getLogger("autopilot.validate")


class VersionObjects(BaseModel):
    """One version's render: objects per kind, or why Helm could not render it."""

    kube_version: str
    kinds: dict[str, int] = Field(default_factory=dict)  # "Deployment" -> 1, sorted by kind
    error: str | None = None  # Helm's render error on this version (counts are then empty)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


class ObjectCounts(BaseModel):
    """Every version's counts, newest version first (the order validation uses)."""

    versions: list[VersionObjects] = Field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """Every kind any version renders, alphabetically."""
        return sorted({kind for v in self.versions for kind in v.kinds})

    @property
    def same_on_every_version(self) -> bool:
        return (
            all(v.error is None for v in self.versions)
            and len({tuple(v.kinds.items()) for v in self.versions}) <= 1
        )


def _label(doc: Mapping[str, object], kind: str) -> str:
    """The kind, marked when Helm runs the object as a hook rather than installing it."""
    meta = doc.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    hook = str(annotations.get("helm.sh/hook", "")) if isinstance(annotations, dict) else ""
    if not hook:
        return kind
    return f"{kind} (helm test)" if "test" in hook.split(",") else f"{kind} (hook)"


def count_kinds(manifests: dict[str, str]) -> dict[str, int]:
    """Objects per kind in one render's manifests; `List` items count as their own kinds, hooks apart."""
    parsed = parse_manifests(DEFAULT_VALUES, manifests)
    counts = Counter(_label(obj.doc, obj.kind or "(no kind)") for obj in parsed.objects)
    return dict(sorted(counts.items()))


def objects_per_version(
    chart_dir: Path, kube_versions: Sequence[str] | None = None, *, engine: HelmEngine | None = None
) -> ObjectCounts:
    """Render the chart's defaults once per Kubernetes version and count what each render creates.

    `kube_versions` defaults to the validator's defaults; a version Helm cannot render on gives its
    error in place of counts instead of raising, so one bad version still shows the others.
    """
    versions = list(kube_versions) if kube_versions else default_kube_versions()
    helm = engine or get_engine()
    pending = [
        (version, helm_threads().submit(helm.render, Path(chart_dir), None, kube_version=version))
        for version in versions
    ]
    counted = []
    for version, future in pending:
        render = future.result()
        if render.error is not None:
            counted.append(VersionObjects(kube_version=version, error=render.error))
        else:
            counted.append(VersionObjects(kube_version=version, kinds=count_kinds(render.manifests)))
    return ObjectCounts(versions=counted)


def objects_of_files(
    files: Mapping[str, str], kube_versions: Sequence[str] | None = None, *, engine: HelmEngine | None = None
) -> ObjectCounts:
    """`objects_per_version` for a chart held in memory (POSIX path -> text), written to a scratch dir."""
    with tempfile.TemporaryDirectory(prefix="autopilot-objects-") as scratch:
        chart_dir = Path(scratch) / "chart"
        write_chart(files, chart_dir)
        return objects_per_version(chart_dir, kube_versions, engine=engine)


def count_objects(
    chart: Path | Mapping[str, str], kube_versions: Sequence[str] | None
) -> ObjectCounts | None:
    """The chart's objects per Kubernetes version for a summary, from its directory or its files.

    None when Helm itself fails (not the chart: a chart's render error is shown per version), so a
    broken engine costs the table, never the report it sits in.
    """
    try:
        if isinstance(chart, Path):
            return objects_per_version(chart, kube_versions)
        return objects_of_files(chart, kube_versions)
    except (HelmEngineError, OSError, ValueError) as exc:
        log.warning("no object counts for a summary: %s", exc)
        return None
