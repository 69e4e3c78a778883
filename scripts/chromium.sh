#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for the browser tests) and prints the export line
# for its path:
#
#   eval "$(scripts/chromium.sh)"   # installs Debian's chromium when absent
#
# The tests read EFFECT_OAUTH_CHROMIUM; with CI=true a browser test fails, rather than skips,
# when it is missing.
set -euo pipefail
bin=/usr/bin/chromium
if [ ! -x "$bin" ]; then
  echo "installing chromium (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) >&2
  else
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) >&2
  fi
fi
echo "export EFFECT_OAUTH_CHROMIUM=$bin"
