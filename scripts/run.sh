#!/usr/bin/env bash
# Main job on the embedded defaults (SQLite var/engine.db, local mail sink, dashboard):
#   scripts/run.sh [YYYY-MM-DD]
# 1. installs the engine and validates the rule files;
# 2. prints the summary and the status table as of the date (default: today in Vietnam);
# 3. runs that day's follow-up: reminders and escalations are sent to a local SMTP server on
#    127.0.0.1 that saves each as a .eml file under var/mail/ (each carries the unit's link);
# 4. creates a local officer account (printed below) and serves the dashboard on
#    http://127.0.0.1:8000/ with the scheduler and the mail sink, until Ctrl+C.
#    Set ENGINE_RUN_NO_SERVE=1 to stop after step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
AS_OF=()
if [ "$#" -ge 1 ]; then AS_OF=(--as-of "$1"); fi
.venv/bin/engine check
.venv/bin/engine summary "${AS_OF[@]}"
.venv/bin/engine status "${AS_OF[@]}"
.venv/bin/engine demo "${AS_OF[@]}"
echo "Emails: $(ls var/mail/*.eml 2>/dev/null | wc -l) .eml files in var/mail/"
if [ "${ENGINE_RUN_NO_SERVE:-0}" = 1 ]; then exit 0; fi
PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')"
ENGINE_NEW_PASSWORD="$PASSWORD" .venv/bin/engine user add --username vanphong --full-name "Văn phòng Bộ (dùng thử)"
echo "Dashboard login: vanphong / $PASSWORD"
echo "A unit's link: open any .eml in var/mail/ and follow 'Báo cáo tiến độ' (http://127.0.0.1:8000/u/...)."
exec .venv/bin/engine serve --mail-sink
