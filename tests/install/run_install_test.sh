#!/bin/sh
# Usage: run_install_test.sh CMAKE BUILD_DIR CONSUMER_SOURCE WORK_DIR GENERATOR CONFIG CXX
# Installs BUILD_DIR into WORK_DIR/prefix, then builds and runs the consumer against it.
set -eu
CMAKE=$1
BUILD=$2
CONSUMER=$3
WORK=$4
GENERATOR=$5
CONFIG=${6:-RelWithDebInfo}
CXX=${7:-c++}

rm -rf "$WORK"
mkdir -p "$WORK"
PREFIX=$WORK/prefix

echo "== cmake --install $BUILD --prefix $PREFIX"
"$CMAKE" --install "$BUILD" --prefix "$PREFIX" --config "$CONFIG"

for f in include/heyan/compiler.h include/heyan/program.h include/heyan/registry.h include/heyan/diagnostic.h \
         include/heyan/v1/application.pb.h include/heyan/v1/decision.pb.h bin/heyan; do
  if [ ! -e "$PREFIX/$f" ]; then
    echo "FAIL: the install is missing $f"
    exit 1
  fi
done
if ! ls "$PREFIX"/lib*/cmake/heyan/heyanConfig.cmake >/dev/null 2>&1; then
  echo "FAIL: the install has no lib/cmake/heyan/heyanConfig.cmake"
  exit 1
fi

echo "== installed heyan version"
"$PREFIX/bin/heyan" version

echo "== configure the consumer"
"$CMAKE" -S "$CONSUMER" -B "$WORK/build" -G "$GENERATOR" -DCMAKE_BUILD_TYPE="$CONFIG" \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_PREFIX_PATH="$PREFIX"

echo "== build the consumer"
"$CMAKE" --build "$WORK/build" --config "$CONFIG" --parallel 1

echo "== run the consumer (static library)"
"$WORK/build/heyan_consumer"
echo "== run the consumer (shared library)"
"$WORK/build/heyan_consumer_shared"
echo "install test passed"
