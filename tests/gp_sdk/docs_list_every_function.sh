#!/usr/bin/env bash
# Checks that the table of docs/GP.md names every function of the GP TEE
# Internal Core API v1.3.1 listed in gp_functions.h (132 names), each in its
# own row: "| `NAME` |".
#   docs_list_every_function.sh gp_functions.h docs/GP.md
set -euo pipefail
list=$1
doc=$2
mapfile -t names < <(grep -oE 'GP_(FUNCTION|MACRO)\([a-z_]+, [A-Za-z0-9_]+\)' "$list" |
  sed -E 's/.*, ([A-Za-z0-9_]+)\)/\1/')
if ((${#names[@]} != 132)); then
  echo "gp_functions.h lists ${#names[@]} functions, not 132" >&2
  exit 1
fi
missing=0
for n in "${names[@]}"; do
  if ! grep -qE "^\| \`$n\` \|" "$doc"; then
    echo "docs/GP.md has no table row for $n" >&2
    missing=$((missing + 1))
  fi
done
if ((missing > 0)); then
  exit 1
fi
echo "docs/GP.md lists all ${#names[@]} GP TEE Internal Core API 1.3.1 functions"
