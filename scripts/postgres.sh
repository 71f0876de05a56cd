#!/usr/bin/env bash
# A private PostgreSQL server for the tests, installed from Debian's packages when missing.
#   eval "$(scripts/postgres.sh)"       start it (if not running) and export
#                                       ENGINE_TEST_POSTGRES_URL (and ENGINE_TEST_PG_STARTED=1
#                                       when this call started it)
#   scripts/postgres.sh stop            stop it
# apt and dpkg output goes to $ENGINE_SETUP_LOG (default /tmp/engine-setup.log).
set -euo pipefail
PORT="${PGPORT_TEST:-55432}"
ROOT="${PGROOT_TEST:-/tmp/engine-test-pg}"
LOG="${ENGINE_SETUP_LOG:-/tmp/engine-setup.log}"
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
RUN=()
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); fi
BIN="$(find_bin)"
if [ "${1:-start}" = stop ]; then
  if [ -n "$BIN" ] && [ -d "$ROOT/data" ]; then
    "${RUN[@]}" "$BIN/pg_ctl" -D "$ROOT/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  exit 0
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/postgres" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing PostgreSQL from Debian's packages (log: $LOG)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
      >>"$LOG" 2>&1 || echo "PostgreSQL could not be installed (see $LOG)" >&2
    BIN="$(find_bin)"
  fi
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/postgres" ]; then
  echo "echo 'PostgreSQL is not available: PostgreSQL tests will be skipped' >&2"
  exit 0
fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1; then
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  [ "$(id -u)" = 0 ] && chown postgres "$ROOT"
  "${RUN[@]}" "$BIN/initdb" -D "$ROOT/data" -U engine --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # A throwaway server: no fsync, and only the WAL needed for crash recovery (wal_level=minimal,
  # which needs max_wal_senders=0), so the tests' CREATE DATABASE ... STRATEGY FILE_COPY copies
  # its template without logging it.
  "${RUN[@]}" "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/log" -w \
    -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=minimal -c max_wal_senders=0" start >/dev/null
  "${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U engine engine_test
  echo "export ENGINE_TEST_PG_STARTED=1"
fi
echo "export ENGINE_TEST_POSTGRES_URL=postgresql+psycopg://engine@127.0.0.1:$PORT/engine_test"
