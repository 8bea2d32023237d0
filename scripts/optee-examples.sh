#!/usr/bin/env bash
# scripts/optee-examples.sh [--keep] PATH
#
# The outside check of issue 14: OP-TEE's own examples, built and run
# against captee unchanged. PATH is a pristine optee_examples checkout; it is
# never written to and nothing of it enters this repository.
#
#   1. builds captee if needed (the build/ tree, configured as scripts/test.sh
#      configures it) and installs it to a temporary prefix;
#   2. for each example in PATH with ta/Makefile and host/Makefile: copies it
#      to a temporary directory and builds it with its own Makefiles, the way
#      optee_examples' Makefiles call them (TA: TA_DEV_KIT_DIR=<prefix>/share/
#      captee/ta_dev_kit, CROSS_COMPILE empty, LDFLAGS empty; host and plugin
#      directories: TEEC_EXPORT=<prefix>, CROSS_COMPILE empty,
#      --no-builtin-variables);
#   3. starts a fresh capteed from the prefix for the example, trusting only
#      the dev kit's key (the kit signs every TA it builds), runs the host
#      program and compares what it prints with what it prints on OP-TEE.
#
# One line per example: what built, whether it ran and how it exited, and
# whether the output is OP-TEE's. An example whose TA calls a GP function
# docs/GP.md marks as still to come (⏳) is built but not run ("skipped:
# needs <family> (issue N)"); one whose TA calls tee_invoke_supp_plugin()
# runs only when the prefix has captee-supplicant. Exit status 1 when an
# example that should work does not: a TA or host that does not build (every
# GP function is declared, so every upstream TA and client must compile), or
# a run that fails or prints something else than on OP-TEE.
#
# --keep leaves the temporary directory (prefix, copies, logs) in place.
set -euo pipefail

usage() {
  echo "usage: $0 [--keep] OPTEE_EXAMPLES_DIR" >&2
  exit 2
}
keep=0
if [[ "${1:-}" == --keep ]]; then
  keep=1
  shift
