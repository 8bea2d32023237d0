#!/usr/bin/env bash
# Builds captee with optimisation and runs every Google Benchmark program in
# bench/. Writes build-bench/bench.json (raw results of all programs) and
# build-bench/summary.json (the named figures declared in bench/*/summary.json),
# and prints the summary.
#   scripts/bench.sh [--filter REGEX] [--repetitions N]
set -euo pipefail
cd "$(dirname "$0")/.."

filter="."
reps=3
while (($#)); do
  case "$1" in
    --filter) filter=$2; shift 2 ;;
    --repetitions) reps=$2; shift 2 ;;
    *) echo "bench.sh: unknown option '$1' (use --filter REGEX or --repetitions N)" >&2; exit 2 ;;
  esac
done

bash scripts/bootstrap.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCAPTEE_BUILD_TESTS=OFF \
  -DCAPTEE_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null
# The build leaves the disk writing back; the storage figures compare
# flushes, so let that finish first (decision 0033).
sync

out=build-bench/json
rm -rf "$out"
mkdir -p "$out"
mapfile -t programs < <(find build-bench/bin -maxdepth 1 -name 'bench_*' -type f -executable | sort)
for prog in "${programs[@]}"; do
  name=$(basename "$prog")
  echo "== $name"
  "$prog" --benchmark_filter="$filter" --benchmark_repetitions="$reps" \
    --benchmark_report_aggregates_only=true --benchmark_out="$out/$name.json" \
    --benchmark_out_format=json
done

python3 scripts/bench_summary.py --results "$out" --declarations bench \
  --bench-json build-bench/bench.json --summary-json build-bench/summary.json
