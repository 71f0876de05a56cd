#!/usr/bin/env bash
# Main job on the embedded defaults (SQLite var/engine.db, local mail sink):
#   scripts/run.sh [YYYY-MM-DD]
# installs the engine, validates the rule files, prints the summary and the status table as of
# the date (default: today in Vietnam), then runs that day's follow-up: the reminders and
# escalations due are enqueued and sent to a local SMTP server on 127.0.0.1 that saves each
# one as a .eml file under var/mail/ (open them with any mail client).
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
