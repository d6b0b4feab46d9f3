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
  --checked-on 财政供养人员=2024-03-01,郑州市财政局2024年3月财政供养人员名册 \
  --checked-on 近亲属备案=2024-03-01,各乡镇2024年一季度近亲属备案汇总 \
  --checked-on 车辆登记=2024-03-01,市公安局交警支队2024-03批次 \
  --checked-on 残疾人证=2024-03-01,市残联2024年3月残疾人证数据 \
  --checked-on 农机购置补贴=2024-03-01,市农业农村局农机购置补贴2021-2024 \
  --checked-on 社保=2024-03-01,市人社局2024年3月社保待遇 \
  --checked-on 建档立卡=2024-03-01,市乡村振兴局建档立卡2024-03 \
  --in examples/data/applications.jsonl --out "$OUT"
echo "decisions: $OUT"
