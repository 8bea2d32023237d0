#!/usr/bin/env bash
# check_install.sh BUILD_DIR CONSUMER_SRC WORK_DIR EXAMPLE_TA_DIR
# Installs BUILD_DIR into WORK_DIR/prefix, then builds and runs the consumer
# project against it (objects, captee_idl() and captee_add_ta()).
set -euo pipefail
build=$1 consumer=$2 work=$3 example_ta=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DEXAMPLE_TA_DIR="$example_ta" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
# The TA built with the installed SDK is a shared object carrying its manifest.
# (Captured first: with pipefail, `objdump | grep -q` fails whenever grep exits
# before objdump has written everything.)
has_manifest() { local headers; headers=$(objdump -h "$1") && [[ "$headers" == *.captee_ta* ]]; }
has_manifest "$work/build/ta/consumer_ta.ta"
echo "consumer: captee_add_ta built a TA with its manifest section"
has_manifest "$work/build/ta/fdc0b01c-40f7-46e5-aecb-89d265761253.ta"
test -x "$work/build/tally_client"
echo "consumer: the GP tally example's TA and client built against the installed GP SDK and libteec"
rm -rf "$work"
