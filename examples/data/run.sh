#!/usr/bin/env bash
# Decides the example applications with the example rule set (the README's main command).
# HEYAN: the heyan binary (default build/src/heyan); OUT: where the decisions go.
set -euo pipefail
cd "$(dirname "$0")/../.."
HEYAN=${HEYAN:-build/src/heyan}
OUT=${OUT:-${TMPDIR:-/tmp}/heyan-example-decisions.jsonl}
"$HEYAN" eval --rules rules/examples/city.heyan \
  --registry 财政供养人员=examples/data/public_payroll_staff.csv \
  --registry 近亲属备案=examples/data/staff_relatives.csv \
  --registry 车辆登记=examples/data/vehicle_registrations.csv \
  --registry 残疾人证=examples/data/disability_certificates.csv \
  --registry 农机购置补贴=examples/data/machinery_subsidies.csv \
  --registry 社保=examples/data/social_insurance.csv \
  --registry 建档立卡=examples/data/poverty_registry.csv \
  --in examples/data/applications.jsonl --out "$OUT"
echo "decisions: $OUT"
