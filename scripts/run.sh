#!/usr/bin/env bash
# Main job on the embedded defaults (SQLite var/engine.db, local mail sink, dashboard):
#   scripts/run.sh [YYYY-MM-DD]
# The date (default: today in Vietnam) is exported as ENGINE_TODAY, so every step below, the
# daemon's scheduler and catch-up, the dashboard, the unit link pages and `engine health`
# included, behaves as on that day.
# 1. installs the engine and validates the rule files;
# 2. prints the summary and the ten longest-overdue obligations as of the day;
# 3. runs that day's follow-up: reminders and escalations go to a local SMTP server on 127.0.0.1
#    that saves each as a .eml file under var/mail/DAY/ (each carries the unit's link);
# 4. creates a local officer account and serves the dashboard on http://127.0.0.1:8000/ with
#    the scheduler and the mail sink (logs in var/log/serve.log), then prints the login, the
#    dashboard address and one unit's link, until Ctrl+C. ENGINE_RUN_NO_SERVE=1 stops after 3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -ge 1 ]; then export ENGINE_TODAY="$1"; fi
ENGINE=.venv/bin/engine
DAY="$("$ENGINE" health --format json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["today"])')"
export ENGINE_MAIL_DIR="var/mail/$DAY"
export ENGINE_LOG_LEVEL="${ENGINE_LOG_LEVEL:-WARNING}"
"$ENGINE" check
"$ENGINE" summary
"$ENGINE" status --status overdue --limit 10
echo "Toàn bộ tình trạng: ENGINE_TODAY=$DAY $ENGINE status (hoặc --format csv > tinh-trang.csv)"
"$ENGINE" demo
echo "Thư đã gửi: $(find "$ENGINE_MAIL_DIR" -name '*.eml' | wc -l) tệp .eml trong $ENGINE_MAIL_DIR/"
if [ "${ENGINE_RUN_NO_SERVE:-0}" = 1 ]; then exit 0; fi

PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')"
ENGINE_NEW_PASSWORD="$PASSWORD" "$ENGINE" user add --username vanphong \
  --full-name "Văn phòng Bộ (dùng thử)" >/dev/null
mkdir -p var/log
"$ENGINE" serve --mail-sink >>var/log/serve.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; exit 0' INT TERM
URL="${ENGINE_BASE_URL:-http://127.0.0.1:${ENGINE_WEB_PORT:-8000}}"
.venv/bin/python - "$URL/" "$SERVER" <<'PY'
import os, sys, time, urllib.error, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
for _ in range(600):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # any HTTP answer: the server is listening
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("engine serve stopped: see var/log/serve.log")
        time.sleep(0.2)
sys.exit("engine serve did not start listening: see var/log/serve.log")
PY
cat <<TEXT

Ngày làm việc: $(date -d "$DAY" +%d/%m/%Y) (ENGINE_TODAY=$DAY) · nhật ký máy chủ: var/log/serve.log · thư: $ENGINE_MAIL_DIR/
Trang theo dõi: $URL/
Đăng nhập:      vanphong / $PASSWORD
Đường dẫn của Văn phòng Bộ (như nút «Cập nhật tiến độ» trong thư): $("$ENGINE" link van-phong-bo)
Nhấn Ctrl+C để dừng.
TEXT
wait "$SERVER"
