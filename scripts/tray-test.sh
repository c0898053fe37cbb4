#!/usr/bin/env bash
# Tests the tray for real: the systray adapter against a real engine, read
# and clicked over a private D-Bus session bus (no panel needed: the menu is
# a com.canonical.dbusmenu object). Needs the dbus package (dbus-run-session).
#   scripts/tray-test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
if ! command -v dbus-run-session >/dev/null; then
  echo "tray-test: dbus-run-session not found: apt-get install -y dbus" >&2
  exit 1
fi
# No -race: fyne.io/systray v1.12.2 races on its own globals in GetLayout.
exec dbus-run-session -- go test -tags desktop -count=1 -run 'TestTrayOverDBus' "$@" ./backend/tray
