"""Every fixer, one module per fault family, in the order a pass applies them.

Syntax comes first (nothing else can be read until the YAML parses), then API translation
(it may add selectors and pathTypes), then wiring, types, required fields, hardening and metadata.
"""

from __future__ import annotations

from agents.heal.fixers.api_versions import ApiVersionFixer
from agents.heal.fixers.chart_metadata import ChartMetadataFixer
from agents.heal.fixers.container_defaults import ContainerDefaultsFixer
from agents.heal.fixers.contract import Fixer, FixOutcome
from agents.heal.fixers.field_types import FieldTypesFixer
from agents.heal.fixers.required_fields import RequiredFieldsFixer
from agents.heal.fixers.selectors import SelectorFixer
from agents.heal.fixers.values_schema import ValuesSchemaFixer
from agents.heal.fixers.yaml_indentation import YamlIndentationFixer

FIXERS: list[Fixer] = [
    YamlIndentationFixer(),
    ApiVersionFixer(),
    SelectorFixer(),
    ValuesSchemaFixer(),
    FieldTypesFixer(),
    RequiredFieldsFixer(),
    ContainerDefaultsFixer(),
    ChartMetadataFixer(),
]

__all__ = ["FIXERS", "FixOutcome", "Fixer"]
