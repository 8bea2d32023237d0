#!/usr/bin/env bash
# check_install.sh BUILD_DIR CONSUMER_SRC WORK_DIR EXAMPLE_TA_DIR
# Installs BUILD_DIR into WORK_DIR/prefix, then builds and runs the consumer
# project against it (objects, captee_idl() and captee_add_ta()).
set -euo pipefail
build=$1 consumer=$2 work=$3 example_ta=$4
rm -rf "$work"
mkdir -p "$work"
# Installed in one place and used from another: nothing may depend on the
# prefix it was installed to, nor on LD_LIBRARY_PATH.
cmake --install "$build" --prefix "$work/installed-here" >/dev/null
mv "$work/installed-here" "$work/prefix"
env -u LD_LIBRARY_PATH "$work/prefix/bin/capteed" --help >/dev/null
env -u LD_LIBRARY_PATH "$work/prefix/bin/captee" --help >/dev/null
echo "consumer: the moved install's programs start with no LD_LIBRARY_PATH"
pc=$(PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name teec.pc)") pkg-config --cflags --libs teec)
[[ "$pc" == *"-I$work/prefix/"*"/include"* || "$pc" == *"-I$work/prefix/include"* ]] ||
  { echo "teec.pc does not follow the moved prefix: $pc" >&2; exit 1; }
# OP-TEE's documented client build: only -I<prefix>/include and -lteec.
libdir=$(dirname "$(find "$work/prefix" -name 'libteec.so' | head -n1)")
cc -std=c11 -Wall -Werror -I"$work/prefix/include" -I"$example_ta/../gp-tally/ta/include" \
  "$example_ta/../gp-tally/host/main.c" -L"$libdir" -lteec -o "$work/tally_plain"
echo "consumer: a client built with only -I<prefix>/include -L<libdir> -lteec (teec.pc: $pc)"
# A supplicant plugin as OP-TEE's plugin Makefiles build one: tee_plugin_method.h
# beside tee_client_api.h; the moved captee-supplicant loads it.
cc -Wall -Werror -fPIC -shared -I"$work/prefix/include" \
  -I"$example_ta/../../tests/supplicant/plugins" \
  "$example_ta/../../tests/supplicant/plugins/log_plugin.c" -o "$work/log.plugin"
mkdir -p "$work/plugins"
cp "$work/log.plugin" "$work/plugins/"
echo "consumer: a supplicant plugin built with only -I<prefix>/include"
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

# A C-only project: the GP TA is named after its TA_UUID.
consumer_c=$consumer/../consumer_c
cmake -S "$consumer_c" -B "$work/build_c" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DEXAMPLES_DIR="$example_ta/.." >/dev/null
cmake --build "$work/build_c" >/dev/null
has_manifest "$work/build_c/ta/fdc0b01c-40f7-46e5-aecb-89d265761253.ta"
test -x "$work/build_c/tally_client"
echo "consumer: a C-only project built the GP tally example's TA (named by its TA_UUID) and client"
# Mistakes are build errors, each for its reason.
for mistake in no_manifest:captee_ta_manifest_data undefined_symbol:consumer_function_nobody_defines; do
  name=${mistake%%:*} why=${mistake#*:}
  cmake -S "$consumer_c" -B "$work/build_$name" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DEXAMPLES_DIR="$example_ta/.." -DCONSUMER_MISTAKE="$name" >/dev/null
  if log=$(cmake --build "$work/build_$name" 2>&1); then
    echo "a TA with $name built" >&2
    exit 1
  fi
  [[ "$log" == *"$why"* ]] || { echo "a TA with $name failed without naming $why:" >&2; echo "$log" >&2; exit 1; }
  echo "consumer: a TA with $name is a build error naming $why"
done

# OP-TEE's make flows against the moved install: TAs through the dev kit
# (TA_DEV_KIT_DIR), clients through TEEC_EXPORT, then run against its capteed.
kit=$work/prefix/share/captee/ta_dev_kit
cp -r "$example_ta/../gp-tally" "$work/tally-make"
cp -r "$consumer/../devkit_probe" "$work/probe-make"
make -s -C "$work/tally-make" TA_DEV_KIT_DIR="$kit" TEEC_EXPORT="$work/prefix" >/dev/null
make -s -C "$work/probe-make/helperlib" TA_DEV_KIT_DIR="$kit" >/dev/null
make -s -C "$work/probe-make/ta" TA_DEV_KIT_DIR="$kit" >/dev/null
make -s -C "$work/probe-make/host" TEEC_EXPORT="$work/prefix" >/dev/null
mkdir -p "$work/tas" "$work/state"
cp "$work"/tally-make/ta/*.ta "$work"/probe-make/ta/*.ta "$work/tas/"
socket=$work/captee.sock
env -u LD_LIBRARY_PATH "$work/prefix/bin/capteed" --socket "$socket" --state-dir "$work/state" \
  --ta-dir "$work/tas" --ta-pubkey "$kit/keys/default_ta.pem" 2>"$work/capteed.log" &
capteed=$!
trap 'kill "$capteed" 2>/dev/null || true' EXIT
for _ in $(seq 200); do [[ -S "$socket" ]] && break; sleep 0.05; done
export CAPTEE_SOCKET=$socket LD_LIBRARY_PATH=$libdir
tally=$("$work/tally-make/host/captee-tally")
[[ "$tally" == *'add 300: total 421 after 3 additions'* && "$tally" == *'"ytilibapac"'* ]] ||
  { echo "the make-built tally example did not run as built by CMake:" >&2; echo "$tally" >&2; exit 1; }
probe=$("$work/probe-make/host/probe_client")
[[ "$probe" == "probe 7123" ]] ||
  { echo "the dev kit's sub.mk features did not all arrive: $probe" >&2; cat "$work/capteed.log" >&2; exit 1; }
env -u LD_LIBRARY_PATH "$work/prefix/bin/captee-supplicant" --plugin-dir "$work/plugins" \
  2>"$work/supplicant.log" &
supplicant=$!
for _ in $(seq 200); do grep -q 'serving' "$work/supplicant.log" && break; sleep 0.05; done
grep -q 'loaded log (7e57c0de-5e00-4000-8000-00000000000a) from log.plugin' "$work/supplicant.log" ||
  { echo "the moved captee-supplicant did not load the plugin:" >&2; cat "$work/supplicant.log" >&2; exit 1; }
kill "$supplicant"
wait "$supplicant" 2>/dev/null || true
echo "consumer: the moved captee-supplicant loaded it and registered with that capteed"
kill "$capteed"
wait "$capteed" 2>/dev/null || true
trap - EXIT
echo "consumer: OP-TEE-style make (TA_DEV_KIT_DIR, TEEC_EXPORT) built and signed the tally example and the sub.mk probe, and both ran against a capteed trusting only the kit's key"
rm -rf "$work"
