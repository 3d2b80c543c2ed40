"""docs/troubleshooting.md quotes the program's own messages: each quote must still be in the code."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SOURCES = "\n".join(p.read_text() for d in ("agents", "bot") for p in sorted((ROOT / d).rglob("*.py")))
# Fixed parts of the messages the page quotes (the variable parts are left out).
QUOTED = [
    "rejected webhook with %s signature",
    "missing or invalid X-Hub-Signature-256",
    "AUTOPILOT_WEBHOOK_SECRET is not set: ",
    "check the App's permissions and installation",
    "not found (deleted, or the App cannot see it)",
    '"apps.get_repo_installation"',
    "not a postgresql:// URL: workers share jobs through PostgreSQL",
    "is not supported; use sqlite:///path/autopilot.db or a file path",
    "; check AUTOPILOT_DATABASE_URL and that the server is up",
    "is not migrated (missing: ",
    "is not a Helm engine: use 'cli', 'sdk' or leave it unset",
    "=cli but no `helm` binary is on PATH: install Helm 3+ or use the SDK engine",
]


@pytest.mark.parametrize("fragment", QUOTED)
def test_quoted_message_is_still_what_the_code_says(fragment: str) -> None:
    assert fragment in SOURCES


def test_the_page_quotes_them() -> None:
    page = (ROOT / "docs/troubleshooting.md").read_text().replace("%s", "a bad")
    for fragment in QUOTED:
        shown = fragment.strip('"').replace("%s", "a bad")
        assert shown.split(":")[0].strip() in page, fragment
