"""Line-level YAML editing keeps comments, quoting and layout of the lines it does not change."""

from __future__ import annotations

from agents.heal.yaml_text import block_end, find_path, with_scalar

VALUES = [
    "# top comment",
    "image:",
    "  repository: nginx # the repo",
    '  tag: "1.0"',
    "ports:",
    "- name: http",
    "  containerPort: 8080",
    "- name: metrics",
    "  containerPort: 9090",
    "resources: {}",
    "",
]


def test_find_path_walks_maps_and_lists() -> None:
    assert VALUES[find_path(VALUES, ["image", "tag"])] == '  tag: "1.0"'
    assert VALUES[find_path(VALUES, ["ports", 1, "containerPort"])] == "  containerPort: 9090"
    assert VALUES[find_path(VALUES, ["ports", 0, "name"])] == "- name: http"
    assert find_path(VALUES, ["image", "digest"]) is None
    assert find_path(VALUES, ["ports", 5]) is None


def test_with_scalar_keeps_trailing_comments() -> None:
    assert with_scalar("  repository: nginx # the repo", "busybox") == "  repository: busybox # the repo"
    assert with_scalar('  tag: "1.0"', "2") == "  tag: 2"


def test_block_end_includes_compact_sequences() -> None:
    assert block_end(VALUES, 1) == 4
    assert block_end(VALUES, 4) == 9
