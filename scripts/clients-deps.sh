#!/usr/bin/env bash
# Installs the pinned real agents and SDKs that `make test-clients` runs
# (testclients/package.json and its lock) into build/clients, once: again
# only when the lock changes. Claude Code's native binary comes from its
# platform package; its install.cjs links it when npm skipped the script.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=build/clients
mkdir -p "$dest"
# `npm install` with the lock, not `npm ci`: the lock names optional
# platform packages that were never published (Qwen Code's clipboard
# helper), which `npm ci` refuses as "missing from lock file".
stamp="$dest/.installed-lock"
if ! cmp -s testclients/package-lock.json "$stamp" || [ ! -d "$dest/node_modules" ]; then
  echo "clients-deps: installing the pinned agents and SDKs into $dest"
  cp testclients/package.json testclients/package-lock.json "$dest/"
  (cd "$dest" && npm install --no-audit --no-fund --no-save --loglevel=error)
  cp testclients/package-lock.json "$stamp"
fi

if ! "$dest/node_modules/.bin/claude" --version >/dev/null 2>&1; then
  echo "clients-deps: linking Claude Code's native binary"
  (cd "$dest/node_modules/@anthropic-ai/claude-code" && node install.cjs)
fi
# npm drops the exec bit of Qwen Code's vendored ripgrep; without it Qwen
# Code warns on stderr and falls back to a slower grep.
find "$dest/node_modules/@qwen-code/qwen-code/vendor" -type f -name rg -exec chmod +x {} + 2>/dev/null || true
for bin in claude gemini qwen codex; do
  if [ ! -x "$dest/node_modules/.bin/$bin" ]; then
    echo "clients-deps: $bin is missing from $dest/node_modules/.bin" >&2
    exit 1
  fi
done
