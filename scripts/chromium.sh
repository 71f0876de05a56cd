#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests when it is missing (Playwright drives it;
# no browser is downloaded by Playwright itself). apt and dpkg output goes to
# $ENGINE_SETUP_LOG (default /tmp/engine-setup.log).
set -euo pipefail
LOG="${ENGINE_SETUP_LOG:-/tmp/engine-setup.log}"
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ]; then
  echo "Installing Chromium from Debian's packages (log: $LOG)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >>"$LOG" 2>&1 || echo "chromium could not be installed (see $LOG): browser tests will be skipped" >&2
else
  echo "chromium is missing and this user cannot install it: browser tests will be skipped" >&2
fi
