#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests when it is missing (Playwright drives it;
# no browser is downloaded by Playwright itself).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 \
    || echo "chromium could not be installed: browser tests will be skipped" >&2
else
  echo "chromium is missing and this user cannot install it: browser tests will be skipped" >&2
fi
