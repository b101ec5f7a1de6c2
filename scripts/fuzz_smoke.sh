#!/usr/bin/env bash
# A short fuzz run of every libFuzzer target (tests/fuzz/*_fuzz.cpp): builds the `fuzz` preset's
# fuzz targets only (clang, libFuzzer, AddressSanitizer + UBSan) and runs each for SECONDS over
# its seed corpus, tests/fuzz/corpus/NAME/ for NAME_fuzz. Fails on any crash, sanitizer report,
# leak, uncaught exception, input slower than 30 s or memory above 2 GiB; libFuzzer writes the
# input that did it to build/fuzz/artifacts/ (reproduce: build/fuzz/tests/NAME_fuzz FILE).
#
#   scripts/fuzz_smoke.sh [SECONDS]     default 60 (FUZZ_SECONDS=N too)
#
# The targets run side by side, JOBS at once (default 2). New inputs the fuzzer finds go to
# build/fuzz/corpus/NAME/, never into the repository's seed corpus. Installs clang and its
# libFuzzer runtime when missing (scripts/setup.sh fuzz). Extra configure arguments:
# CMAKE_ARGS="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache".
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${FUZZ_SECONDS:-60}}
jobs=${JOBS:-2}

./scripts/setup.sh fuzz
# shellcheck disable=SC2086  # CMAKE_ARGS is a list of arguments
cmake --preset fuzz ${CMAKE_ARGS:-} >/dev/null
targets=()
for src in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz_smoke: no tests/fuzz/*_fuzz.cpp" >&2; exit 2; }
cmake --build --preset fuzz --target "${targets[@]}" -j"$jobs"

out=build/fuzz/smoke
rm -rf "$out"
mkdir -p "$out" build/fuzz/artifacts
# One target: its exit status goes to $out/NAME.rc, its output to $out/NAME.log.
run_one() {
  local target=$1 seeds=tests/fuzz/corpus/${1%_fuzz} rc=0
  local work=build/fuzz/corpus/$target
  mkdir -p "$work"
  if [[ ! -d "$seeds" ]]; then
    echo "fuzz_smoke: no seed corpus $seeds for $target" >"$out/$target.log"
    rc=2
  else
    "build/fuzz/tests/$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$target-" "$work" "$seeds" \
      >"$out/$target.log" 2>&1 || rc=$?
  fi
  echo "$rc" >"$out/$target.rc"
}
export -f run_one
export out seconds

echo "fuzz_smoke: ${targets[*]}, ${seconds} s each, ${jobs} at a time"
# shellcheck disable=SC2016  # $1 is the inner shell's
printf '%s\0' "${targets[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'run_one "$1"' run_one
failed=()
for t in "${targets[@]}"; do
  [[ "$(cat "$out/$t.rc" 2>/dev/null)" == 0 ]] || failed+=("$t")
done

for t in "${targets[@]}"; do
  log="$out/$t.log"
  if [[ " ${failed[*]} " == *" $t "* ]]; then
    echo "---- $t: FAILED; the end of its log ($log):"
    tail -n 60 "$log"
  else
    # libFuzzer's summary: runs, coverage, corpus size.
    echo "---- $t: passed: $(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)"
    grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" | tr '\n' ' '
    echo
    grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz_smoke: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz_smoke: every target ran ${seconds} s without a finding"
