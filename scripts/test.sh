#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds everything (library, CLI, tests,
# benchmarks, Python bindings) and runs ctest, which includes the golden tests, the
# workload comparison, `heyan test rules/henan` and pytest (Debian's /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh "$@"
BUILD_DIR=${HEYAN_BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" ${HEYAN_CTEST_ARGS:-}
