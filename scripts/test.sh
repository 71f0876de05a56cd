#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install, start PostgreSQL, install Debian's
# Chromium for the browser tests, lint, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
eval "$(bash scripts/postgres.sh)"
bash scripts/chromium.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/engine check --rules rules >/dev/null
.venv/bin/python -m pytest -q "$@"
