# Shared by the server benchmarks (sourced; needs PD and WORK set): one
# `paydomain serve` at a time on a free loopback port, stopped and WORK
# removed on exit.
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server DB LOG [FLAGS...]: starts on a free port; sets SERVER_PID, PORT.
start_server() {
  local db=$1 log=$2; shift 2
  "$PD" serve --db "$db" --listen 127.0.0.1:0 --threads 2 "$@" > "$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 500); do
    PORT=$(grep -o '"msg":"listening".*"port":[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    sleep 0.02
  done
  echo "$(basename "$0"): the server did not start:"; cat "$log"; exit 1
}
