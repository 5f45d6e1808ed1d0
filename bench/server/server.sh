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

# fee_rules_pd FILE N: bench/support/generated_domains.h's fee_rules_domain(N)
# (one tariff, N fee rules over payment system, currency, category, amount
# band and risk) as a .pd file.
fee_rules_pd() {
  {
    printf 'currency RUB { numeric 643 exponent 2 }\ncurrency USD { numeric 840 exponent 2 }\n'
    printf 'currency EUR { numeric 978 exponent 2 }\ncurrency KZT { numeric 398 exponent 2 }\n'
    printf 'currency CNY { numeric 156 exponent 2 }\n'
    for i in $(seq 0 19); do printf 'payment_system ps%d { }\ncategory cat%d { }\n' "$i" "$i"; done
    printf 'tariff big {\n  fees {\n'
    awk -v n="$2" 'BEGIN { split("RUB USD EUR KZT CNY", cur, " "); split("low high fatal", risk, " ");
      for (i = 0; i < n; i++) {
        band = int(i / 2000) % 5; c = cur[int(i / 20) % 5 + 1];
        printf "    when payment_system == ps%d and currency == %s and category == cat%d and amount between %d.00 %s and %d.99 %s and risk == %s { merchant.settlement -> system.settlement : 1%% of amount }\n",
          i % 20, c, int(i / 100) % 20, band * 1000, c, band * 1000 + 999, c, risk[i % 3 + 1] } }'
    printf '  }\n}\n'
  } > "$1"
}

# start_postgres: a throwaway cluster in $WORK (unix socket only, run as
# paydomain-pg when root) with a database `paydomain`; sets DB (its URL) and
# stops the cluster on exit (chained before the script's own on_exit).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
start_postgres() {
  [ -x "$PGBIN/initdb" ] || { echo "$BENCH_NAME: PostgreSQL is not installed (scripts/setup.sh installs it)"; exit 1; }
  PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then chown paydomain-pg "$WORK"; PG_AS=(runuser -u paydomain-pg --); fi
  "${PG_AS[@]}" "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres --no-sync >/dev/null
  "${PG_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w \
    -o "-k $WORK -c listen_addresses= -c max_connections=200" start >/dev/null
  "$PGBIN/createdb" -h "$WORK" -U postgres paydomain
  DB="postgresql:///paydomain?host=$WORK&user=postgres"
}
stop_postgres() { "${PG_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; }
