#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS (default 60) each, starting from its
# checked-in corpus. New interesting inputs go to build-fuzz/corpus/<target>,
# never into the source tree; promote a finding to fuzz/<target>/corpus by hand
# together with the fix. Builds build-fuzz with clang first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if [[ ! -f build-fuzz/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCAPTEE_BUILD_FUZZ=ON -DCAPTEE_BUILD_TESTS=OFF -DCAPTEE_BUILD_BENCH=OFF \
    -DCAPTEE_SANITIZE=address,undefined >/dev/null
fi
cmake --build build-fuzz -j "$(nproc)" --target fuzzers >/dev/null
mapfile -t targets < <(find build-fuzz/bin -maxdepth 1 -name 'fuzz_*' -type f -executable | sort)
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  seeds="fuzz/${name#fuzz_}/corpus"
  work="build-fuzz/corpus/$name"
  mkdir -p "$work"
  echo "fuzz: $name for ${seconds}s"
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="build-fuzz/$name-" \
    "$work" "$seeds" 2>&1 | grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY)' || true
  if compgen -G "build-fuzz/$name-crash-*" >/dev/null || compgen -G "build-fuzz/$name-leak-*" >/dev/null; then
    echo "fuzz: $name found a failing input:" build-fuzz/"$name"-{crash,leak}-* >&2
    exit 1
  fi
done
