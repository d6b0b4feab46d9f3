"""Decisions as rows (Decision.to_dict, heyan.to_frame), Chinese dicts, streaming and progress."""

from __future__ import annotations

import json
import pathlib
from decimal import Decimal

import pytest

import heyan
from conftest import PERSON_ID, STAFF_ID, make_app

FORMS = pathlib.Path(__file__).resolve().parents[3] / "examples" / "forms"
ZHENGZHOU = pathlib.Path(__file__).resolve().parents[3] / "rules" / "henan" / "zhengzhou" / "zhengzhou.heyan"


def all_checked(tmp_path) -> heyan.Registries:
    r = heyan.Registries()
    for name in heyan.Registries.names():
        empty = tmp_path / f"{name}.txt"
        empty.write_text("", encoding="utf-8")
        r.load(name, empty, checked_on="2023-07-31", reference="空名册")
    return r


def test_to_dict_has_exact_yuan_and_zeros(small_program, small_registries):
    d = small_program.evaluate(make_app("T-1", incomes=(12345,)), small_registries).to_dict()
    assert d["application_id"] == "T-1"
    assert d["outcome"] == "ELIGIBLE" and d["outcome_zh"] == "符合"
    assert d["counted_income_yuan"] == Decimal("123.45")
    assert d["benefit_yuan"] == Decimal("326.55")  # 450 - 123.45, one person
    assert isinstance(d["benefit_yuan"], Decimal)
    refused = small_program.evaluate(make_app("T-2", incomes=(90000,)), small_registries).to_dict()
    assert refused["benefit_yuan"] == Decimal("0.00") and str(refused["benefit_yuan"]) == "0.00"
    assert [r["rule_id"] for r in refused["reasons"]] == ["INCOME"]
    assert refused["reasons"][0]["title"] == "家庭人均收入不低于低保标准"
    assert {c["registry"] for c in refused["checks"]} == {"财政供养人员", "近亲属备案"}
    json.dumps(d, default=str, ensure_ascii=False)  # plain data


def test_to_frame_rows_in_order_with_errors(small_program, small_registries):
    apps = [make_app("F-1", incomes=(10000,)), {"noSuchField": 1}, make_app("F-3", incomes=(90000,))]
    frame = heyan.to_frame(small_program.evaluate_many(apps, small_registries, threads=2))
    assert list(frame["application_id"]) == ["F-1", "", "F-3"]
    assert list(frame["outcome_zh"]) == ["符合", "", "不符合"]
    assert frame["benefit_yuan"][0] == Decimal("350.00")
    assert frame["benefit_yuan"][2] == Decimal("0.00")
    assert frame["error"][1] and not frame["error"][0]
    assert frame["reasons"][2] == "INCOME 家庭人均收入不低于低保标准"


def test_chinese_dicts_and_every_form_decide_alike(tmp_path):
    program = heyan.compile(ZHENGZHOU)
    registries = all_checked(tmp_path)
    chinese = json.loads((FORMS / "张建国.json").read_text(encoding="utf-8"))
    english = json.loads((FORMS / "张建国.en.json").read_text(encoding="utf-8"))
    decisions = [program.evaluate(x, registries).SerializeToString() for x in (chinese, english)]
    assert decisions[0] == decisions[1]
    assert heyan.Decision.FromString(decisions[0]).outcome == heyan.Outcome.Value("ELIGIBLE")
    # A request written in Chinese: 申请 + 核对结果.
    request = {"申请": chinese, "核对结果": {"核对": [{"登记册": "财政供养人员", "核对日期": "2023-07-31", "核对批次": "HD-1"}],
                                         "记录": {"财政供养人员": [{"身份证号": "410100197005010011", "工作单位": "某局"}]}}}
    d = program.evaluate(request, registries)
    assert "R205" in [r.rule_id for r in d.reasons]
    with pytest.raises(heyan.EvaluationError) as e:
        program.evaluate({**chinese, "耕地面积": 3})
    assert "耕地面积" in str(e.value) and "单位" in str(e.value)


def test_evaluate_iter_streams_and_progress_reports(small_program, small_registries):
    seen = []
    apps = (make_app(f"S-{i}", incomes=(i * 100,)) for i in range(10))  # a generator: no len
    it = small_program.evaluate_iter(apps, small_registries, threads=2, batch_size=3,
                                     progress=lambda done, total: seen.append((done, total)))
    first = next(it)
    assert first.application_id == "S-0"
    assert seen == [(3, None)], "only the first batch was decided so far"
    rest = list(it)
    assert [d.application_id for d in rest] == [f"S-{i}" for i in range(1, 10)]
    assert seen == [(3, None), (6, None), (9, None), (10, None)]
    counted = []
    small_program.evaluate_many([make_app()] * 5, small_registries, batch_size=2,
                                progress=lambda done, total: counted.append((done, total)))
    assert counted == [(2, 5), (4, 5), (5, 5)]
