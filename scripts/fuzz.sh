#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS (default 60) each, starting from its
# checked-in corpus, and prints one line per target (executions, rate, new
# inputs, corpus size) for docs/SECURITY.md. New interesting inputs go to
# build-fuzz/corpus/<target>, never into the source tree; promote a finding to
# fuzz/<target>/corpus by hand together with the fix. Builds build-fuzz with
# clang first if needed.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   (TARGET: e.g. channel_peer; default all)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCAPTEE_BUILD_FUZZ=ON -DCAPTEE_BUILD_TESTS=OFF -DCAPTEE_BUILD_BENCH=OFF \
    -DCAPTEE_SANITIZE=address,undefined >/dev/null
fi
cmake --build build-fuzz -j "$(nproc)" --target fuzzers >/dev/null
if (($# > 0)); then
  targets=()
  for t in "$@"; do targets+=("build-fuzz/bin/fuzz_$t"); done
else
  mapfile -t targets < <(find build-fuzz/bin -maxdepth 1 -name 'fuzz_*' -type f -executable | sort)
fi
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  seeds="fuzz/${name#fuzz_}/corpus"
  work="build-fuzz/corpus/$name"
  log="build-fuzz/$name.log"
  mkdir -p "$work"
  echo "fuzz: $name for ${seconds}s"
  start=$(date +%s)
  "$bin" -max_total_time="$seconds" -timeout=60 -print_final_stats=1 -artifact_prefix="build-fuzz/$name-" \
    "$work" "$seeds" >"$log" 2>&1 || true
  elapsed=$(($(date +%s) - start))
  grep -E '^(==[0-9]+==ERROR|SUMMARY)' "$log" || true
  if compgen -G "build-fuzz/$name-crash-*" >/dev/null || compgen -G "build-fuzz/$name-leak-*" >/dev/null ||
    compgen -G "build-fuzz/$name-timeout-*" >/dev/null || compgen -G "build-fuzz/$name-oom-*" >/dev/null; then
    echo "fuzz: $name found a failing input:" build-fuzz/"$name"-{crash,leak,timeout,oom}-* >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
  execs=$(stat number_of_executed_units)
  rate=$(stat average_exec_per_sec)
  added=$(stat new_units_added)
  corpus=$(find "$work" -type f | wc -l)
  echo "fuzz: $name: ${execs:-0} executions in ${elapsed}s (${rate:-0}/s), ${added:-0} new inputs, corpus $corpus, no finding"
done
