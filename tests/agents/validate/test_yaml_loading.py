"""Our YAML loader (libyaml, remembered scalar tags) reads exactly what PyYAML's safe loader reads,
and values files without aliases load without the alias-expansion walk."""

from __future__ import annotations

import pytest
import yaml

from agents.validate.manifests import FAST_SAFE_LOADER
from agents.validate.values_yaml import ExcessiveAliasesError, load_values

# scalars whose tag depends on YAML 1.1's implicit rules, plain and quoted
SCALARS = [
    "yes", "No", "on", "OFF", "true", "~", "null", "", "1_000", "0x1F", "0o17", "017", "1e3", "-.inf",
    ".NaN", "1:20", "2001-12-14t21:59:43.10-05:00", "2024-01-01", "=", "TCP", "8080", "80.0", "v1.2",
]  # fmt: skip


@pytest.mark.parametrize(
    "text", [f"- {s}\n" for s in SCALARS] + [f'- "{s}"\n' for s in SCALARS] + [f"- '{s}'\n" for s in SCALARS]
)
def test_each_scalar_reads_as_the_safe_loader_reads_it_every_time(text: str) -> None:
    expected = _outcome(text, yaml.SafeLoader)
    for _ in range(2):  # the second load answers from the remembered tags
        assert _outcome(text, FAST_SAFE_LOADER) == expected


def _outcome(text: str, loader: type[yaml.SafeLoader]) -> tuple[object, ...]:
    """(values and their types), or the error: `=` is YAML 1.1's "value" tag, which no safe loader builds."""
    try:
        values = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        return ("error", type(exc).__name__)
    return tuple(values), tuple(type(v) for v in values)


def test_a_whole_manifest_reads_the_same() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {enabled: 'true', on: yes}}\n"
        "spec:\n  ports:\n    - {port: 80, targetPort: http, protocol: TCP}\n  ratio: 0.5\n  at: 2024-01-01\n"
    )
    assert yaml.load(text, Loader=FAST_SAFE_LOADER) == yaml.load(text, Loader=yaml.SafeLoader)


def test_a_star_inside_a_string_is_not_an_alias() -> None:
    assert load_values('glob: "*.txt"\nplain: a*b\n') == {"glob": "*.txt", "plain": "a*b"}


def test_values_without_aliases_load_as_before() -> None:
    text = "image:\n  repository: nginx\n  tag: '1.27'\nreplicas: 2\n"
    assert load_values(text) == yaml.safe_load(text)


def test_aliases_still_count_against_the_budget() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6)
    )
    with pytest.raises(ExcessiveAliasesError):
        load_values(bomb)
    assert load_values("base: &b {x: 1}\nother: *b\n") == {"base": {"x": 1}, "other": {"x": 1}}


def test_a_star_in_a_comment_next_to_an_ampersand_in_a_url_is_no_alias() -> None:
    text = "# hosts like *.example.com\nurl: https://x.test/?a=1&b=2\n"
    assert load_values(text) == {"url": "https://x.test/?a=1&b=2"}


def test_an_alias_bomb_with_flow_anchors_is_still_refused() -> None:
    bomb = "a: [&a x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: [&{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]]\n" for i in range(6)
    )
    with pytest.raises(ExcessiveAliasesError):
        load_values(bomb)
