#!/usr/bin/env bash
# Type-checks the web app with the system TypeScript (no node_modules: see tsconfig.json).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
tsc --noEmit -p tsconfig.json
echo "web: type check passed"
