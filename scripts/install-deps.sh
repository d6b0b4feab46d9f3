#!/usr/bin/env bash
# Installs every Debian package Heyan needs to build, test and benchmark.
# Idempotent: packages already present are skipped, so running it twice is cheap.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  # parser generator (needs Java) and its C++ runtime
  antlr4 libantlr4-runtime-dev default-jre-headless
  # the ANTLR runtime's CMake targets link libuuid (antlr4-targets-none.cmake)
  uuid-dev
  # core libraries
  libabsl-dev libprotobuf-dev protobuf-compiler libssl-dev libsimdjson-dev
  # spreadsheet output (heyan eval --out-format xlsx)
  libxlsxwriter-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # Python bindings and their tests (Debian's /usr/bin/python3)
  python3 python3-dev pybind11-dev python3-protobuf python3-pytest
  python3-dask python3-distributed python3-pandas python3-openpyxl
  # HTML explanation rendering test
  chromium fonts-noto-cjk
  # memory checks of the C ABI test
  valgrind
  # caseload campaign (heyan screen): the campaign state (SQLite)
  libsqlite3-dev sqlite3
  # reading a filled-in ledger back (heyan screen import-visits FILE.xlsx): unzip and XML
  libminizip-dev libexpat1-dev
  # `heyan serve`: gRPC service, audit log, Python client test
  libgrpc++-dev protobuf-compiler-grpc python3-grpcio
  # its TLS test makes certificates with the openssl command
  openssl
  # fuzz targets (-DHEYAN_FUZZ=ON): clang's libFuzzer and sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # the Java client example's offline build (examples/clients/java/build-debian.sh)
  libgrpc-java libprotobuf-java protobuf-compiler-grpc-java-plugin libnetty-java libgoogle-gson-java libperfmark-java
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
