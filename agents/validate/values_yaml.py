"""Load a user's values file without letting YAML aliases ("billion laughs") blow up.

PyYAML shares aliased nodes, so loading a bomb is cheap, but anything that walks or serialises
the result (rules, JSON Schema, the Helm SDK) sees the expanded tree: 10^9 nodes from 1 kB.
Charts do use anchors to share small blocks, so aliases are allowed up to a budget of expanded nodes.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from agents.validate.manifests import FAST_SAFE_LOADER

ALIAS_EXPANSION_BUDGET = 100_000
"""How many nodes aliases may add to a document once expanded (a real chart adds a few hundred)."""


# an anchor (&name) as YAML writes one; also matches "a&b" in text, which only costs the walk
_ANCHOR = re.compile(r"&[^\s\[\]{},]")


class ExcessiveAliasesError(yaml.YAMLError):
    """The document's aliases expand it beyond `ALIAS_EXPANSION_BUDGET` nodes, or refer to themselves."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(nodes once aliases are expanded, distinct nodes), visiting each shared node once.

    Iterative post-order walk, so deep nesting cannot exhaust Python's recursion limit.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ExcessiveAliasesError("an alias (*name) refers to the node that contains it")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)], len(sizes)


def load_values(text: str) -> Any:
    """The single YAML document in `text`; raises `ExcessiveAliasesError` for an alias bomb."""
    loader = FAST_SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" not in text or not _ANCHOR.search(text):
            return loader.construct_document(node)  # no alias (*name) or no anchor: nothing to expand
        expanded, distinct = _expanded_size(node)
        if expanded - distinct > ALIAS_EXPANSION_BUDGET:
            raise ExcessiveAliasesError(
                f"its aliases (*name) expand it to {expanded} nodes from {distinct} "
                f"(more than {ALIAS_EXPANSION_BUDGET} extra nodes)"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()
