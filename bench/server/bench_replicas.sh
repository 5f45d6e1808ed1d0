#!/usr/bin/env bash
# `paydomain serve` replicas on one PostgreSQL (a throwaway local cluster,
# unix socket only, run as paydomain-pg when root):
#   1. head propagation: a commit through replica A (HTTP) -> a long-poll
#      parked on replica B answers; from the revision's own timestamp to the
#      answer, median and max over ROUNDS (target p99 <= 100 ms);
#   2. evaluation at head on 1 replica vs on 3 replicas at once (wrk):
#      requests/s and server CPU per request, which must not grow with the
#      number of replicas (evaluations do not touch the store);
#   3. commits over HTTP through 1 replica vs 3 (wrk, the same 12
#      connections in all, each commit inserting a new object on an old
#      base, so every one is rebased, none conflicts): commits/s, and the
#      revisions made against the commits acknowledged.
# Usage: bench/server/bench_replicas.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
ROUNDS=${PAYDOMAIN_BENCH_ROUNDS:-20}
DURATION=${PAYDOMAIN_BENCH_SECONDS:-5}
BENCH_NAME=bench_replicas NEED_WRK=1
source bench/server/server.sh
on_exit() { stop_postgres; }
start_postgres

"$PD" init --db "$DB" --from examples/acme > /dev/null
READER=$("$PD" token create --db "$DB" --role reader --name bench 2>/dev/null)
EDITOR=$("$PD" token create --db "$DB" --role editor --name bench 2>/dev/null)
# start_replica NAME: a server on the database; sets PORT_<NAME>.
start_replica() {
  start_server "$DB" "$WORK/$1.log" --no-access-log
  eval "PORT_$1=$PORT"
}

start_replica A
start_replica B
A="http://127.0.0.1:$PORT_A"; B="http://127.0.0.1:$PORT_B"
waiters() { curl -sf "$B/metrics" | awk '$1 == "paydomain_head_waiters" { print $2 }'; }

# ---- 1: head propagation A -> B ----------------------------------------------
LAT=(); AFTER_ACK=()
for i in $(seq 1 "$ROUNDS"); do
  HEAD=$(curl -sf -H "Authorization: Bearer $READER" "$B/v1/head" | grep -o '"revision":[0-9]*' | grep -o '[0-9]*$')
  ( curl -sf -H "Authorization: Bearer $READER" "$B/v1/head?wait_after=$HEAD&timeout_s=30" > "$WORK/answer"
    now_us > "$WORK/answered" ) &
  POLL=$!
  for _ in $(seq 1 500); do [ "$(waiters)" = "1" ] && break; sleep 0.01; done
  curl -sf -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' "$A/v1/commits" \
    -d "{\"base\": $HEAD, \"message\": \"round $i\", \"ops\": [{\"op\": \"insert\", \"kind\": \"category\", \"id\": \"r$i\", \"text\": \"category r$i { name \\\"R\\\" }\"}]}" > /dev/null
  ACKED=$(now_us)
  wait "$POLL"
  MADE_MS=$(grep -o '"time_ms":[0-9]*' "$WORK/answer" | grep -o '[0-9]*$')
  ANSWERED=$(cat "$WORK/answered")
  LAT+=( $(( ANSWERED - MADE_MS * 1000 )) )
  AFTER_ACK+=( $(( ANSWERED > ACKED ? ANSWERED - ACKED : 0 )) )
