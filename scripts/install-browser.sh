#!/usr/bin/env bash
# Installs the browser the template console's tests drive (test/e2e/template-console.browser.test.ts):
# Debian's own Chromium at /usr/bin/chromium. Playwright's library drives it; nothing is downloaded
# from anywhere but the Debian archive. Does nothing when it is already installed.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version 2>/dev/null
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install Chromium at /usr/bin/chromium (the browser tests skip without it)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version 2>/dev/null
