#!/usr/bin/env bash
# Bundles the web app into web/dist (served by the gateway at "/").
# Uses the Debian packages of esbuild, React and Chart.js; NODE_PATH points esbuild at them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
rm -rf dist
mkdir -p dist
NODE_PATH=/usr/share/nodejs esbuild src/main.tsx \
    --bundle --minify --sourcemap --target=es2020 \
    --define:process.env.NODE_ENV='"production"' \
    --log-level=warning \
    --outfile=dist/app.js
cp index.html app.css favicon.svg dist/
ls -l dist
