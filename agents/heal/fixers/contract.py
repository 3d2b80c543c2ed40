"""The shape every fixer module has: which findings it answers, and a pure edit of the chart files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agents.validate.finding import Finding


@dataclass
class FixOutcome:
    """Files after a fixer ran and a human-readable line per edit (empty when nothing applied)."""

    files: dict[str, str]
    changes: list[str] = field(default_factory=list)


class Fixer(Protocol):
    """A fault family: `handles` routes findings to it, `fix` edits only the lines it must."""

    name: str

    def handles(self, finding: Finding) -> bool: ...

    def fix(
        self, files: dict[str, str], findings: Sequence[Finding], kube_versions: Sequence[str]
    ) -> FixOutcome: ...
