#!/usr/bin/env bash
# The one script a session with a GPU runs: builds cirrus with CUDA, calibrates the GPU, times
# real PyTorch training steps, and collects the results.
#
#   calibrate/validation/run_on_gpu.sh [full|quick]     (default full: ~10 + ~3 minutes)
#
# On this workplace's device tool: first run calibrate/validation/stage_deps.sh on the CPU
# machine, then
#   run(command="bash calibrate/validation/run_on_gpu.sh full", carry=[".deps"], timeout_s=600)
# (split into two calls with CIRRUS_STEPS=calibrate / CIRRUS_STEPS=measure if one call would
# pass 10 minutes). Results land in $OUT (the tool returns at most 8 files from there) and in
# the working tree:
#   calibrate/profiles/<gpu>.json                 the profile         ($OUT/profile_<gpu>.json)
#   data/validation/measured_steps_<gpu>.json     the measured steps  ($OUT/measured_steps_<gpu>.json)
#   $OUT/run_on_gpu.log                           everything printed, build output included
# Copy the two JSON files into the repository at those paths and commit them.
#
# Environment: OUT (results folder; default build/gpu-out), CIRRUS_STEPS (comma list of
# build,calibrate,measure; default all three), CIRRUS_BUILD_DIR (default build/cuda-gpu).
set -euo pipefail
MODE=${1:-full}
case "$MODE" in full|quick) ;; *) echo "usage: $0 [full|quick]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT_DIR=${OUT:-$ROOT/build/gpu-out}
STEPS=${CIRRUS_STEPS:-build,calibrate,measure}
BUILD=${CIRRUS_BUILD_DIR:-$ROOT/build/cuda-gpu}
mkdir -p "$OUT_DIR"
LOG="$OUT_DIR/run_on_gpu.log"
exec > >(tee -a "$LOG") 2>&1
say() { echo "[run_on_gpu $(date -u +%H:%M:%S)] $*"; }
has_step() { [[ ",$STEPS," == *",$1,"* ]]; }
START=$(date +%s)

say "mode $MODE, steps $STEPS, root $ROOT"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem \
  --format=csv || true
PY=$(command -v python3 || true)
SITE=""
if [[ -n "$PY" ]]; then
  SITE=$("$PY" -c 'import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))' \
    2>/dev/null || true)
fi
# cuDNN and NCCL from PyTorch's wheels: make their folders visible to the loader too (cuDNN
# opens its sub-libraries by name at run time).
if [[ -n "$SITE" ]]; then
  for d in "$SITE"/nvidia/*/lib; do LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; done
  export LD_LIBRARY_PATH
fi

# The C++ libraries the build needs, from the carried archive when the machine lacks them.
PREFIX=""
if [[ -f "$ROOT/.deps/cirrus-deps.tar.xz" ]]; then
  mkdir -p /tmp/cirrus-deps-root
  tar -C /tmp/cirrus-deps-root -xJf "$ROOT/.deps/cirrus-deps.tar.xz"
  PREFIX=/tmp/cirrus-deps-root/cirrus-deps
  export LD_LIBRARY_PATH="$PREFIX/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
  say "using carried C++ dependencies in $PREFIX"
fi

CIRRUS="$BUILD/cli/cirrus"
if has_step build; then
  say "configuring $BUILD"
  # -Werror off: this machine's compiler may be newer than the one the code is checked with.
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCIRRUS_CUDA=ON \
    -DCIRRUS_WERROR=OFF -DCIRRUS_BUILD_TESTS=OFF -DCIRRUS_BUILD_BENCH=OFF \
    ${PREFIX:+-DCMAKE_PREFIX_PATH=$PREFIX} ${SITE:+-DCIRRUS_PYTHON_NVIDIA_DIR=$SITE} \
    ${CUDA_ARCH:+-DCIRRUS_CUDA_ARCHITECTURES=$CUDA_ARCH}
  say "building"
  cmake --build "$BUILD" -j"$(nproc)" --target cirrus
  say "built in $(( $(date +%s) - START )) s"
fi

GPU=""
if has_step calibrate; then
  [[ -x "$CIRRUS" ]] || { say "no $CIRRUS: run the build step first"; exit 1; }
  TMP_PROFILE="$OUT_DIR/profile_tmp.json"
  say "calibrating ($MODE)"
  T0=$(date +%s)
  QUICK=()
  [[ "$MODE" == quick ]] && QUICK=(--quick)
  "$CIRRUS" calibrate --out "$TMP_PROFILE" "${QUICK[@]}" --no-progress
  say "calibrated in $(( $(date +%s) - T0 )) s"
  GPU=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["device"]; print(d["gpu"] or "unknown-gpu")' "$TMP_PROFILE")
  mkdir -p "$ROOT/calibrate/profiles"
  cp "$TMP_PROFILE" "$ROOT/calibrate/profiles/$GPU.json"
  mv "$TMP_PROFILE" "$OUT_DIR/profile_$GPU.json"
  say "profile: calibrate/profiles/$GPU.json"
  "$PY" - "$OUT_DIR/profile_$GPU.json" <<'EOF' || true
import json, sys
p = json.load(open(sys.argv[1]))
def best(rows, key, **match):
    vals = [r[key] for r in rows if all(r.get(k) == v for k, v in match.items())]
    return max(vals) if vals else None
print("sanity (compare with docs/reference/hardware.md):")
for dt in ("bf16", "fp16", "fp8", "tf32"):
    print(f"  GEMM {dt:4s} best TFLOP/s: {best(p['gemm'], 'tflops', dtype=dt)}")
print(f"  copy kernel best GB/s (read+write): {best(p['memory'], 'gbps', kind='copy')}")
for d in ("h2d", "d2h", "d2d"):
    print(f"  cudaMemcpy {d} best GB/s: {best(p['host_copy'], 'gbps', direction=d)}")
for n in p["notes"]:
    print("  note:", n)
EOF
fi

if has_step measure; then
  [[ -n "$PY" ]] || { say "no python3 with PyTorch: cannot measure steps"; exit 1; }
  say "measuring training steps"
  T0=$(date +%s)
  MEASURE_ARGS=()
  [[ "$MODE" == quick ]] && MEASURE_ARGS+=(--steps 5)
  PYTHONUNBUFFERED=1 "$PY" "$ROOT/calibrate/validation/measure_step.py" \
    --out-dir "$ROOT/data/validation" "${MEASURE_ARGS[@]}" | tee "$OUT_DIR/measure.out"
  STEPS_FILE=$(grep '^wrote ' "$OUT_DIR/measure.out" | tail -1 | cut -d' ' -f2)
  rm -f "$OUT_DIR/measure.out"
  [[ -n "$STEPS_FILE" ]] && cp "$STEPS_FILE" "$OUT_DIR/"
  say "measured in $(( $(date +%s) - T0 )) s"
fi
say "done in $(( $(date +%s) - START )) s; results in $OUT_DIR"
