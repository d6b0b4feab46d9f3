#!/usr/bin/env bash
# Configures and builds Heyan into ${HEYAN_BUILD_DIR:-build} after installing the Debian
# packages it needs. Extra arguments go to cmake (e.g. -DHEYAN_SANITIZE=address,undefined).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${HEYAN_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${HEYAN_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" ${HEYAN_TARGETS:+--target $HEYAN_TARGETS}
