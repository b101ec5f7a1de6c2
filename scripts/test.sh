#!/usr/bin/env bash
# Builds the release preset and runs the whole test suite (unit, property, golden, lint).
# JOBS=N overrides the build parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset release
cmake --build --preset release -j"${JOBS:-2}"
ctest --preset release
