#!/usr/bin/env bash
# Writes the artifact fuzzer's seed corpus (tests/fuzz/artifact_corpus/):
# examples/acme and a tiny domain (a tariff, a criterion, a limit in a named
# time zone, a payment institution and a tariff binding) compiled by `paydomain compile`, ten copies of the tiny one with
# three bytes changed each (the first byte made odd, so the fuzzer target
# fixes the checksum and the loader's checks behind it are reached), and the
# tiny one cut in half. Run again whenever the artifact format changes:
#   PAYDOMAIN_BIN=build/test/cli/paydomain tests/fuzz/artifact_corpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${PAYDOMAIN_BIN:-build/test/cli/paydomain}
OUT=tests/fuzz/artifact_corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tiny"
cat > "$tmp/tiny/tiny.pd" <<'PD'
currency RUB { numeric 643  exponent 2 }
category retail {}
payment_system visa {}
criterion big { when amount >= 1000.00 RUB }
tariff t {
  currencies [RUB]
  fees {
    when big { merchant.settlement -> system.settlement : 1% of amount "big" }
    when payment_system == visa { merchant.settlement -> system.settlement : 2% of amount "visa" }
    otherwise { merchant.settlement -> system.settlement : 3% of amount "other" }
  }
}
limit daily {
  scope [party]
  period day
  timezone "Europe/Moscow"
  count <= 10
}
payment_institution pi { realm live  default_tariff t }
tariff_binding who { when party == "p1": tariff t }
PD
rm -f "$OUT"/*.pdc
mkdir -p "$OUT"
"$BIN" compile examples/acme -o "$OUT/acme.pdc"
"$BIN" compile "$tmp/tiny" -o "$OUT/tiny.pdc"
size=$(stat -c %s "$OUT/tiny.pdc")
put() {  # put FILE OFFSET BYTE
  printf "$(printf '\\%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
for i in 0 1 2 3 4 5 6 7 8 9; do
  f="$OUT/tiny_mut$i.pdc"
  cp "$OUT/tiny.pdc" "$f"
  put "$f" 0 81  # 'Q': odd
  for k in 1 2; do
    off=$(( (i * 7919 + k * 104729) % (size - 128) + 128 ))
    put "$f" "$off" $(( (i * 37 + k * 101) % 256 ))
  done
done
head -c $((size / 2)) "$OUT/tiny.pdc" > "$OUT/tiny_truncated.pdc"
ls -l "$OUT"
