#!/usr/bin/env bash
# Checks that the tracked C++ sources (*.cpp, *.hpp) are formatted as clang-format 14 formats
# them with the repository's .clang-format (other clang-format versions format differently).
#
#   scripts/check_format.sh            list every file that differs; exit 1 if any does
#   scripts/check_format.sh --diff     ... and show what clang-format would change
#   scripts/check_format.sh --fix      format the differing files in place
#   scripts/check_format.sh [OPTION] FILE...   only these files
#
# The repository holds no third-party or generated C++ (THIRD_PARTY.md: data only), so every
# tracked *.cpp and *.hpp is checked. CLANG_FORMAT=PATH picks the binary (default clang-format;
# `scripts/setup.sh format` installs it). JOBS=N runs N clang-formats at once (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case "${1:-}" in
  --fix) mode=fix; shift ;;
  --diff) mode="diff"; shift ;;
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  -*) echo "usage: $0 [--fix|--diff] [FILE...]" >&2; exit 2 ;;
esac

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null; then
  echo "check_format: $clang_format not found (scripts/setup.sh format installs it)" >&2
  exit 2
fi
version=$("$clang_format" --version)
if [[ ! "$version" =~ version\ 14\. ]]; then
  echo "check_format: needs clang-format 14, found: $version" >&2
  exit 2
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp')
fi
[[ ${#files[@]} -gt 0 ]] || { echo "check_format: no files" >&2; exit 2; }

# One clang-format per file; the names of the files whose formatted text differs.
# shellcheck disable=SC2016  # $0 (clang-format) and $1 (the file) are the inner shell's
differs='"$0" --style=file "$1" | cmp -s - "$1" || echo "$1"'
mapfile -t bad < <(printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "${JOBS:-2}" sh -c "$differs" "$clang_format" | LC_ALL=C sort)

if [[ ${#bad[@]} -eq 0 ]]; then
  echo "check_format: ${#files[@]} files formatted"
  exit 0
fi
case "$mode" in
  fix)
    "$clang_format" --style=file -i "${bad[@]}"
    echo "check_format: formatted ${#bad[@]} of ${#files[@]} files"
    ;;
  diff)
    for f in "${bad[@]}"; do
      "$clang_format" --style=file "$f" | diff -u --label "a/$f" --label "b/$f" "$f" - || true
    done
    echo "check_format: ${#bad[@]} of ${#files[@]} files are not formatted" >&2
    exit 1
    ;;
  check)
    printf 'not formatted: %s\n' "${bad[@]}"
    echo "check_format: ${#bad[@]} of ${#files[@]} files are not formatted;" \
         "scripts/check_format.sh --diff shows the changes, --fix makes them" >&2
    exit 1
    ;;
esac
