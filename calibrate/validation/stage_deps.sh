#!/usr/bin/env bash
# Run HERE (the CPU development machine), before run_on_gpu.sh is sent to a GPU machine.
#
# The GPU machines of this workplace carry CUDA, cuDNN/NCCL (as PyTorch's wheels), CMake and a
# compiler, but not the C++ libraries cirrus builds against (fmt, nlohmann/json, CLI11, Boost
# headers), and they cannot download anything. This packs those from this machine's Debian
# packages into .deps/cirrus-deps.tar.xz (a relocatable prefix: headers, libfmt, CMake
# package files), which run_on_gpu.sh unpacks to /tmp and hands to CMake. Boost is cut down to
# the headers the sources actually include (their preprocessor closure), so the archive stays
# a few MB: the device tool carries at most 64 MiB.
#
# Usage: calibrate/validation/stage_deps.sh   (then pass carry: [".deps"] to the device run)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ARCH=x86_64-linux-gnu
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
P="$STAGE/cirrus-deps"
mkdir -p "$P/include" "$P/lib/$ARCH/cmake" "$P/share/cmake"

# Header-only or small libraries, whole.
cp -a /usr/include/fmt /usr/include/nlohmann /usr/include/CLI "$P/include/"
cp -a /usr/lib/$ARCH/libfmt.so* "$P/lib/$ARCH/"
cp -a /usr/lib/$ARCH/cmake/fmt "$P/lib/$ARCH/cmake/"
cp -a /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$P/share/cmake/"
# nlohmann/json's Debian package also installs json_fwd.hpp etc. under nlohmann/: included.

# Boost: the CMake package files and the headers the sources reach.
cp -a /usr/lib/$ARCH/cmake/Boost-1.74.0 /usr/lib/$ARCH/cmake/boost_headers-1.74.0 \
  /usr/lib/$ARCH/cmake/BoostDetectToolset-1.74.0.cmake "$P/lib/$ARCH/cmake/"
mapfile -t boost_users < <(cd "$ROOT" && grep -rl --include='*.cpp' --include='*.hpp' \
  '#include <boost/' common sim models pricing scenarios plan reports cli calibrate 2>/dev/null || true)
: > "$STAGE/boost_headers.txt"
for f in "${boost_users[@]}"; do
  g++ -std=c++20 -I"$ROOT" -M "$ROOT/$f" 2>/dev/null | tr ' \\' '\n\n' \
    | grep '^/usr/include/boost/' >> "$STAGE/boost_headers.txt" || true
done
# The compiler-configuration headers depend on the compiler that reads them: take them all.
find /usr/include/boost/config -type f >> "$STAGE/boost_headers.txt"
echo /usr/include/boost/version.hpp >> "$STAGE/boost_headers.txt"
sort -u "$STAGE/boost_headers.txt" | while read -r h; do
  rel=${h#/usr/include/}
  mkdir -p "$P/include/$(dirname "$rel")"
  cp -a "$h" "$P/include/$rel"
done

mkdir -p "$ROOT/.deps"
tar -C "$STAGE" -cJf "$ROOT/.deps/cirrus-deps.tar.xz" cirrus-deps
grep -qx '/.deps/' "$ROOT/.git/info/exclude" 2>/dev/null || echo '/.deps/' >> "$ROOT/.git/info/exclude"
echo "wrote $ROOT/.deps/cirrus-deps.tar.xz ($(du -h "$ROOT/.deps/cirrus-deps.tar.xz" | cut -f1)," \
  "$(sort -u "$STAGE/boost_headers.txt" | wc -l) Boost headers); carry .deps to the GPU run"
