"""Shared fixtures for the heyan Python binding tests.

Run from a build (ctest sets the environment):

    PYTHONPATH=<build>/python HEYAN_WORKLOAD_BIN=<build>/benchmarks/heyan_workload \\
        /usr/bin/python3 -m pytest -q -p no:cacheprovider bindings/python/tests

HEYAN_SOURCE_DIR (default: this checkout) and HEYAN_BENCH_DIR (default:
<source>/../shared/bench) locate the workload rules and the shared benchmark data. Tests
that need the workload's Applications run heyan_workload --write-applications and are
skipped when HEYAN_WORKLOAD_BIN is not set.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

import heyan

SOURCE_DIR = pathlib.Path(os.environ.get(
    "HEYAN_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
BENCH_DIR = pathlib.Path(os.environ.get("HEYAN_BENCH_DIR", SOURCE_DIR.parent / "shared" / "bench"))
WORKLOAD_RULES = SOURCE_DIR / "benchmarks" / "workload" / "workload.heyan"
SAMPLE_DIR = BENCH_DIR / "sample"

# A small rule set in Chinese: income test, a registry rule, a review flag, a benefit.
SMALL_RULES = """\
规则集 小型测试 版本 "2024.1" 依据 "pytest"
参数 月低保标准: 金额 单位 "元/人/月" = 450元 依据 "社会救助暂行办法 pytest"
计算 人数: 整数 = 计数(成员) 依据 "社会救助暂行办法 pytest"
输出 家庭月收入 = 合计(成员.收入: 金额) 记为 counted_income 依据 "社会救助暂行办法 pytest"
输出 人均月收入 = 向下取整到分(家庭月收入 / 人数) 记为 per_capita_income 依据 "社会救助暂行办法 pytest"
输出 保障金 = 如果 符合条件 则 (月低保标准 - 人均月收入) × 人数 否则 0元 记为 benefit 依据 "社会救助暂行办法 pytest"
规则 INCOME "家庭人均收入不低于低保标准" 依据 "社会救助暂行办法 pytest"
  当 人均月收入 >= 月低保标准
  则 不符合
规则 SALARIED_STAFF "家庭成员中有财政供养人员" 依据 "社会救助暂行办法 pytest"
  当 任一 成员 满足 身份证号 属于 登记册.财政供养人员
  则 不符合
规则 RELATIVE_OF_STAFF "家庭成员为经办人员近亲属" 依据 "社会救助暂行办法 pytest"
  当 任一 成员 满足 身份证号 属于 登记册.近亲属备案
  则 标记
"""

STAFF_ID = "110101198001010015"
RELATIVE_ID = "110101198501010028"
PERSON_ID = "110101199001011237"


def make_app(app_id: str = "A-1", incomes=(30000,), ids=(PERSON_ID,)) -> dict:
    """An application as a protobuf-JSON dict: one member per ID; incomes go to the first."""
    members = [{"idNumber": i, "relation": "SELF" if k == 0 else "CHILD"} for k, i in enumerate(ids)]
    members[0]["incomes"] = [{"kind": "WAGES", "source": "SALARY", "amountFen": str(a),
                              "period": "MONTHLY"} for a in incomes]
    return {"id": app_id, "applicationDate": "2024-06-30", "members": members}


@pytest.fixture(scope="session")
def small_rules_file(tmp_path_factory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("rules") / "small.heyan"
    path.write_text(SMALL_RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_program(small_rules_file) -> heyan.Program:
    return heyan.compile(small_rules_file)


@pytest.fixture()
def small_registries() -> heyan.Registries:
    return (heyan.Registries()
            .add_ids("public_payroll_staff", [STAFF_ID])
            .add_ids("近亲属备案", [RELATIVE_ID])
            .mark_checked("public_payroll_staff", "2024-06-01", "财政局 2024-06")
            .mark_checked("近亲属备案", "2024-06-01", "乡镇备案 2024-06"))


@pytest.fixture(scope="session")
def workload_program() -> heyan.Program:
    return heyan.compile(WORKLOAD_RULES)


@pytest.fixture(scope="session")
def sample_registries() -> heyan.Registries:
    return (heyan.Registries()
            .load("public_payroll_staff", SAMPLE_DIR / "salaried_staff.txt")
            .load("staff_relatives", SAMPLE_DIR / "staff_relatives.txt"))


def workload_bin() -> str:
    path = os.environ.get("HEYAN_WORKLOAD_BIN", "")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("HEYAN_WORKLOAD_BIN (benchmarks/heyan_workload) is not available")
    return path


def write_applications(data_dir: pathlib.Path, out: pathlib.Path) -> None:
    """Converts DIR/households.jsonl into Applications (protobuf JSON lines) with the
    workload program, the one converter the benchmarks use."""
    subprocess.run([workload_bin(), "--data", str(data_dir), "--params",
                    str(BENCH_DIR / "params.json"), "--out", os.devnull,
                    "--write-applications", str(out)],
                   check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def sample_app_lines(tmp_path_factory) -> list[str]:
    """The 1,000-household sample batch as Application JSON lines."""
    out = tmp_path_factory.mktemp("sample") / "apps.jsonl"
    write_applications(SAMPLE_DIR, out)
    return out.read_text(encoding="utf-8").splitlines()


def workload_record(decision: heyan.Decision) -> dict:
    """A Decision in the workload's output form (WORKLOAD.md "Output")."""
    reasons = sorted(r.rule_id for r in decision.reasons
                     if r.kind == heyan.v1.decision_pb2.REASON_INELIGIBLE)
    flags = [r.rule_id for r in decision.reasons if r.kind == heyan.v1.decision_pb2.REASON_FLAG]
    return {"household_id": decision.application_id,
            "eligible": decision.outcome != heyan.Outcome.Value("INELIGIBLE"),
            "reasons": reasons, "flags": flags,
            "per_capita_fen": decision.per_capita_income_fen,
            "benefit_fen": decision.benefit_fen}


def read_expected() -> list[dict]:
    with open(SAMPLE_DIR / "expected.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
