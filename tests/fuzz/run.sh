#!/usr/bin/env bash
# Fuzz with libFuzzer (clang), then merge new findings into the small
# committed corpora. Four targets: parse_fuzzer (.pd files, corpus/),
# context_fuzzer (payment contexts, context_corpus/), http_fuzzer (raw
# request bytes through the server's pipeline, http_corpus/) and
# artifact_fuzzer (compiled-revision artifacts through the client's loader,
# artifact_corpus/); each gets the time.
#   make fuzz                                   # 60 seconds each
#   FUZZ_SECONDS=3600 make fuzz                 # an hour each
#   FUZZ_TARGETS=context_fuzzer make fuzz       # one of them
# A crash leaves crash-* in tests/fuzz/artifacts/; add it to the corpus once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-parse_fuzzer context_fuzzer http_fuzzer artifact_fuzzer}
BUILD=build/fuzz
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPAYDOMAIN_SANITIZE=ON -DPAYDOMAIN_FUZZ=ON -DPAYDOMAIN_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link"
fi
mkdir -p tests/fuzz/artifacts
for target in $TARGETS; do
  case $target in
    parse_fuzzer) corpus=tests/fuzz/corpus; extra=(-dict=tests/fuzz/pd.dict); len=4096; merge_len=512 ;;
    context_fuzzer) corpus=tests/fuzz/context_corpus; extra=(); len=4096; merge_len=512 ;;
    http_fuzzer) corpus=tests/fuzz/http_corpus; extra=(-dict=tests/fuzz/http.dict); len=4096; merge_len=512 ;;
    artifact_fuzzer) corpus=tests/fuzz/artifact_corpus; extra=(); len=65536; merge_len=65536 ;;  # artifacts of small domains
    *) echo "fuzz: unknown target $target"; exit 2 ;;
  esac
  ninja -C "$BUILD" "$target"
  work="$BUILD/$target-corpus"
  mkdir -p "$work"
  cp -n "$corpus"/* "$work/" 2>/dev/null || true
  "$BUILD/tests/fuzz/$target" -max_total_time="$SECONDS_TO_RUN" -max_len="$len" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix=tests/fuzz/artifacts/ "${extra[@]}" "$work" "$corpus"
  # Keep the committed corpus small: only inputs that add coverage.
  merged="$BUILD/$target-merged"
  mkdir -p "$merged"
  rm -f "$merged"/*
  "$BUILD/tests/fuzz/$target" -merge=1 -max_len="$merge_len" "$merged" "$corpus" "$work" >/dev/null 2>&1
  echo "fuzz $target: a corpus of $(ls "$merged" | wc -l) inputs covers what $(ls "$work" | wc -l) found;"
  echo "fuzz $target: to keep it: rm $corpus/* && cp $merged/* $corpus/"
done
