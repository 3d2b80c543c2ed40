"""The hand-written one-line YAML scalars read back exactly as the values they stand for."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from agents.chart.yaml_text import dump_yaml, scalar_text

SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
    st.sampled_from(["\x85", "a\u2028b", "\ufeff", "a\tb", " lead", "trail "]),
    st.sampled_from(
        ["yes", "no", "on", "off", "1.0", "0x1F", "~", "null", "1.27", "1.27.0", "- a", "a: b", "#x", ""]
    ),
)


@given(SCALARS)
def test_scalar_text_reads_back_as_the_same_value(value: Any) -> None:
    text = scalar_text(value)
    document = dump_yaml({"k": value}) if text is None else f"k: {text}\n"
    assert yaml.safe_load(document)["k"] == value


def test_yaml_that_looks_like_another_type_is_quoted() -> None:
    assert scalar_text("yes") == '"yes"'
    assert scalar_text("1.27") == '"1.27"'
    assert scalar_text("1.27.0") == "1.27.0"
    assert scalar_text("") == '""'


def test_multi_line_text_is_left_to_the_dumper_as_a_literal_block() -> None:
    assert scalar_text("a\nb\n") is None
    assert dump_yaml({"k": "a\nb\n"}) == "k: |\n  a\n  b\n"
