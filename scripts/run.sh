#!/usr/bin/env bash
# Builds the `cirrus` executable (release preset) and runs the main job on the shipped example.
# Extra arguments go to cirrus, e.g. `scripts/run.sh --format json`. Build output goes to stderr,
# so stdout holds cirrus's output alone.
set -euo pipefail

# The main job: change these two lines (or set CIRRUS_SUBCOMMAND / CIRRUS_SCENARIO) to run another.
SUBCOMMAND=${CIRRUS_SUBCOMMAND:-plan}
SCENARIO=${CIRRUS_SCENARIO:-scenarios/default.json}

cd "$(dirname "$0")/.."
{
  ./scripts/setup.sh
  cmake --preset release
  cmake --build --preset release --target cirrus -j"${JOBS:-2}"
} >&2
exec ./build/release/cli/cirrus "$SUBCOMMAND" "$SCENARIO" "$@"
