#!/usr/bin/env bash
# HTTP benchmarks of `paydomain serve` on loopback, with wrk (Debian package):
#   1. single-context evaluate at head over keep-alive connections: req/s, p99
#   2. a batch of 1,000 contexts: server time per request (from the access log)
# (Resident memory per cached revision of a 10,000-rule domain, and start to
# /readyz: bench/server/bench_start.sh.)
# Usage: bench/server/bench_server.sh [BUILD_DIR]   (default build/release)
# Targets (issue 5): >= 20,000 req/s with p99 <= 10 ms on this 2-core machine
# (wrk included); batch of 1,000 <= 5 ms server time. Issue 11: server CPU
# (user + system, /proc/PID/stat) per single-context request <= 10 us.
# Issue 12: the embedded client's in-process evaluation of the same context
# (bench_client --context, CPU per evaluation) >= 30x cheaper than that.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
DURATION=${PAYDOMAIN_BENCH_SECONDS:-10}
CONNECTIONS=${PAYDOMAIN_BENCH_CONNECTIONS:-32}
BENCH_NAME=bench_server NEED_WRK=1
source bench/server/server.sh

# ---- 1 + 2: examples/acme ---------------------------------------------------
"$PD" init --db "$WORK/acme.db" --from examples/acme > /dev/null
READER=$("$PD" token create --db "$WORK/acme.db" --role reader --name bench 2>/dev/null)
CONTEXT=examples/acme/contexts/card_mastercard_rub_standard.json
start_server "$WORK/acme.db" "$WORK/acme.log" --no-access-log
URL="http://127.0.0.1:$PORT"
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$CONTEXT"):read("*a")
wrk.headers["Authorization"] = "Bearer $READER"
wrk.headers["Content-Type"] = "application/json"
LUA
# Warm up (compiles head once), then measure.
curl -sf -H "Authorization: Bearer $READER" --data @"$CONTEXT" "$URL/v1/revisions/head/evaluate" > /dev/null
wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/post.lua" "$URL/v1/revisions/head/evaluate" > /dev/null
CPU0=$(cpu_s)
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$URL/v1/revisions/head/evaluate" > "$WORK/wrk.txt"
CPU1=$(cpu_s)
REQS=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
P50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
ERRS=$(grep -E "Non-2xx|Socket errors" "$WORK/wrk.txt" || true)
stop_server

echo "single-context evaluate at head (wrk -t1 -c$CONNECTIONS, ${DURATION}s, server --threads 2, loopback):"
echo "  requests/s: $RPS   p50: $P50   p99: $P99   ${ERRS:-no errors}"
SERVER_US=$(awk -v a="$CPU0" -v b="$CPU1" -v n="$REQS" 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }')
awk -v us="$SERVER_US" 'BEGIN {
  printf "  server CPU per request: %.1f us (capacity %.0f req/s per core the server gets)\n", us, 1e6 / us;
  printf "  target server CPU per request <= 10 us: %s\n", (us <= 10 ? "met" : "NOT met") }'
# The same context evaluated in process by the client library, in this run.
CLIENT_BENCH="$PWD/$BUILD/bench/bench_client"
if [ -x "$CLIENT_BENCH" ]; then
  CLIENT_NS=$("$CLIENT_BENCH" --context "$CONTEXT" | awk '/^client_cpu_ns/ {print $2}')
  awk -v ns="$CLIENT_NS" -v us="$SERVER_US" 'BEGIN { r = us * 1000 / ns;
    printf "  the same context in process (client library, struct in, struct out): %.0f ns CPU; one HTTP evaluate: %.1f us server CPU\n", ns, us;
    printf "  client vs HTTP evaluate: %.0fx cheaper in CPU (target >= 30x): %s\n", r, (r >= 30 ? "met" : "NOT met") }'
else
  echo "  client vs HTTP evaluate: not measured (no $CLIENT_BENCH; configure with -DPAYDOMAIN_BENCH=ON)"
fi
echo "  load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
awk -v r="$RPS" 'BEGIN { printf "  target >= 20000 req/s: %s\n", (r >= 20000 ? "met" : "NOT met") }'
awk -v p="$P99" 'BEGIN { v = p + 0; if (p ~ /us$/) v /= 1000; else if (p ~ /s$/ && p !~ /ms$/) v *= 1000;
                         printf "  target p99 <= 10 ms: %s\n", (v <= 10 ? "met" : "NOT met") }'

# Batch of 1,000: the server's own time per request, from its access log
# (request fully received -> response ready; excludes loopback transfer).
start_server "$WORK/acme.db" "$WORK/batch.log"
URL="http://127.0.0.1:$PORT"
{
  printf '{"contexts": ['
  for i in $(seq 1 1000); do
    [ "$i" -gt 1 ] && printf ','
    sed "s/\"order-1001\"/\"order-$i\"/" "$CONTEXT" | tr -d '\n'
  done
  printf ']}'
} > "$WORK/batch.json"
curl -sf -o /dev/null -H "Authorization: Bearer $READER" --data-binary @"$WORK/batch.json" "$URL/v1/revisions/head/evaluate"
CPU0=$(cpu_s)
for _ in $(seq 1 24); do
  curl -sf -o /dev/null -H "Authorization: Bearer $READER" --data-binary @"$WORK/batch.json" "$URL/v1/revisions/head/evaluate"
done
CPU1=$(cpu_s)
stop_server
awk -v a="$CPU0" -v b="$CPU1" 'BEGIN { printf "batch of 1,000 contexts: server CPU %.2f ms per request (both threads together)\n", (b - a) * 1000 / 24 }'
grep '"route":"/v1/revisions/{rev}/evaluate"' "$WORK/batch.log" | grep -o '"duration_ms":[0-9.]*' | cut -d: -f2 | tail -20 |
  sort -n | awk '{ v[NR] = $1 } END {
    printf "batch of 1,000 contexts (server time, last 20 of 25 requests): median %.2f ms, max %.2f ms\n", v[int((NR + 1) / 2)], v[NR];
    printf "  target <= 5 ms: %s\n", (v[int((NR + 1) / 2)] <= 5 ? "met" : "NOT met") }'
