"""Documented chart parameters: the single source for values.yaml, its schema and the README table.

Each `Param` is one `## @param` line in values.yaml (readme-generator style); grouping them
in `Section`s gives the `## @section` headings. Building all three files from one list is
what keeps them from drifting apart.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Param(BaseModel):
    """One documented key of values.yaml, with optional JSON-schema constraints for it."""

    model_config = ConfigDict(frozen=True)

    path: str  # dotted, e.g. "image.tag"
    value: Any
    description: str
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")  # enum, minimum, type…

    @property
    def keys(self) -> list[str]:
        return self.path.split(".")


class Section(BaseModel):
    """A `## @section` of values.yaml; it owns whole top-level keys so the file reads in order."""

    title: str
    params: list[Param] = Field(default_factory=list)
    # JSON-schema keywords added to a group of keys (dotted path), for rules that tie keys
    # together, e.g. "ingress.tls needs tlsSecret or certManager.issuer".
    group_rules: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def add(self, path: str, value: Any, description: str, **schema: Any) -> None:
        self.params.append(Param(path=path, value=value, description=description, schema=schema))

    def constrain(self, group: str, **schema: Any) -> None:
        self.group_rules.setdefault(group, {}).update(schema)


def nested_values(sections: list[Section]) -> dict[str, Any]:
    """The values tree the params describe, in declaration order."""
    tree: dict[str, Any] = {}
    for section in sections:
        for param in section.params:
            node = tree
            *parents, leaf = param.keys
            for key in parents:
                child = node.setdefault(key, {})
                if not isinstance(child, dict):
                    raise ValueError(f"parameter {param.path!r} is nested under a non-mapping value {key!r}")
                node = child
            if leaf in node:
                raise ValueError(f"parameter {param.path!r} is declared twice")
            node[leaf] = param.value
    return tree


def all_params(sections: list[Section]) -> dict[str, Param]:
    """Params by dotted path."""
    return {param.path: param for section in sections for param in section.params}
