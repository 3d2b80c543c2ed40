"""Chart.yaml metadata: apiVersion v2, SemVer version, description, appVersion, name = directory.

Mirrors helm lint's Chart.yaml checks (`helm-lint`, `chart/*` rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from agents.heal.fixers.contract import FixOutcome
from agents.heal.yaml_text import KEY_LINE, find_path, split_lines, with_scalar
from agents.validate.finding import Finding
from agents.validate.values_yaml import load_values as parse_values  # alias-bomb safe

CHART_FILE = "Chart.yaml"
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
LOOSE_VERSION = re.compile(r"^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)*(?P<rest>[-+][0-9A-Za-z.+-]*)?$")
AFTER = {"description": "name", "appVersion": "version", "version": "name"}
DIRECTORY_NAME = re.compile(r"directory name \(?['\"]?(?P<dir>[a-z0-9][-a-z0-9]*)['\"]?\)?", re.IGNORECASE)


def normalise_semver(version: str) -> str | None:
    """`1.0` → `1.0.0`, `v2` → `2.0.0`, `01.2.3` → `1.2.3`; None when no version number is in it."""
    match = LOOSE_VERSION.match(version.strip())
    if not match:
        return None
    parts = [str(int(p)) if p else "0" for p in match.groups()[:3]]
    rest = match.group("rest") or ""
    return ".".join(parts) + rest


class ChartMetadataFixer:
    name = "chart-metadata"

    def handles(self, finding: Finding) -> bool:
        return (
            finding.file == CHART_FILE
            or "Chart.yaml" in finding.message
            or finding.rule_id.startswith("chart/")
        )

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome:
        text = files.get(CHART_FILE)
        if text is None:
            return FixOutcome(files)
        try:
            meta = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            return FixOutcome(files)  # a YAML syntax error is the indentation fixer's job
        if not isinstance(meta, dict):
            return FixOutcome(files)
        lines = split_lines(text)
        changes: list[str] = []

        def set_key(key: str, value: str, why: str) -> None:
            index = find_path(lines, [key])
            if index is not None:
                lines[index] = with_scalar(lines[index], value)
            else:
                # a new key goes after the one `helm create` puts before it, else after the last key
                anchor = find_path(lines, [AFTER[key]]) if key in AFTER else None
                top = [
                    i
                    for i, line in enumerate(lines)
                    if KEY_LINE.match(line) and not line.startswith((" ", "-"))
                ]
                at = anchor + 1 if anchor is not None else (_top_block_end(lines, top[-1]) if top else 0)
                lines.insert(at, f"{key}: {value}")
            changes.append(f"{CHART_FILE}: {why}")

        api_version = meta.get("apiVersion")
        if api_version != "v2" and not (api_version == "v1" and "requirements.yaml" in files):
            set_key("apiVersion", "v2", f"apiVersion {api_version!r} → v2 (Helm 3 charts)")
        version = meta.get("version")
        if version is None or not SEMVER.match(str(version)):
            fixed = normalise_semver(str(version)) if version is not None else None
            set_key("version", fixed or "0.1.0", f"version {version!r} is not SemVer 2 → {fixed or '0.1.0'}")
        name = meta.get("name")
        wanted = _directory_name(findings)
        if wanted and name != wanted:
            set_key("name", wanted, f"name {name!r} → {wanted!r} to match the chart directory")
            name = wanted
        if not meta.get("description"):
            set_key("description", f"A Helm chart for {name or 'this application'}", "added a description")
        if not meta.get("appVersion"):
            tag = _image_tag(files.get("values.yaml", ""))
            if tag:
                set_key("appVersion", f'"{tag}"', f"appVersion set to the image tag {tag!r}")
        if not changes:
            return FixOutcome(files)
        return FixOutcome({**files, CHART_FILE: "\n".join(lines)}, changes)


def _top_block_end(lines: list[str], start: int) -> int:
    end = start + 1
    while end < len(lines) and (
        lines[end].startswith((" ", "-"))
        or lines[end].strip() == ""
        and end < len(lines) - 1
        and lines[end + 1].startswith((" ", "-"))
    ):
        end += 1
    return end


def _directory_name(findings: Sequence[Finding]) -> str | None:
    for finding in findings:
        if "name" in finding.message and "director" in finding.message:
            match = DIRECTORY_NAME.search(finding.message)
            if match:
                return match.group("dir")
    return None


def _image_tag(values_text: str) -> str | None:
    try:
        values = parse_values(values_text) or {}
    except yaml.YAMLError:
        return None
    image = values.get("image") if isinstance(values, dict) else None
    tag = image.get("tag") if isinstance(image, dict) else None
    return str(tag) if tag not in (None, "") else None
