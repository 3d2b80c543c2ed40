#!/usr/bin/env bash
# Set up everything the test suite needs, then run lint, type checks and the whole suite.
# Arguments go to pytest: `bash scripts/test.sh -m "not slow"` is the quick subset (~30 s) after the checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fixtures.sh
source scripts/postgres.sh   # starts a throwaway PostgreSQL on 127.0.0.1, exports AUTOPILOT_TEST_POSTGRES_URL
trap stop_test_postgres EXIT
.venv/bin/ruff check agents bot tests bench
.venv/bin/mypy
.venv/bin/lint-imports --no-cache   # the import contracts in pyproject.toml
set +e
.venv/bin/pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
exit $status
