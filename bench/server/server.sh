# Shared by the server benchmarks (sourced after `cd` to the repository root;
# BUILD and BENCH_NAME set): checks the binary (and wrk when NEED_WRK=1), sets
# PD and WORK, starts `paydomain serve` processes on free loopback ports, and
# on exit stops them, runs `on_exit` if the script defines it, removes WORK.
PD="$PWD/$BUILD/cli/paydomain"
[ -x "$PD" ] || { echo "$BENCH_NAME: no $PD (build first)"; exit 1; }
if [ "${NEED_WRK:-0}" = 1 ]; then
  command -v wrk >/dev/null || { echo "$BENCH_NAME: wrk is not installed (scripts/setup.sh installs it)"; exit 1; }
fi
WORK=$(mktemp -d "/tmp/paydomain-$BENCH_NAME.XXXXXX")
SERVER_PID=""
SERVER_PIDS=()
cleanup() {
  for p in "${SERVER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if declare -F on_exit >/dev/null; then on_exit; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server DB LOG [FLAGS...]: starts on a free port; sets SERVER_PID, PORT.
start_server() {
  local db=$1 log=$2; shift 2
  "$PD" serve --db "$db" --listen 127.0.0.1:0 --threads 2 "$@" > "$log" 2>&1 &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  for _ in $(seq 1 500); do
    PORT=$(grep -o '"msg":"listening".*"port":[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    sleep 0.02
  done
  echo "$BENCH_NAME: the server did not start:"; cat "$log"; exit 1
}

# stop_server: stops the last server started.
stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
  local keep=() p
  for p in "${SERVER_PIDS[@]}"; do [ "$p" != "$SERVER_PID" ] && keep+=("$p"); done
  SERVER_PIDS=("${keep[@]}")
  SERVER_PID=""
}

# cpu_s [PID]: CPU seconds (user + system) a process (default: the last
# server) has used so far, a figure that does not depend on how busy the rest
# of the machine is.
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / t }' "/proc/${1:-$SERVER_PID}/stat"; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }
