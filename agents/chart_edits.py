"""Apply file edits proposed by an LLM to an in-memory chart, refusing anything unsafe.

An LLM's edit is untrusted text: it may name `../../etc/passwd`, `.github/workflows/x.yml`
or a 50 MB file because a prompt-injected value told it to. Only a short list of chart
locations may be written, and every edit is re-validated by the validator afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from agents.safe_paths import UnsafePathError, relative_parts

MAX_FILE_BYTES = 256 * 1024  # far above any real chart file; stops runaway or hostile output
MAX_PATH_LENGTH = 200
MAX_EDITS = 50

ALLOWED_TOP_FILES = frozenset({"values.yaml", "values.schema.json", "Chart.yaml", "README.md", ".helmignore"})
ALLOWED_DIRS = {
    "templates": (".yaml", ".yml", ".tpl", ".txt", ".json"),
    "ci": (".yaml", ".yml"),
}
SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class UnsafeEditError(ValueError):
    """An edit that may not be applied; the message names the path and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"refused edit to {path!r}: {reason}")
        self.path = path
        self.reason = reason


class FileEdit(BaseModel):
    """Replace (or create) one chart file with new full content."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="path relative to the chart root, e.g. templates/deployment.yaml")
    content: str = Field(description="the complete new content of the file")


def check_edit_path(path: str, files: Mapping[str, str]) -> None:
    """Raise `UnsafeEditError` unless `path` is a plain chart file location we allow writing."""
    if len(path) > MAX_PATH_LENGTH:
        raise UnsafeEditError(path[:60] + "…", f"the path is longer than {MAX_PATH_LENGTH} characters")
    try:
        parts = relative_parts(path)
    except UnsafePathError as exc:
        raise UnsafeEditError(path, exc.reason) from None
    for part in parts:
        if not SEGMENT.match(part) and path not in ALLOWED_TOP_FILES:  # .helmignore is the one dot-file
            raise UnsafeEditError(
                path, f"segment {part!r} must start with a letter, digit or '_' and hold only [A-Za-z0-9_.-]"
            )
    for depth in range(1, len(parts)):
        prefix = "/".join(parts[:depth])
        if prefix in files:
            # writing under an existing file's name would turn it into a directory (or a link target)
            raise UnsafeEditError(path, f"{prefix!r} is a file, not a directory")
    if any(existing.startswith(path + "/") for existing in files):
        raise UnsafeEditError(path, "a directory of the chart has this name")
    if len(parts) == 1:
        if path not in ALLOWED_TOP_FILES:
            allowed = ", ".join(sorted(ALLOWED_TOP_FILES))
            raise UnsafeEditError(path, f"only {allowed}, templates/ and ci/ may be edited")
        return
    suffixes = ALLOWED_DIRS.get(parts[0])
    if suffixes is None:
        raise UnsafeEditError(
            path, "only files under templates/ and ci/ (plus the chart's top files) may be edited"
        )
    if parts[0] == "ci" and len(parts) != 2:
        raise UnsafeEditError(path, "ci/ holds values files only, with no sub-directories")
    if not path.endswith(suffixes):
        raise UnsafeEditError(path, f"files under {parts[0]}/ must end in one of {', '.join(suffixes)}")


def check_edit_content(edit: FileEdit) -> None:
    """Raise `UnsafeEditError` for content no chart file should have."""
    if "\0" in edit.content:
        raise UnsafeEditError(edit.path, "the content contains NUL bytes")
    size = len(edit.content.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise UnsafeEditError(edit.path, f"the content is {size} bytes, above the {MAX_FILE_BYTES}-byte cap")


def apply_file_edits(files: Mapping[str, str], edits: Iterable[FileEdit]) -> dict[str, str]:
    """Return a new file map with every edit applied; all-or-nothing, the input is never changed."""
    edits = list(edits)
    if len(edits) > MAX_EDITS:
        raise UnsafeEditError(f"<{len(edits)} edits>", f"at most {MAX_EDITS} files may be edited at once")
    result = dict(files)
    for edit in edits:
        check_edit_path(edit.path, result)
        check_edit_content(edit)
        result[edit.path] = edit.content
    return result
