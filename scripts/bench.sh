#!/usr/bin/env bash
# Runs every benchmark program in the release build's bench/ folder and prints
# their figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
status=0
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "=== $(basename "$b")"
  "$b" || status=1
done
exit $status
