#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang-14 with AddressSanitizer + UndefinedBehaviorSanitizer)
# and runs each for a fixed time, from seed corpora made of the shipped rules, examples and
# tests (fuzz/make_seeds.py) plus the kept reproducers (fuzz/regressions/<target>/).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]     # default: 600 s, every target
#
# Environment: HEYAN_FUZZ_BUILD_DIR (default build-fuzz), HEYAN_FUZZ_WORK (default
# BUILD/fuzz-work: corpus/, artifacts/, logs/), HEYAN_FUZZ_NO_BUILD=1 to skip the build.
# Prints one line per target: executions, coverage (cov) and features (ft) at the end.
# Exits 1 if any target found a crash, hang (-timeout), leak, out-of-memory or sanitizer
# report; its reproducer is in WORK/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
EACH=${1:-600}
if [ $# -gt 0 ]; then shift; fi
ALL=(rules_fuzzer application_json_fuzzer registry_csv_fuzzer registry_jsonl_fuzzer registry_binary_fuzzer
     registry_idlist_fuzzer testcase_fuzzer request_fuzzer)
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=("${ALL[@]}"); fi
BUILD=${HEYAN_FUZZ_BUILD_DIR:-build-fuzz}
WORK=${HEYAN_FUZZ_WORK:-$BUILD/fuzz-work}

if [ -z "${HEYAN_FUZZ_NO_BUILD:-}" ]; then
  bash scripts/install-deps.sh
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
    -DHEYAN_FUZZ=ON -DHEYAN_SANITIZE=address,undefined \
    -DHEYAN_BUILD_TESTS=OFF -DHEYAN_BUILD_BENCHMARKS=OFF -DHEYAN_BUILD_PYTHON=OFF >/dev/null
  cmake --build "$BUILD" -j"${HEYAN_FUZZ_JOBS:-$(nproc)}" --target "${TARGETS[@]}" heyan_proto_py
fi

rm -rf "$WORK/seeds"
/usr/bin/python3 fuzz/make_seeds.py "$PWD" "$BUILD/python" "$WORK/seeds" >/dev/null
mkdir -p "$WORK/logs"
failed=0
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t" "$WORK/seeds/$t"
  dirs=("$WORK/corpus/$t" "$WORK/seeds/$t")
  if [ -d "fuzz/regressions/$t" ]; then dirs+=("fuzz/regressions/$t"); fi
  log="$WORK/logs/$t.log"
  status=0
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GiB is a leak or a blow-up.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 HEYAN_SOURCE_DIR="$PWD" \
    "$BUILD/fuzz/$t" -max_total_time="$EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$WORK/artifacts/$t/" "${dirs[@]}" >"$log" 2>&1 || status=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(ls "$WORK/artifacts/$t" | wc -l)
  printf '%-26s %4ss  execs %-10s %s  findings %s\n' "$t" "$EACH" "${execs:-?}" \
    "$(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo '?')" "$found"
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "  FAILED (exit $status): see $log and $WORK/artifacts/$t/"
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/  /'
  fi
done
exit $failed
