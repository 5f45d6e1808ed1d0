#!/usr/bin/env bash
# `make run`: serve the HTTP API and the web editor over ./paydomain.db.
# First start: creates the store seeded from examples/acme (kept afterwards)
# and an editor token, saved next to the store (paydomain.db-token, mode 600,
# ignored by git) so every later `make run` can print it again.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
PD="$BUILD/cli/paydomain"
DB=${PAYDOMAIN_DB:-paydomain.db}
LISTEN=${PAYDOMAIN_LISTEN:-127.0.0.1:8080}
TOKEN_FILE="$DB-token"
SAMPLE=examples/acme/contexts/card_mastercard_rub_standard.json

if [ ! -f "$DB" ]; then
  "$PD" init --db "$DB" --from examples/acme
fi
# A saved token that was revoked since (paydomain token revoke) is replaced.
if [ -f "$TOKEN_FILE" ]; then
  hint=$(head -c 7 "$TOKEN_FILE")
  if ! "$PD" token list --db "$DB" | awk -F'\t' -v h="$hint..." '$4 == h && $6 == "" { found = 1 } END { exit !found }'; then
    rm -f "$TOKEN_FILE"
  fi
fi
if [ ! -f "$TOKEN_FILE" ]; then
  (umask 077 && "$PD" token create --db "$DB" --role editor --name "editor (make run)" > "$TOKEN_FILE")
fi
TOKEN=$(cat "$TOKEN_FILE")
URL="http://$LISTEN"

cat <<MSG

  paydomain is serving $DB (seeded from examples/acme) on $URL

  Editor:    $URL/?token=$TOKEN
  Token:     $TOKEN   (role editor; kept in $TOKEN_FILE)

  Evaluate a sample payment at head:
    curl -s -H "Authorization: Bearer $TOKEN" --data @$SAMPLE $URL/v1/revisions/head/evaluate

  API: docs/api.md and $URL/openapi.json.  Stop with Ctrl-C.

MSG
# The editor is compiled into the binary (serve --editor DIR overrides it).
exec "$PD" serve --db "$DB" --listen "$LISTEN" --contexts examples/acme/contexts
