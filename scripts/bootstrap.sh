#!/usr/bin/env bash
# Installs the Debian packages captee needs. Idempotent: when every package is
# already present it only asks dpkg, so it costs well under a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libunicorn-dev libcli11-dev nlohmann-json3-dev libseccomp-dev libcbor-dev libsqlite3-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi gdb-multiarch openssl binutils python3 valgrind
  graphviz
  liblmdb-dev # only bench/storage_floor's yardstick (decision 0033)
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  echo "bootstrap: missing packages and not root; install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
