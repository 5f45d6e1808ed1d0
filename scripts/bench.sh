#!/usr/bin/env bash
# Runs every benchmark program in the release build's bench/ folder, then the
# benchmark scripts bench/*/bench_*.sh (HTTP load with wrk), and prints their
# figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
status=0
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "=== $(basename "$b")"
  "$b" || status=1
done
# Benchmarks that drive a running server (bench/<area>/*.sh), given the build.
for s in bench/*/bench_*.sh; do
  [ -f "$s" ] || continue
  echo "=== $(basename "$s")"
  bash "$s" "$BUILD" || status=1
done
exit $status
