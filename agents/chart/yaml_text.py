"""YAML text the way Helm charts are written: block style, indented lists, literal multi-line strings."""

from __future__ import annotations

from typing import Any

import yaml


class ChartYamlDumper(yaml.SafeDumper):
    """Indents list items under their key (`key:\\n  - a`), as Helm's own files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if value == "":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


ChartYamlDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Deterministic YAML: keys keep their order, no line wrapping, no aliases."""
    text: str = yaml.dump(
        data,
        Dumper=ChartYamlDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )
    return text
