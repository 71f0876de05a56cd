#!/usr/bin/env bash
# Create .venv and install the engine with its test tools (idempotent, quiet).
#
# The interpreter: $PYTHON when set; else Debian's /usr/bin/python3 when it is a version the
# engine supports (pyproject.toml: 3.11 or 3.12) and can make a venv; else python3 from PATH.
# Debian builds CPython with profile-guided and link-time optimisation and links it statically;
# an interpreter built without them (pyenv's default build, first on this machine's PATH) runs
# the engine's code with about 15 % more instructions (docs/benchmarks.md, "eleventh session").
set -euo pipefail
cd "$(dirname "$0")/.."
supported='import sys, venv, ensurepip; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))'
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "$supported" 2>/dev/null
then
  PYTHON=/usr/bin/python3
fi
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 \
  | grep -v -e "^WARNING: Location" -e "is ignored" || true
.venv/bin/engine --help >/dev/null
