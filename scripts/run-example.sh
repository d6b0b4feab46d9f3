#!/usr/bin/env bash
# The main job on the shipped example data: checks every shipped rule file, then decides
# the example applications with the example rule set and prints the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
HEYAN_TARGETS=heyan_cli bash scripts/build.sh
HEYAN=${HEYAN_BUILD_DIR:-build}/src/heyan
echo "== heyan check rules/"
"$HEYAN" check rules/
if [ -f examples/data/run.sh ]; then
  echo "== heyan eval (examples/data)"
  HEYAN="$HEYAN" bash examples/data/run.sh
fi
