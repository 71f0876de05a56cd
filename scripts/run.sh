#!/usr/bin/env bash
# Main job on the embedded defaults: install, validate the rule files, and print the status
# table from the SQLite file var/engine.db. Extra arguments go to `engine status`
# (for example: scripts/run.sh --as-of 2023-06-21 --plan 522).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/engine check
.venv/bin/engine summary "$@"
.venv/bin/engine status "$@"
