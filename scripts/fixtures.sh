#!/usr/bin/env bash
# Install the npm fixtures the tests read (real GitHub webhook payloads and GitHub's REST description),
# pinned by package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/npm"
if [ ! -d node_modules/@octokit/webhooks-examples ] || [ ! -d node_modules/@octokit/openapi ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
