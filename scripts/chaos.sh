#!/usr/bin/env bash
# The long chaos run of issue 13 against the sanitized test build in $1:
# three replicas on one PostgreSQL for PAYDOMAIN_CHAOS_SECONDS (default 30)
# with a replica killed -9 and a PostgreSQL outage of a third of the run, at
# most 5 s. `make test` runs the same test for 8 s.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/test}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export PAYDOMAIN_BIN="$PWD/$BUILD/cli/paydomain"
export PAYDOMAIN_CHAOS_SECONDS=${PAYDOMAIN_CHAOS_SECONDS:-30}
"$BUILD/tests/postgres/postgres_serve_tests" --gtest_filter='Chaos.*'
