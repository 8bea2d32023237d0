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

echo
echo "=== capteed, the secure world: services by policy, TAs in their own processes ==="
work=$(mktemp -d)
capteed_pid=
cleanup() {
  [[ -n "$capteed_pid" ]] && kill -TERM "$capteed_pid" 2>/dev/null && wait "$capteed_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export CAPTEE_SOCKET=$work/captee.sock
./build/bin/capteed --socket "$CAPTEE_SOCKET" --state-dir "$work/state" --ta-dir build/ta \
  --allow-unsigned-tas &
capteed_pid=$!
for _ in $(seq 100); do [[ -S "$CAPTEE_SOCKET" ]] && break; sleep 0.05; done
echo "\$ captee status"
./build/bin/captee status
echo "\$ captee services"
./build/bin/captee services
echo "\$ captee-counter-client build/ta/counter_ta.ta   (a Mink-style C client: MinkCom, IClientEnv_open, IAppLoader)"
./build/bin/captee-counter-client build/ta/counter_ta.ta
echo "\$ captee-counter-client build/ta/counter_ta_cpp.ta   (the same TA written in C++ on the IDL skeletons)"
./build/bin/captee-counter-client build/ta/counter_ta_cpp.ta
echo "\$ captee-tally   (captee's GP example: libteec -> capteed's GP service 0x199 -> build/ta/fdc0b01c-40f7-46e5-aecb-89d265761253.ta)"
./build/bin/captee-tally
echo "\$ captee stats --json"
./build/bin/captee stats --json

echo
echo "=== signed remote-processor firmware (OP-TEE sign_rproc_fw.py format) ==="
data=../shared/test-data/rproc
if [[ -f "$data/sample-m4.rsa2048.sig" ]]; then
  echo "\$ captee-sign verify --pubkey test-rsa2048.pub.pem sample-m4.rsa2048.sig   (signed by OP-TEE's own script)"
  ./build/bin/captee-sign verify --pubkey "$data/test-rsa2048.pub.pem" "$data/sample-m4.rsa2048.sig"
  ./build/bin/captee-sign sign --in "$data/sample-m4.elf" --out "$work/again.sig" --key "$data/test-rsa2048.pem"
  if cmp -s "$work/again.sig" "$data/sample-m4.rsa2048.sig"; then
    echo "captee-sign sign reproduces OP-TEE's signed image byte for byte"
  fi
fi
firmware=build/firmware/captee-m4.elf
if [[ -f "$firmware" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
  openssl pkey -in "$work/key.pem" -pubout -out "$work/key.pub.pem"
  echo "\$ captee-sign --in captee-m4.elf --out fw.sig --key key.pem --key_type ECC --plat-tlv 0x10001 0x0"
  ./build/bin/captee-sign --in "$firmware" --out "$work/fw.sig" --key "$work/key.pem" --key_type ECC \
    --plat-tlv 0x10001 0x0
  echo "\$ captee-sign inspect fw.sig"
  inspect=$(./build/bin/captee-sign inspect "$work/fw.sig")
  printf "%s\n" "$inspect" | sed -n "1,40p"
  echo "\$ captee-sign verify --pubkey key.pub.pem fw.sig"
  ./build/bin/captee-sign verify --pubkey "$work/key.pub.pem" "$work/fw.sig"
  # Flip one byte inside the first loadable segment and watch verify name it.
  image_at=$(./build/bin/captee-sign inspect "$work/fw.sig" | sed -n 's/^image 0: .* at offset \([0-9]*\),.*/\1/p')
  code_at=$(arm-none-eabi-readelf -lW "$firmware" | awk '$1 == "LOAD" { print $2; exit }')
  offset=$((image_at + code_at + 16))  # code_at is hex (0x...), which bash arithmetic reads
  printf '\xff' | dd of="$work/fw.sig" bs=1 seek="$offset" conv=notrunc status=none
  echo "\$ captee-sign verify --pubkey key.pub.pem fw.sig   (after changing one byte of the code)"
  ./build/bin/captee-sign verify --pubkey "$work/key.pub.pem" "$work/fw.sig" || true
fi

echo
echo "=== remote processors: capteed runs the remoteproc TA, captee-rprocd manages the processor ==="
fw_sig=build/firmware/captee-m4.sig
if [[ -f "$fw_sig" ]]; then
  rprocd_pid=
  rproc_cleanup() {
    [[ -n "$rprocd_pid" ]] && kill -TERM "$rprocd_pid" 2>/dev/null && wait "$rprocd_pid" 2>/dev/null
    rprocd_pid=
  }
  trap 'rproc_cleanup; cleanup' EXIT
  rtee=$work/rproc-tee.sock
  export CAPTEE_RPROC_SOCKET=$work/rproc.sock
  echo "1. capteed on $rtee, trusting the development key the build generated"
  kill -TERM "$capteed_pid" && wait "$capteed_pid" 2>/dev/null || true
  ./build/bin/capteed --socket "$rtee" --rproc-pubkey build/firmware/dev-key.pub.pem &
  capteed_pid=$!
  for _ in $(seq 100); do [[ -S "$rtee" ]] && break; sleep 0.05; done
  echo "2. captee-rprocd on $CAPTEE_RPROC_SOCKET, recovery and core dumps enabled"
  ./build/bin/captee-rprocd --tee-socket "$rtee" --socket "$CAPTEE_RPROC_SOCKET" \
    --coredump enabled --coredump-dir "$work/cores" --log-level warn &
  rprocd_pid=$!
  for _ in $(seq 100); do [[ -S "$CAPTEE_RPROC_SOCKET" ]] && break; sleep 0.05; done
  echo "3. boot the signed sample firmware: the TA authenticates and loads it, the core runs it"
  echo "\$ captee rproc boot $fw_sig"
  ./build/bin/captee rproc boot "$fw_sig"
  wait_trace() {  # until the trace holds $1 (output captured first: no SIGPIPE under pipefail)
    local text
    for _ in $(seq 200); do
      text=$(./build/bin/captee rproc trace 2>/dev/null || true)
      [[ "$text" == *"$1"* ]] && return 0
      sleep 0.02
    done
    echo "demo: the trace never showed '$1'" >&2
    return 1
  }
  wait_trace "boot 1"
  echo "4. its trace buffer, read through the pages the TA shared with the host"
  echo "\$ captee rproc trace"
  ./build/bin/captee rproc trace
  echo "5. inject a crash; captee-rprocd dumps the core and recovers (stop, re-authenticate, reload, start)"
  echo "\$ captee rproc crash"
  ./build/bin/captee rproc crash
  wait_trace "boot 2"
  echo "\$ captee rproc trace   (the second boot)"
  ./build/bin/captee rproc trace
  echo "\$ captee rproc state --json"
  ./build/bin/captee rproc state --json
  cores=("$work"/cores/*.core)
  core=${cores[0]}
  echo "\$ arm-none-eabi-readelf -h -n $(basename "$core")   (the crash's core file)"
  dump=$(arm-none-eabi-readelf -h -n "$core")
  printf "%s\n" "$dump" | grep -E 'Type:|Machine:|NT_PRSTATUS|CAPTEE'
  echo "6. stop (the TA wipes the processor's memory)"
  echo "\$ captee rproc stop"
  ./build/bin/captee rproc stop
  ./build/bin/captee rproc state
  echo_sig=build/firmware/captee-rpmsg-echo.sig
  if [[ -f "$echo_sig" ]]; then
    echo "7. rpmsg: boot the interrupt-driven echo sample; it announces an rpmsg-tty channel"
    echo "\$ captee rproc boot $echo_sig"
    ./build/bin/captee rproc boot "$echo_sig"
    for _ in $(seq 100); do
      list=$(./build/bin/captee rproc rpmsg list --json 2>/dev/null || true)
      [[ "$list" == *'"up":true'* ]] && break
      sleep 0.02
    done
    echo "\$ captee rproc rpmsg list"
    ./build/bin/captee rproc rpmsg list
    tty=$(./build/bin/captee rproc tty rpmsg-tty)
    echo "\$ captee rproc tty rpmsg-tty"
    echo "$tty"
    echo "a line written to $(basename "$tty") comes back from the firmware:"
    exec 3<>"$tty"
    printf 'hello through the rpmsg-tty channel\n' >&3
    line=
    read -r -t 5 line <&3 || true
    exec 3>&-
    echo "  $line"
    ./build/bin/captee rproc stop
  fi
  echo "8. shut both daemons down"
  rproc_cleanup
  kill -TERM "$capteed_pid" && wait "$capteed_pid"
  capteed_pid=
  echo "both daemons exited cleanly"
fi
if [[ -f "$data/sample-m4.rsa2048.sig" ]]; then
  echo
  echo "=== the remoteproc TA, called directly, boots the image OP-TEE's own script signed ==="
  ./build/bin/captee-rproc-demo "$data/sample-m4.rsa2048.sig" "$data/test-rsa2048.pub.pem" |
    sed -n '/^3\./,/instructions retired/p'
fi

echo
echo "=== OP-TEE's own examples, built with their Makefiles and run unchanged (scripts/optee-examples.sh) ==="
if [[ -n "${OPTEE_EXAMPLES_DIR:-}" ]]; then
  echo "\$ scripts/optee-examples.sh $OPTEE_EXAMPLES_DIR"
  bash scripts/optee-examples.sh "$OPTEE_EXAMPLES_DIR"
else
  echo "not run: set OPTEE_EXAMPLES_DIR to a pristine optee_examples checkout to build and run OP-TEE's"
  echo "examples against captee (docs/GP.md, \"OP-TEE's examples, checked from outside\")"
fi
