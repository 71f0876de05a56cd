#!/usr/bin/env bash
# Create .venv and install the engine with its test tools (idempotent, quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 \
  | grep -v -e "^WARNING: Location" -e "is ignored" || true
.venv/bin/engine --help >/dev/null
