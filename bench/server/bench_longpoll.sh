#!/usr/bin/env bash
# How soon a long-poll (GET /v1/head?wait_after=N) learns of a revision
# committed by another process (the CLI) on the same store: 20 rounds of
# "a waiter is parked (paydomain_head_waiters), the CLI commits, the waiter
# answers". Prints the time from the revision's own timestamp (taken inside
# the commit, before its writes and fsync) to the answer, median and max.
# Usage: bench/server/bench_longpoll.sh [BUILD_DIR] [serve flags...]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
shift || true
ROUNDS=${PAYDOMAIN_BENCH_ROUNDS:-20}
BENCH_NAME=bench_longpoll
source bench/server/server.sh

"$PD" init --db "$WORK/s.db" --from examples/acme > /dev/null
READER=$("$PD" token create --db "$WORK/s.db" --role reader --name bench 2>/dev/null)
start_server "$WORK/s.db" "$WORK/log" --no-access-log "$@"
URL="http://127.0.0.1:$PORT"
"$PD" checkout head --db "$WORK/s.db" -o "$WORK/wc" > /dev/null
waiters() { curl -sf "$URL/metrics" | awk '$1 == "paydomain_head_waiters" { print $2 }'; }

LAT=()
for i in $(seq 1 "$ROUNDS"); do
  HEAD=$(curl -sf -H "Authorization: Bearer $READER" "$URL/v1/head" | grep -o '"revision":[0-9]*' | grep -o '[0-9]*$')
  ( curl -sf -H "Authorization: Bearer $READER" "$URL/v1/head?wait_after=$HEAD&timeout_s=30" > "$WORK/answer"
    now_us > "$WORK/answered" ) &
  POLL=$!
  for _ in $(seq 1 500); do [ "$(waiters)" = "1" ] && break; sleep 0.01; done
  echo "category lp$i { name \"round $i\" }" >> "$WORK/wc/reference.pd"
  "$PD" commit "$WORK/wc" --db "$WORK/s.db" -m "round $i" > /dev/null
  wait "$POLL"
  MADE_MS=$(grep -o '"time_ms":[0-9]*' "$WORK/answer" | grep -o '[0-9]*$')
  LAT+=( $(( $(cat "$WORK/answered") - MADE_MS * 1000 )) )
done
printf '%s\n' "${LAT[@]}" | sort -n | awk -v n="$ROUNDS" '
  { v[NR] = $1 }
  END { printf "CLI commit (its timestamp) -> long-poll answer (%d rounds): median %.1f ms, max %.1f ms\n", n, v[int((n + 1) / 2)] / 1000, v[n] / 1000 }'