done
summary() {  # label, values (us)
  local label=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v n="$#" -v label="$label" '
    { v[NR] = $1 }
    END { i90 = int(n * 0.9); if (i90 < 1) i90 = 1; i99 = int(n * 0.99); if (i99 < 1 || n < 100) i99 = n;
          met = "NOT met"; if (v[i99] <= 100000) met = "met";
          printf "%s (%d rounds): median %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= 100 ms: %s)\n",
          label, n, v[int((n + 1) / 2)] / 1000, v[i90] / 1000, v[i99] / 1000, v[n] / 1000, met }'
}
summary "commit on replica A (its timestamp, before its write and fsync) -> long-poll on replica B answers" "${LAT[@]}"
summary "commit acknowledged by replica A -> long-poll on replica B answers" "${AFTER_ACK[@]}"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# ---- 2: evaluations on 1 replica vs 3 ---------------------------------------
CONTEXT=examples/acme/contexts/card_mastercard_rub_standard.json
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$CONTEXT"):read("*a")
wrk.headers["Authorization"] = "Bearer $READER"
wrk.headers["Content-Type"] = "application/json"
LUA
# measure URL... : wrk on each URL at once; prints total req/s and CPU us/request.
measure() {
  local pids=() i=0 url
  for url in "$@"; do  # warm up: compiles head once
    curl -sf -H "Authorization: Bearer $READER" --data @"$CONTEXT" "$url/v1/revisions/head/evaluate" > /dev/null
  done
  local before after total=0 reqs=0
  before=0; for p in "${SERVER_PIDS[@]}"; do before=$(awk -v a="$before" -v b="$(cpu_s "$p")" 'BEGIN { print a + b }'); done
  for url in "$@"; do
    wrk -t1 -c16 -d"${DURATION}s" -s "$WORK/post.lua" "$url/v1/revisions/head/evaluate" > "$WORK/wrk.$i.txt" &
    pids+=($!); i=$((i + 1))
  done
  wait "${pids[@]}"
  after=0; for p in "${SERVER_PIDS[@]}"; do after=$(awk -v a="$after" -v b="$(cpu_s "$p")" 'BEGIN { print a + b }'); done
  for f in "$WORK"/wrk.*.txt; do
    reqs=$((reqs + $(awk '/requests in/ {print $1}' "$f")))
    total=$(awk -v a="$total" -v b="$(awk '/Requests\/sec/ {print $2}' "$f")" 'BEGIN { print a + b }')
    grep -E "Non-2xx|Socket errors" "$f" || true
  done
  rm -f "$WORK"/wrk.*.txt
  awk -v n="$#" -v t="$total" -v a="$before" -v b="$after" -v r="$reqs" 'BEGIN {
    printf "  %d replica(s): %.0f req/s in all, %.0f per replica; server CPU per request %.1f us\n", n, t, t / n, (b - a) * 1e6 / r }'
}
echo "evaluate at head, wrk -t1 -c16 per replica, ${DURATION}s, $(nproc) cores shared by wrk and every replica:"
measure "$A"
start_replica C
C="http://127.0.0.1:$PORT_C"
measure "$A" "$B" "$C"

# ---- 3: commits over HTTP on 1 replica vs 3 ---------------------------------
cat > "$WORK/commit.lua" <<'LUA'
-- Each request inserts a new category (prefix from the script argument,
-- then a counter) on base 1: disjoint objects, so the store rebases.
local prefix, n = "x", 0
function init(args) prefix = args[1] end
function request()
  n = n + 1
  local id = prefix .. "_" .. n
  local body = '{"base": 1, "message": "bench", "ops": [{"op": "insert", "kind": "category", "id": "' .. id ..
    '", "text": "category ' .. id .. ' { name \\"B\\" }"}]}'
  return wrk.format("POST", nil, nil, body)
end
LUA
head_rev() { curl -sf -H "Authorization: Bearer $READER" "$A/v1/head" | grep -o '"revision":[0-9]*' | grep -o '[0-9]*$'; }
# commits CONNS_PER_REPLICA URL...: wrk on each URL at once; prints commits/s and checks density.
commits() {
  local conns=$1; shift
  local pids=() i=0 url before after ok=0 total=0
  before=$(head_rev)
  for url in "$@"; do
    wrk -t1 -c"$conns" -d"${DURATION}s" -s "$WORK/commit.lua" \
      -H "Authorization: Bearer $EDITOR" -H "Content-Type: application/json" \
      "$url/v1/commits" -- "c$#r${i}" > "$WORK/wrkc.$i.txt" &
    pids+=($!); i=$((i + 1))
  done
  wait "${pids[@]}"
  after=$(head_rev)
  for f in "$WORK"/wrkc.*.txt; do
    local reqs bad
    reqs=$(awk '/requests in/ {print $1}' "$f")
    bad=$(awk '/Non-2xx/ {print $5}' "$f"); bad=${bad:-0}
    ok=$((ok + reqs - bad)); total=$((total + reqs))
    grep -E "Non-2xx|Socket errors" "$f" || true
  done
  rm -f "$WORK"/wrkc.*.txt
  # wrk stops with up to one request per connection in flight, which may
  # still land: revisions made = acknowledged + 0..(all connections).
  awk -v n="$#" -v c="$conns" -v ok="$ok" -v d="$DURATION" -v made=$((after - before)) 'BEGIN {
    bad = (made < ok || made > ok + n * c) ? ": MISMATCH" : ""
    printf "  %d replica(s) x %d connections: %.0f commits/s (%d acknowledged, %d revisions made%s)\n",
      n, c, ok / d, ok, made, bad }'
}
echo "commits (one new object each, rebased) over HTTP, 12 connections in all, ${DURATION}s:"
commits 12 "$A"
commits 4 "$A" "$B" "$C"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
