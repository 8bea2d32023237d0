#!/usr/bin/env bash
# The project's one test command (CI runs it through .ci/run):
#   1. installs what is missing (scripts/bootstrap.sh);
#   2. checks formatting with the project's .clang-format, and that
#      docs/dependencies.dot matches the CMakeLists (scripts/dependency-graph.sh);
#   3. builds with -Werror and runs every CTest test (the hostile and chaos
#      suites included; CAPTEE_CHAOS_SECONDS sets the chaos time, 4 s default);
#   4. runs the integration suites again with capteed under Valgrind memcheck
#      and fails on any memory error or leak in capteed (scripts/valgrind.sh);
#   5. rebuilds in build-asan with ASan+UBSan and runs the suite again;
#   6. builds the concurrency tests (label tsan) in build-tsan with ThreadSanitizer and runs them;
#   7. builds the libFuzzer targets with clang, replays each corpus, then fuzzes each briefly
#      (CAPTEE_FUZZ_SMOKE_SECONDS each, 10 s default; docs/SECURITY.md has the long runs).
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/bootstrap.sh

jobs=$(nproc)
step() { printf '\n=== %s ===\n' "$*"; }

step "format check"
bash scripts/format.sh --check
step "dependency picture is current"
bash scripts/dependency-graph.sh --check

step "build (RelWithDebInfo, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPTEE_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
step "tests"
ctest --test-dir build --output-on-failure -j "$jobs"

step "capteed under Valgrind memcheck (integration suites)"
bash scripts/valgrind.sh build

step "build (ASan+UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCAPTEE_WERROR=ON \
  -DCAPTEE_SANITIZE=address,undefined -DCAPTEE_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
step "tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

step "build (ThreadSanitizer)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCAPTEE_WERROR=ON \
  -DCAPTEE_SANITIZE=thread -DCAPTEE_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j "$jobs" --target tsan_tests
step "concurrency tests under TSan"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L tsan

step "fuzz targets (clang libFuzzer)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCAPTEE_BUILD_FUZZ=ON -DCAPTEE_BUILD_TESTS=OFF -DCAPTEE_BUILD_BENCH=OFF \
  -DCAPTEE_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzzers
ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -L fuzz
bash scripts/fuzz.sh "${CAPTEE_FUZZ_SMOKE_SECONDS:-10}"

step "all checks passed"
