#!/usr/bin/env bash
# Formats captee's C and C++ sources with the project's .clang-format.
#   scripts/format.sh          rewrite files in place
#   scripts/format.sh --check  report unformatted files and exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
  '*.c' '*.h' '*.cpp' '*.hpp' | grep -v '^firmware/.*\.ld$' | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)
if ((${#files[@]} == 0)); then
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  clang-format --dry-run -Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  clang-format -i "${files[@]}"
fi
