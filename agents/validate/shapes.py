"""Reading rendered objects whose shape is not guaranteed (a user's chart may put a list where a map goes).

A wrong shape is reported by schema/kubernetes; the other rules just see "nothing there".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

Where = TypeVar("Where")


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """`value` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def mappings(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for the mapping items of a list; other items are skipped."""
    return [(i, item) for i, item in enumerate(sequence(value)) if isinstance(item, dict)]


def dig(value: Any, *path: str) -> Any:
    """Nested mapping lookup that yields None instead of raising on a wrong shape."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def string_map(value: Any) -> dict[str, str]:
    """A label-style map with string keys and values (non-map input gives an empty map)."""
    return {str(k): str(v) for k, v in mapping(value).items()}


def repeated_names(
    items: Iterable[tuple[Where, dict[str, Any]]],
) -> Iterator[tuple[Where, str, dict[str, Any]]]:
    """(where, name, item) for every item whose string `name` an earlier item already used.

    The API server's uniqueness rules (containers, volumes, ports, env) all reject the second use.
    """
    seen: set[str] = set()
    for where, item in items:
        name = item.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield where, name, item
        seen.add(name)
