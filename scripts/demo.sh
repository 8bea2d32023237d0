#!/usr/bin/env bash
# Shows what captee does today. Builds first if needed (incremental and quick
# when the build is up to date).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$(nproc)" >/dev/null

echo "=== in-process objects: capabilities, membranes, revocation ==="
./build/bin/captee-object-demo
