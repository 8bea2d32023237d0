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
echo "=== signed remote-processor firmware (OP-TEE sign_rproc_fw.py format) ==="
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
  ./build/bin/captee-sign inspect "$work/fw.sig" | head -40
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
