#!/usr/bin/env bash
# Installs cirrus's build dependencies (Debian/Ubuntu, apt-get), only those that are missing.
# Fast when everything is present: nothing is fetched and `apt-get update` is not run.
#
#   scripts/setup.sh            compiler, CMake and the libraries (what the default build needs)
#   scripts/setup.sh fuzz       ... and clang with its sanitizer/libFuzzer runtime (fuzz preset)
#   scripts/setup.sh tidy       ... and clang-tidy (tidy preset)
#   scripts/setup.sh format     ... and clang-format
set -euo pipefail

packages=(build-essential cmake g++ libboost-graph-dev nlohmann-json3-dev libcli11-dev
          libfmt-dev catch2 libbenchmark-dev python3 python3-jsonschema chromium help2man)
for arg in "$@"; do
  case "$arg" in
    fuzz) packages+=(clang libclang-rt-14-dev) ;;
    tidy) packages+=(clang-tidy) ;;
    format) packages+=(clang-format) ;;
    *) echo "usage: $0 [fuzz] [tidy] [format]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || {
    echo "setup: not root and no sudo; please install: ${missing[*]}" >&2
    exit 1
  }
  sudo=(sudo)
fi
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "${missing[@]}" </dev/null
