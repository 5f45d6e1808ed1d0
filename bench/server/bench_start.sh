#!/usr/bin/env bash
# Start of `paydomain serve` to /readyz with a 10,000-rule head
# (bench/support/generated_domains.h fee_rules_domain(10000)), on SQLite and
# on PostgreSQL (a throwaway local cluster), side by side in one run:
#   - loading the artifact stored with the head revision (docs/store.md),
#   - compiling it from source (the stored artifacts deleted first);
# then resident memory per cached revision: 10 revisions of that domain
# evaluated on one server, (RSS after - RSS with head only) / 9.
# Target (issue 12): start to /readyz <= 1 s with stored artifacts.
# Usage: bench/server/bench_start.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
BENCH_NAME=bench_start
source bench/server/server.sh
on_exit() { stop_postgres; }
GEN="$WORK/gen.pd"
fee_rules_pd "$GEN" 10000
start_postgres

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
metric() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
# ready_ms DB: starts a server, prints ms from its start to the first 200 of
# /readyz, its compiles and artifact loads; stops it.
ready_ms() {
  local t0 t1
  t0=$(now_us)
  start_server "$1" "$WORK/start.log" --no-access-log
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz"; do sleep 0.005; done
  t1=$(now_us)
  echo "$(( (t1 - t0) / 1000 )) $(metric paydomain_revision_compiles_total) $(metric paydomain_artifact_loads_total)"
  stop_server
}
drop_artifacts() {
  case "$1" in
    postgresql:*) psql -q "$1" -c "DELETE FROM artifacts" ;;
    *) sqlite3 "$1" "DELETE FROM artifacts" ;;
  esac
}

echo "start to /readyz, 10,000-rule head ($(wc -c < "$GEN") bytes of source):"
for STORE in sqlite postgresql; do
  if [ "$STORE" = sqlite ]; then DBX="$WORK/big.db"; else DBX="$DB"; fi
  T0=$(now_us)
  "$PD" init --db "$DBX" --from "$GEN" > /dev/null
  T1=$(now_us)
  # $(...) waits for the server's stop (a process substitution would not).
  read -r STORED_MS C1 L1 <<< "$(ready_ms "$DBX")"
  drop_artifacts "$DBX"
  read -r COMPILE_MS C2 L2 <<< "$(ready_ms "$DBX")"
  read -r AGAIN_MS C3 L3 <<< "$(ready_ms "$DBX")"  # the compiling start stored it again
  awk -v s="$STORE" -v a="$STORED_MS" -v b="$COMPILE_MS" -v c="$AGAIN_MS" -v i=$(( (T1 - T0) / 1000 )) \
      -v c1="$C1" -v l1="$L1" -v c2="$C2" -v l2="$L2" -v c3="$C3" -v l3="$L3" 'BEGIN {
    printf "  %-10s stored artifact %5d ms (%d compiles, %d loads)   compiling %5d ms (%d compiles, %d loads)   ratio %.1fx\n",
      s, a, c1, l1, b, c2, l2, b / (a > 0 ? a : 1);
    printf "  %-10s after the compiling start stored it: %d ms (%d compiles); init (commit + artifact) %d ms\n", "", c, c3, i;
    printf "  %-10s target <= 1000 ms with stored artifacts: %s\n", "", (a <= 1000 ? "met" : "NOT met") }'
done

# ---- resident memory per cached revision ------------------------------------
# Nine more revisions committed through one server, then a fresh server (so
# the commits' compiles are not in its memory): RSS with head only, then
# with revisions 1..10 loaded.
start_server "$WORK/big.db" "$WORK/commit.log" --no-access-log
EDITOR=$("$PD" token create --db "$WORK/big.db" --role editor --name bench 2>/dev/null)
for i in $(seq 2 10); do
  curl -sf -o /dev/null -H "Authorization: Bearer $EDITOR" \
    --data "{\"base\": $((i - 1)), \"message\": \"rev $i\", \"ops\": [{\"op\": \"update\", \"kind\": \"category\", \"id\": \"cat0\", \"text\": \"category cat0 { name \\\"v$i\\\" }\"}]}" \
    "http://127.0.0.1:$PORT/v1/commits"
done
stop_server
start_server "$WORK/big.db" "$WORK/mem.log" --no-access-log
URL="http://127.0.0.1:$PORT"
BASE_RSS=$(rss_kb)
CTX='{"tariff": "big", "amount": {"amount": 112345, "currency": "RUB"}, "category": "cat0", "risk": "low", "payment_tool": {"kind": "bank_card", "payment_system": "ps0"}}'
for i in $(seq 1 10); do
  curl -sf -o /dev/null -H "Authorization: Bearer $EDITOR" --data "$CTX" "$URL/v1/revisions/$i/evaluate"
done
RSS=$(rss_kb)
CACHE=$(metric paydomain_compiled_cache_bytes)
COMPILES=$(metric paydomain_revision_compiles_total)
LOADS=$(metric paydomain_artifact_loads_total)
stop_server
awk -v r="$RSS" -v b="$BASE_RSS" -v c="$CACHE" -v n="$COMPILES" -v l="$LOADS" 'BEGIN {
  printf "memory: 10 cached revisions of the 10,000-rule domain (%d loaded from stored artifacts, %d compiled):\n", l, n;
  printf "  resident %.1f MiB (%.1f MiB with head only): %.1f MiB per revision; cache estimate %.1f MiB (%.1f MiB each)\n",
    r / 1024, b / 1024, (r - b) / 1024 / 9, c / 1048576, c / 1048576 / 10 }'
