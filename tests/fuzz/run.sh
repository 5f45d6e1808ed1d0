#!/usr/bin/env bash
# Fuzz the parser and checker with libFuzzer (clang), then merge new findings
# into the small committed corpus.
#   make fuzz                      # 60 seconds
#   FUZZ_SECONDS=3600 make fuzz    # an hour
# A crash leaves crash-* in tests/fuzz/artifacts/; add it to the corpus once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
BUILD=build/fuzz
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPAYDOMAIN_SANITIZE=ON -DPAYDOMAIN_FUZZ=ON -DPAYDOMAIN_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link"
fi
ninja -C "$BUILD" parse_fuzzer
mkdir -p tests/fuzz/artifacts "$BUILD/fuzz-corpus"
cp -n tests/fuzz/corpus/* "$BUILD/fuzz-corpus/" 2>/dev/null || true
"$BUILD/tests/fuzz/parse_fuzzer" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix=tests/fuzz/artifacts/ -dict=tests/fuzz/pd.dict \
  "$BUILD/fuzz-corpus" tests/fuzz/corpus
# Keep the committed corpus small: only inputs that add coverage.
mkdir -p "$BUILD/merged"
rm -f "$BUILD"/merged/*
"$BUILD/tests/fuzz/parse_fuzzer" -merge=1 -max_len=512 "$BUILD/merged" tests/fuzz/corpus "$BUILD/fuzz-corpus" >/dev/null 2>&1
echo "fuzz: corpus of $(ls "$BUILD/merged" | wc -l) inputs covers what $(ls "$BUILD/fuzz-corpus" | wc -l) found;"
echo "fuzz: to keep it: rm tests/fuzz/corpus/* && cp $BUILD/merged/* tests/fuzz/corpus/"
