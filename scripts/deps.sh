#!/usr/bin/env bash
# Installs what building and testing Routex needs and is missing: Debian
# packages (GTK/WebKitGTK for the desktop build, Xvfb and D-Bus for desktop
# tests, Chromium for browser tests, PostgreSQL for the team-database tests,
# which start a throwaway server of their own, nginx for the team gateway's
# load balancer check), Go modules and npm packages.
# Safe to run again: it installs only what is absent.
#   scripts/deps.sh          everything
#   scripts/deps.sh build    only what building the desktop binary needs
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-all}
pkgs_build=(pkg-config build-essential libgtk-3-dev libwebkit2gtk-4.1-dev)
pkgs_test=(xvfb xauth dbus dbus-x11 xdotool imagemagick chromium fonts-noto-cjk tmux shellcheck desktop-file-utils)
pkgs_test+=(postgresql nginx-light gettext-base python3-yaml)
pkgs=("${pkgs_build[@]}")
[ "$want" = all ] && pkgs+=("${pkgs_test[@]}")

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing Debian packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "deps: not a Debian/Ubuntu system; install ${pkgs[*]} yourself" >&2
fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    echo "deps: Go is at /usr/local/go/bin; add it to PATH" >&2
  else
    echo "deps: Go 1.26 or newer is required (https://go.dev/dl/)" >&2
  fi
  exit 1
fi

go mod download

# actionlint checks .github/workflows (make lint-workflows); with shellcheck
# present it also checks the workflows' shell steps.
if [ "$want" = all ] && ! command -v actionlint >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/actionlint" ]; then
  echo "deps: installing actionlint"
  go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7
fi

if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  echo "deps: installing npm packages"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi
