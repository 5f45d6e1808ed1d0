#!/usr/bin/env bash
# Browser tests of the web editor: real Chromium (Debian's), real
# `paydomain serve` on a temporary store, started and stopped by the tests.
#   web_editor/tests/run.sh path/to/paydomain
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 path/to/paydomain" >&2
  exit 2
fi
BIN=$(realpath "$1")
# The editor needs `paydomain serve`: a binary without it is a broken build,
# not a reason to pass.
if ! "$BIN" --help 2>/dev/null | grep -qE '^[[:space:]]+serve[[:space:]]'; then
  echo "web_editor tests: $BIN has no 'serve' command (or does not run)" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  echo "web_editor tests: Debian's chromium is missing (scripts/setup.sh installs it)" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
# The strict type check (tsconfig.json) of the sources, generated ones included
# (build writes them): a type error fails the tests.
npx --no-install tsc --noEmit -p .
export PAYDOMAIN_BIN="$BIN"
exec node --test tests/unit.test.mjs tests/imports.test.mjs tests/contract.test.mjs tests/editor.test.mjs tests/drafts.test.mjs tests/conflict.test.mjs tests/install.test.mjs tests/navigate.test.mjs tests/refactor.test.mjs tests/tables.test.mjs
