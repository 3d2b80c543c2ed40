"""Helm through the `helm` binary: `helm lint --strict` and `helm template`, output parsed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from agents.validate.engine import RELEASE_NAME, LintMessage, RenderResult, strip_chart_prefix
from agents.validate.errors import HelmEngineError
from agents.validate.finding import Severity

LINT_LINE = re.compile(r"^\[(INFO|WARNING|ERROR)\] ([^:]*): ?(.*)$")
SOURCE_LINE = re.compile(r"^# Source: (\S.*)$")
TIMEOUT_SECONDS = 60
_SEVERITIES = {"INFO": Severity.INFO, "WARNING": Severity.WARNING, "ERROR": Severity.ERROR}


def parse_lint_output(text: str) -> list[LintMessage]:
    """Messages of `helm lint` stdout; a line that is not a new message continues the previous one."""
    messages: list[LintMessage] = []
    for line in text.splitlines():
        match = LINT_LINE.match(line)
        if match:
            severity, path, body = match.groups()
            messages.append(LintMessage(severity=_SEVERITIES[severity], path=path.strip(), text=body))
        elif (
            messages
            and line.strip()
            and not line.startswith(("==>", "Error:"))
            and "chart(s) linted" not in line
        ):
            last = messages[-1]
            messages[-1] = last.model_copy(update={"text": f"{last.text}\n{line.strip()}"})
    return messages


def parse_template_output(text: str) -> dict[str, str]:
    """`helm template` stdout split back into `{templates/x.yaml: text}` by its `# Source:` comments."""
    manifests: dict[str, list[str]] = {}
    current: list[str] | None = None
    for doc in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
        lines = doc.strip("\n").splitlines()
        source = next((SOURCE_LINE.match(line) for line in lines[:1] if SOURCE_LINE.match(line)), None)
        if source:
            current = manifests.setdefault(strip_chart_prefix(source.group(1).strip()), [])
            body = "\n".join(lines[1:]).strip("\n")
            if body:
                current.append(body + "\n")
        elif current is not None and doc.strip():
            current.append(doc.strip("\n") + "\n")
    return {path: "---\n".join(docs) for path, docs in manifests.items()}


class HelmCliEngine:
    """Runs the `helm` binary found on PATH (Helm 3 or 4)."""

    def __init__(self, binary: str = "helm") -> None:
        self.binary = binary
        self._version: str | None = None

    @property
    def name(self) -> str:
        if self._version is None:
            result = self._run(["version", "--short"])
            self._version = result.stdout.strip() or "unknown"
        return f"helm-cli {self._version}"

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [self.binary, *args], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HelmEngineError(f"could not run `{self.binary} {' '.join(args)}`: {exc}") from exc

    def lint(self, chart_dir: Path, kube_version: str | None = None) -> list[LintMessage]:
        args = ["lint", "--strict", str(chart_dir)]
        if kube_version:
            args += ["--kube-version", kube_version]
        result = self._run(args)
        messages = parse_lint_output(result.stdout)
        if result.returncode != 0 and not messages:
            text = (result.stderr or result.stdout).strip()
            messages.append(LintMessage(severity=Severity.ERROR, path="", text=text.removeprefix("Error: ")))
        return messages

    def render(
        self,
        chart_dir: Path,
        values_file: str | None = None,
        kube_version: str | None = None,
        release_name: str = RELEASE_NAME,
    ) -> RenderResult:
        label = values_file or "values.yaml"
        args = ["template", release_name, str(chart_dir)]
        if values_file:
            args += ["--values", str(chart_dir / values_file)]
        if kube_version:
            args += ["--kube-version", kube_version]
        result = self._run(args)
        if result.returncode != 0:
            error = (result.stderr or result.stdout).strip().removeprefix("Error: ")
            return RenderResult(values_file=label, error=error or f"helm template exited {result.returncode}")
        return RenderResult(values_file=label, manifests=parse_template_output(result.stdout))
