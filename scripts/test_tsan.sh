#!/usr/bin/env bash
# The ThreadSanitizer pass of `make test`: the concurrent parts of the server
# and the store (worker pools, the single-flight compiled cache, the head
# watcher, the token cache, the transport's sessions) under TSan.
#   $1  the TSan build (paydomain, server_unit_tests, store_tests, store_backend_tests,
#       follower_tests)
#   $2  the test build, whose end-to-end server tests drive the TSan server
# Any race report fails the pass and is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
TSAN=${1:-build/tsan}
TESTBUILD=${2:-build/test}
reports=$(mktemp -d /tmp/paydomain-tsan.XXXXXX)
trap 'rm -rf "$reports"' EXIT
export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$reports/report"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
echo "tsan: in-process server and store tests"
"$TSAN/tests/server/server_unit_tests" --gtest_brief=1 || status=1
"$TSAN/tests/domain_store/store_tests" --gtest_brief=1 || status=1
"$TSAN/tests/postgres/store_backend_tests" --gtest_brief=1 || status=1
echo "tsan: the follower and the example core against a TSan server"
PAYDOMAIN_BIN="$PWD/$TSAN/cli/paydomain" "$TSAN/tests/follower/follower_tests" --gtest_brief=1 || status=1
echo "tsan: the end-to-end server tests against a TSan server"
PAYDOMAIN_BIN="$PWD/$TSAN/cli/paydomain" ctest --test-dir "$TESTBUILD" --output-on-failure -j "$(nproc)" \
  --timeout 600 -R '^(Api|Writes|WriteIsolation|Load|Hardening|Framing|Connections|Shutdown)\.|^postgres_serve_tests$' || status=1

if compgen -G "$reports/report*" >/dev/null; then
  cat "$reports"/report*
  echo "tsan: ThreadSanitizer found the races above"
  exit 1
fi
[ "$status" -eq 0 ] || { echo "tsan: tests failed"; exit 1; }
echo "tsan: no races"
