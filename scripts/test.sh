#!/usr/bin/env bash
# Runs every test of the project against the sanitized test build in $1:
# unit and integration tests through CTest (they find the built binaries
# themselves), then the browser tests when the web editor exists.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/test}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export PAYDOMAIN_BIN="$PWD/$BUILD/cli/paydomain"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" --timeout 600
if [ -f web_editor/package.json ] && [ -f web_editor/tests/run.sh ]; then
  bash web_editor/tests/run.sh "$PAYDOMAIN_BIN"
fi
