#!/usr/bin/env bash
# Start a private PostgreSQL server for the tests (installing it from Debian if needed) and
# print its URL. Usage: eval "$(scripts/postgres.sh)"  → exports ENGINE_TEST_POSTGRES_URL.
set -euo pipefail
PORT="${PGPORT_TEST:-55432}"
ROOT="${PGROOT_TEST:-/tmp/engine-test-pg}"
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/postgres" ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    BIN="$(find_bin)"
  fi
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/postgres" ]; then
  echo "echo 'PostgreSQL is not available: PostgreSQL tests will be skipped' >&2"
  exit 0
fi
RUN=()
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1; then
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  [ "$(id -u)" = 0 ] && chown postgres "$ROOT"
  "${RUN[@]}" "$BIN/initdb" -D "$ROOT/data" -U engine --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${RUN[@]}" "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/log" -w \
    -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  "${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U engine engine_test
fi
echo "export ENGINE_TEST_POSTGRES_URL=postgresql+psycopg://engine@127.0.0.1:$PORT/engine_test"