fi
[[ $# -eq 1 && -d "$1" ]] || usage
examples_dir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."

# ---- temporary directory, processes, cleanup ----------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/captee-optee-examples.XXXXXX")
daemons=() # pids of the capteed / captee-supplicant started here
# Newest first: captee-supplicant leaves before the capteed it serves.
stop_daemons() {
  local i
  for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
    kill -TERM "${daemons[i]}" 2>/dev/null || true
    wait "${daemons[i]}" 2>/dev/null || true
  done
  daemons=()
}
cleanup() {
  stop_daemons
  if ((keep)); then
    echo "optee-examples: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# "a, b, c" from its arguments ("nothing" without any).
join_comma() {
  local IFS=,
  local joined="${*:-nothing}"
  echo "${joined//,/, }"
}

# Prints the last lines of a log file, indented, on stderr.
show_log() {
  echo "    --- $(basename "$1") (last 25 lines) ---" >&2
  tail -n 25 "$1" | sed 's/^/    /' >&2
}

# ---- captee: build if needed, install to a prefix ------------------------------
bash scripts/bootstrap.sh
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPTEE_WERROR=ON >"$work/configure.log" ||
    { show_log "$work/configure.log"; exit 1; }
fi
echo "optee-examples: building captee (build/)" >&2
cmake --build build -j "$(nproc)" >"$work/build.log" 2>&1 || { show_log "$work/build.log"; exit 1; }
prefix=$work/prefix
cmake --install build --prefix "$prefix" >"$work/install.log" 2>&1 || { show_log "$work/install.log"; exit 1; }
kit=$prefix/share/captee/ta_dev_kit
libdir=$(dirname "$(find "$prefix" -name libteec.so -print -quit)")
supplicant=$prefix/bin/captee-supplicant
echo "optee-examples: captee installed to a temporary prefix; examples from $examples_dir" >&2

# ---- which examples can run -----------------------------------------------------
# The GP functions docs/GP.md's table marks as still to come, one per line:
# "<function> <family> (issue <n>)". Reading the table keeps this check true
# as families land, without a list of its own to forget. (The stand-ins of
# those functions link, so a failed build cannot tell them apart.)
# shellcheck disable=SC2016
pending_functions=$(sed -n 's/^| `\(TEE_[A-Za-z0-9_]*\)` | \([^|]*[^ |]\) *| ⏳ \(#\|issue \)\([0-9]*\).*/\1 \2 (issue \4)/p' \
  docs/GP.md)
# shellcheck disable=SC2016 # the backquotes are the table's, not commands
grep -q '^| `TEE_[A-Za-z0-9_]*` | ' docs/GP.md || {
  echo "optee-examples: docs/GP.md has no function table to read (has its format changed?)" >&2
  exit 1
}

# The API families a TA's sources call that captee does not implement yet,
# comma-separated ("Cryptography (issue 15), Trusted storage (issue 16)").
pending_families() {
  local names
  names=$(grep -rhow --include='*.c' --include='*.h' --include='*.cpp' 'TEE_[A-Za-z0-9_]*' "$1" | sort -u || true)
  awk 'NR == FNR { used[$1] = 1; next }
       ($1 in used) { $1 = ""; sub(/^ /, ""); if (!($0 in seen)) { seen[$0] = 1; print } }' \
    <(printf '%s\n' "$names") <(printf '%s\n' "$pending_functions") |
    sort -t '(' -k2,2 -k1,1 | awk '{ list = list sep $0; sep = ", " } END { print list }'
}

uses_supplicant_plugins() {
  grep -rqw --include='*.c' --include='*.h' --include='*.cpp' tee_invoke_supp_plugin "$1"
}

# ---- what each example prints on OP-TEE -------------------------------------------
# Read from each example's host/main.c: the host's whole standard output,
# line by line, as extended regular expressions. Its standard error is empty
# on OP-TEE. An example with no entry here is checked by its exit status only.
# (compare_output finds these by name.)
# shellcheck disable=SC2034
expected_hello_world=(
  'Invoking TA to increment 42'
  'TA incremented value to 43'
)
# shellcheck disable=SC2034
expected_random=(
  'Invoking TA to generate random UUID\.\.\. '
  'TA generated UUID value = 0x[0-9a-f]{16,32}'
)
# AES (the host picks the mode; CTR) with a key the TA loads (issue 15's symmetric ciphers): the host
# encodes a buffer in the TA, decodes it again and compares.
# shellcheck disable=SC2034
expected_aes=(
  'Prepare session with the TA'
  'Prepare encode operation'
  'Load key in TA'
  'Reset ciphering operation in TA \(provides the initial vector\)'
  'Encode buffer from TA'
  'Prepare decode operation'
  'Load key in TA'
  'Reset ciphering operation in TA \(provides the initial vector\)'
  'Decode buffer from TA'
  'Clear text and decoded text match'
)
# HOTP (issue 15's HMAC-SHA1): RFC 4226's key registered, then the ten
# values of its appendix D, in order (the host prints a mismatch on stderr).
# shellcheck disable=SC2034
expected_hotp=(
  'Register the shared key: 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 '
  'HOTP: 755224' 'HOTP: 287082' 'HOTP: 359152' 'HOTP: 969429' 'HOTP: 338314'
  'HOTP: 254676' 'HOTP: 287922' 'HOTP: 162583' 'HOTP: 399871' 'HOTP: 520489'
)
# RSA PKCS#1 v1.5 encryption with a key the TA generates (args_acipher): a
# ciphertext of the modulus's size (the example has no decryption).
# shellcheck disable=SC2034
expected_acipher=(
  'Encrypted buffer: ([0-9a-f]{2} ){256}'
)
# ECDSA P-256 over SHA-256 of "hello world": the TA signs with a key pair it
# generates and verifies with the public half copied out of it; r || s.
# shellcheck disable=SC2034
expected_ecdsa=(
  'ECDSA_SHA256 algo selected'
  'Prepare session with the TA'
  'Compute digest'
  'genrate the key'
  'Sign and Verify the digest'
  'verify signature successfully\.'
  'signature: ([0-9a-f]{2} ){64}'
)
# RSA-2048 PKCS#1 v1.5 SHA-256: generated key pair, sign, verify with the
# public half.
# shellcheck disable=SC2034
expected_sign_verify=(
  'Key size: 2048'
  'TA_ALG_PKCS1_V1_5_SHA256 algo selected'
  'Prepare session with the TA'
  'Prepare sign and verify operations'
  'Sign and verify successful\. Signature length: 256 bytes'
  'Signature: ([0-9a-f]{2} ){256}'
)
# ECDH on P-384: two generated key pairs derive the same 48-byte secret from
# both sides (the TA compares them), after a SHORT_BUFFER asking its size.
# shellcheck disable=SC2034
expected_ecdh=(
  'ECDH shared secret \(48 bytes\) on curve id 3:'
  '[0-9a-f]{64}'
  '[0-9a-f]{32}'
)
# HMAC-SHA256 (the host's default) computed in the TA, then compared there
# (TEE_MACCompareFinal). The value is a known answer, computed with Python's
# hmac: the TA's update and final both take "test message", under 128 bytes
# of 0xa5; the host prints each byte as a signed char (ffffff.. above 0x7f).
# shellcheck disable=SC2034
expected_sha=(
  'Algorithm: HMAC_SHA256 \(default\)'
  'Using input: "test message" \(default\)'
  'Using default key \(0xa5 pattern, 128 bytes\)'
  'Prepare session with the TA'
  'Prepare HMAC compute operation'
  'Load key in TA'
  'Reset operation in TA \(HMAC does not use IV\)'
  'Compute MAC operation'
  'Prepare HMAC compare operation'
  'Load key in TA'
  'Reset operation in TA \(HMAC does not use IV\)'
  'Compare the MAC'
  'MAC successfully matching'
  'HMAC: 0dffffffdc08ffffff82ffffffa3ffffffb2ffffff8bffffffb8ffffffacffffffa904ffffffcbfffffffaffffffaaffffffc3ffffffde5bffffffae440affffff8742ffffffadffffffbfffffffd4ffffffc40f4fffffff89475d79'
)
# The arguments an example's host program takes (its usage), by name; none
# for the others.
# shellcheck disable=SC2034
args_acipher=(2048 'captee round trip')
# Trusted storage (issue 16): object#1 written (7000 bytes), read back and
# compared by the host, deleted; object#2 created on a first run (capteed's
# state directory is fresh here), deleted on the next.
# shellcheck disable=SC2034
expected_secure_storage=(
  'Prepare session with the TA'
  ''
  'Test on object "object#1"'
  '- Create and load object in the TA secure storage'
  '- Read back the object'
  '- Delete the object'
  ''
  'Test on object "object#2"'
  '- Object (not found in TA secure storage, create it|found in TA secure storage, delete it)\.'
  ''
  "We're done, close and release TEE resources"
)
# ... and not sixteen zero bytes: the buffer the TA should have filled.
# shellcheck disable=SC2034
rejected_random='TA generated UUID value = 0x0{16}'
# Five pings, each through the TA to the syslog plugin in captee-supplicant;
# a successful invoke's origin is the TA (TEEC_ORIGIN_TRUSTED_APP, 4).
# shellcheck disable=SC2034
expected_plugins=(
  'Work logic: REE --> plugin TA --> syslog plugin in REE --> syslog'
  "See the log from TEE through 'journalctl'"
  ''
)
for attempt in 1 2 3 4 5; do
  expected_plugins+=("Attempt #$attempt: TEEC_InvokeCommand\\(\\) success; res=0 orig=0x4")
done

# Checks a run's output against the example's expectation; prints why not.
compare_output() {
  local name=$1 out=$2 err=$3
  if ! declare -p "expected_$name" >/dev/null 2>&1; then
    echo "not compared (no reference output for this example)"
    return 0
  fi
  local -n want="expected_$name"
  local -a got=()
  mapfile -t got <"$out"
  if ((${#got[@]} != ${#want[@]})); then
    echo "output differs from OP-TEE's: ${#got[@]} lines, expected ${#want[@]}"
    return 1
  fi
  local i
  for i in "${!want[@]}"; do
    if ! [[ "${got[i]}" =~ ^${want[i]}$ ]]; then
      echo "output differs from OP-TEE's at line $((i + 1)): '${got[i]}' !~ '${want[i]}'"
      return 1
    fi
  done
  local rejected_var="rejected_$name"
  if [[ -n "${!rejected_var:-}" ]] && grep -Eqx "${!rejected_var}" "$out"; then
    echo "output differs from OP-TEE's: matches '${!rejected_var}'"
    return 1
  fi
  if [[ -s "$err" ]]; then
    echo "output differs from OP-TEE's: standard error is not empty"
    return 1
  fi
  echo "output as on OP-TEE"
}

# ---- one example -------------------------------------------------------------------
failures=0

# Starts capteed on a fresh socket and state directory, with the example's
# TAs and only the dev kit's key trusted (and no LD_LIBRARY_PATH: the
# installed programs find their libraries themselves); sets capteed_socket.
start_capteed() {
  local run=$1
  capteed_socket=$run/captee.sock
  env -u LD_LIBRARY_PATH "$prefix/bin/capteed" --socket "$capteed_socket" --state-dir "$run/state" \
    --ta-dir "$run/ta" --ta-pubkey "$kit/keys/default_ta.pem" 2>"$run/capteed.log" &
  daemons+=($!)
  local _
  for _ in $(seq 200); do
    [[ -S "$capteed_socket" ]] && return 0
    kill -0 "${daemons[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  show_log "$run/capteed.log"
  return 1
}

# Starts captee-supplicant on capteed's socket with the example's plugins and
# waits until it serves them (it says "serving N plugins" once registered as
# capteed's listener), so the first call finds it.
start_supplicant() {
  local run=$1
  CAPTEE_SOCKET=$capteed_socket "$supplicant" --plugin-dir "$run/plugins" 2>"$run/supplicant.log" &
  daemons+=($!)
  local _
  for _ in $(seq 200); do
    grep -q 'serving' "$run/supplicant.log" && return 0
    kill -0 "${daemons[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  show_log "$run/supplicant.log"
  return 1
}

# Runs an example's host program against a fresh capteed (and, for a TA that
# calls supplicant plugins, captee-supplicant with the example's plugins);
# sets run_result to what happened; fails when it did not go as on OP-TEE.
run_host() {
  local name=$1 copy=$2 run=$3 needs_supplicant=$4 program status=0 verdict
  program=$(find "$copy/host" -maxdepth 1 -type f -perm -u+x -print -quit)
  if [[ -z "$program" ]] || ! compgen -G "$copy/ta/*.ta" >/dev/null; then
    run_result="not run: the build made no host program or no .ta"
    return 1
  fi
  cp "$copy"/ta/*.ta "$run/ta/"
  local dir
  for dir in "$copy"/*/; do
    cp "$dir"*.plugin "$run/plugins/" 2>/dev/null || true
  done
  if ! start_capteed "$run"; then
    run_result="not run: capteed did not start"
    return 1
  fi
  if ((needs_supplicant)) && ! start_supplicant "$run"; then
    run_result="not run: captee-supplicant did not start"
    stop_daemons
    return 1
  fi
  local -a args=()
  if declare -p "args_$name" >/dev/null 2>&1; then
    local -n example_args="args_$name"
    args=("${example_args[@]}")
  fi
  (cd "$run" && CAPTEE_SOCKET=$capteed_socket LD_LIBRARY_PATH=$libdir timeout 120 "$program" \
    "${args[@]}" >"$run/stdout" 2>"$run/stderr") || status=$?
  stop_daemons
  run_result="ran $(basename "$program") (exit $status)"
  if ((status != 0)); then
    run_result+="; FAILED"
    return 1
  fi
  local rc=0
  verdict=$(compare_output "$name" "$run/stdout" "$run/stderr") || rc=1
  run_result+="; $verdict"
  return "$rc"
}

run_example() {
  local src=$1 name
  name=$(basename "$src")
  local copy=$work/src/$name run=$work/run/$name
  mkdir -p "$work/src" "$run/ta" "$run/plugins"
  cp -R "$src" "$copy"

  # The build, part by part, with the variables optee_examples' Makefiles pass.
  local built=() broken=() dir part
  if make -C "$copy/ta" CROSS_COMPILE= LDFLAGS= TA_DEV_KIT_DIR="$kit" TEEC_EXPORT="$prefix" \
    >"$run/ta-build.log" 2>&1; then
    built+=(TA)
  else
    broken+=(TA)
  fi
  if make -C "$copy/host" --no-builtin-variables CROSS_COMPILE= TA_DEV_KIT_DIR="$kit" TEEC_EXPORT="$prefix" \
    >"$run/host-build.log" 2>&1; then
    built+=(host)
  else
    broken+=(host)
  fi
  # Other directories with a Makefile hold supplicant plugins (plugins/syslog).
  for dir in "$copy"/*/; do
    part=$(basename "$dir")
    [[ "$part" != host && "$part" != ta && -f "$dir/Makefile" ]] || continue
    if make -C "$dir" --no-builtin-variables CROSS_COMPILE= TEEC_EXPORT="$prefix" \
      >"$run/$part-build.log" 2>&1; then
      built+=("plugin $part")
    else
      broken+=("plugin $part")
    fi
  done

  local needs needs_supplicant=0 line
  needs=$(pending_families "$copy/ta")
  uses_supplicant_plugins "$copy/ta" && needs_supplicant=1
  line="built ($(join_comma "${built[@]}"))"

  # A TA or host that does not build fails the check; a plugin only when the
  # supplicant that would load it is installed (tee_plugin_method.h comes
  # with it).
  local failed=0 excused=() counted=()
  for part in "${broken[@]}"; do
    if [[ "$part" == plugin* && ! -x "$supplicant" ]]; then
      excused+=("$part")
    else
      counted+=("$part")
      failed=1
      part=${part#plugin }
      show_log "$run/${part,,}-build.log"
    fi
  done
  ((${#counted[@]} == 0)) || line+="; FAILED to build: $(join_comma "${counted[@]}")"
  ((${#excused[@]} == 0)) || line+="; not built: $(join_comma "${excused[@]}")"

  if [[ -n "$needs" ]]; then
    line+="; skipped: needs $needs"
  elif ((needs_supplicant)) && [[ ! -x "$supplicant" ]]; then
    line+="; not run: captee-supplicant is not installed"
  elif ((${#broken[@]})); then
    line+="; not run"
  else
    run_host "$name" "$copy" "$run" "$needs_supplicant" || failed=1
    line+="; $run_result"
  fi
  printf '%-16s %s\n' "$name" "$line"
  # The host's output, so a reader sees what "as on OP-TEE" means.
  [[ ! -s "$run/stdout" ]] || sed 's/^/    | /' "$run/stdout"
  if ((failed)) && [[ -f "$run/capteed.log" ]]; then
    [[ ! -s "$run/stderr" ]] || show_log "$run/stderr"
    show_log "$run/capteed.log"
  fi
  ((failed == 0))
}

found=0
for src in "$examples_dir"/*/; do
  [[ -f "$src/ta/Makefile" && -f "$src/host/Makefile" ]] || continue
  found=$((found + 1))
  run_example "${src%/}" || failures=$((failures + 1))
done
((found > 0)) || {
  echo "optee-examples: no example (a directory with ta/Makefile and host/Makefile) in $examples_dir" >&2
  exit 1
}
if ((failures)); then
  echo "optee-examples: $failures of $found examples did not work as on OP-TEE" >&2
  exit 1
fi
echo "optee-examples: every example that captee's APIs cover built and ran as on OP-TEE ($found examples)" >&2
