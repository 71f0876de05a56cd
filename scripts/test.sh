#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install, start a private PostgreSQL (stopped
# again at the end, also on failure), install Debian's Chromium for the browser tests, lint,
# check the shipped rules, pytest on two workers per core (pytest-xdist, work stealing: an idle
# worker takes tests queued for another, so one long module no longer ends the run alone; a
# second worker per core runs while the first waits on a subprocess, a socket or a browser; each
# worker has its own scratch folder, databases and free ports; ENGINE_TEST_WORKERS overrides).
# Arguments go to pytest (scripts/test.sh -k phrases).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
eval "$(bash scripts/postgres.sh)"
if [ "${ENGINE_TEST_PG_STARTED:-0}" = 1 ]; then
  trap 'bash scripts/postgres.sh stop' EXIT
fi
bash scripts/chromium.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/engine check --rules rules >/dev/null
# Compiled bytecode, pytest's rewritten test modules included, is kept under .venv/pycache (not
# in the checkout) and reused by every worker and subprocess, also where the shell sets
# PYTHONDONTWRITEBYTECODE (each process would otherwise compile the engine and tests again).
export PYTHONPYCACHEPREFIX="$PWD/.venv/pycache"
unset PYTHONDONTWRITEBYTECODE
workers="${ENGINE_TEST_WORKERS:-$(( $(nproc) * 2 ))}"
.venv/bin/python -m pytest -q -n "$workers" --dist worksteal "$@"
