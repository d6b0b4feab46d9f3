"""Program.evaluate: input forms, options, and error paths."""

from __future__ import annotations

import datetime
import json
import threading

import pytest
from google.protobuf import json_format

import heyan
from conftest import PERSON_ID, RELATIVE_ID, STAFF_ID, make_app

ELIGIBLE = heyan.Outcome.Value("ELIGIBLE")
INELIGIBLE = heyan.Outcome.Value("INELIGIBLE")


def rule_ids(decision):
    return [r.rule_id for r in decision.reasons]


def test_eligible_household(small_program, small_registries):
    d = small_program.evaluate(make_app("A-1", incomes=(20000, 10000)), small_registries)
    assert isinstance(d, heyan.Decision)
    assert d.application_id == "A-1"
    assert d.outcome == ELIGIBLE
    assert rule_ids(d) == []
    assert d.counted_income_fen == 30000
    assert d.per_capita_income_fen == 30000
    assert d.benefit_fen == 15000
    assert d.rules_fingerprint == small_program.fingerprint
    assert d.engine_version == heyan.ENGINE_VERSION
    assert d.ruleset == "小型测试"
    assert d.as_of == "2024-06-30"


def test_ineligible_and_flagged(small_program, small_registries):
    d = small_program.evaluate(make_app("A-2", incomes=(200000,), ids=(PERSON_ID, STAFF_ID, RELATIVE_ID)),
                               small_registries)
    assert d.outcome == INELIGIBLE
    assert sorted(rule_ids(d)) == ["INCOME", "RELATIVE_OF_STAFF", "SALARIED_STAFF"]
    income = next(r for r in d.reasons if r.rule_id == "INCOME")
    assert income.kind == heyan.v1.decision_pb2.REASON_INELIGIBLE
    assert income.title == "家庭人均收入不低于低保标准"
    assert income.citation == "社会救助暂行办法 pytest"
    flag = next(r for r in d.reasons if r.rule_id == "RELATIVE_OF_STAFF")
    assert flag.kind == heyan.v1.decision_pb2.REASON_FLAG
    assert d.benefit_fen == 0


def test_a_registry_not_loaded_is_not_checked(small_program):
    # Without registries the payroll check was never made: missing evidence, never eligible.
    d = small_program.evaluate(make_app(ids=(PERSON_ID, STAFF_ID)))
    assert d.outcome == heyan.Outcome.Value("MISSING_EVIDENCE")
    assert any("财政供养人员 未核对" in m.message for m in d.missing_evidence)


def test_verification_request_in_every_form(small_program):
    """A VerificationRequest (application + its own checks) as a message, a dict and JSON text
    decides the same, and the decision lists the check it used."""
    app = make_app("R-1", incomes=(10000,), ids=(PERSON_ID, STAFF_ID))
    request = {"application": app, "request_id": "REQ-9",
               "records": {"checks": [{"registry": "财政供养人员", "checked_on": "2024-06-30",
                                       "reference": "HD-0630-7", "source": "县财政局"},
                                      {"registry": "staff_relatives", "checked_on": "2024-06-30",
                                       "reference": "HD-0630-8"}],
                           "records": {"public_payroll_staff": [{"id_number": STAFF_ID, "employer": "县一中"}]}}}
    message = json_format.ParseDict(request, heyan.VerificationRequest())
    forms = [message, request, json.dumps(request, ensure_ascii=False)]
    decisions = [small_program.evaluate(f) for f in forms]
    assert all(d.SerializeToString() == decisions[0].SerializeToString() for d in decisions)
    d = decisions[0]
    assert d.outcome == INELIGIBLE
    assert rule_ids(d) == ["SALARIED_STAFF"]
    assert d.request_id == "REQ-9"
    payroll = next(c for c in d.checks if c.registry == "public_payroll_staff")
    assert (payroll.checked_on, payroll.reference, payroll.source) == ("2024-06-30", "HD-0630-7", "县财政局")
    assert payroll.origin == heyan.v1.decision_pb2.CheckUsed.REQUEST
    assert list(payroll.id_numbers) == [PERSON_ID, STAFF_ID]
    # evaluate_many takes requests too.
    assert small_program.evaluate_many([request, app], threads=1)[0].SerializeToString() == d.SerializeToString()


def test_inconsistent_request_is_an_evaluation_error(small_program):
    request = {"application": make_app(), "records": {"checks": [{"registry": "财政供养人员"}]}}
    with pytest.raises(heyan.EvaluationError) as e:
        small_program.evaluate(request)
    assert "records.checks[0].checked_on" in str(e.value)


def test_message_bytes_dict_and_json_text_are_identical(small_program, small_registries):
    app = make_app("A-3", incomes=(12345, 6789), ids=(PERSON_ID, STAFF_ID))
    message = json_format.ParseDict(app, heyan.Application())
    forms = [message, message.SerializeToString(), bytearray(message.SerializeToString()),
             memoryview(message.SerializeToString()), app, json.dumps(app),
             json_format.MessageToDict(message, preserving_proto_field_name=True)]
    decisions = [small_program.evaluate(f, small_registries).SerializeToString() for f in forms]
    assert all(d == decisions[0] for d in decisions)
    assert rule_ids(heyan.Decision.FromString(decisions[0])) == ["SALARIED_STAFF"]


def test_as_of(small_program):
    app = make_app()
    assert small_program.evaluate(app, as_of="2025-01-02").as_of == "2025-01-02"
    assert small_program.evaluate(app, None, datetime.date(2023, 5, 6)).as_of == "2023-05-06"
    with pytest.raises(ValueError):
        small_program.evaluate(app, as_of="2024-13-01")
    with pytest.raises(ValueError):
        small_program.evaluate(app, as_of="20240101")
    with pytest.raises(TypeError):
        small_program.evaluate(app, as_of=datetime.datetime(2024, 1, 1))


def test_trace_and_explain(small_program, small_registries):
    app = make_app(incomes=(90000,))
    plain = small_program.evaluate(app, small_registries)
    traced = small_program.evaluate(app, small_registries, trace=True)
    assert not plain.trace
    assert {s.name for s in traced.trace} >= {"INCOME", "人均月收入"}
    lean = small_program.evaluate(app, small_registries, explain=False)
    assert rule_ids(lean) == rule_ids(plain) and lean.outcome == plain.outcome
    assert lean.reasons[0].title == ""


def test_malformed_bytes_raise_evaluation_error(small_program):
    with pytest.raises(heyan.EvaluationError) as e:
        small_program.evaluate(b"\xff\xff\xff\xff")
    assert isinstance(e.value, heyan.DataError)
    assert e.value.code == "INVALID_ARGUMENT"
    assert "heyan.v1.Application" in e.value.message
    assert e.value.index is None


@pytest.mark.parametrize("bad", [
    {"id": "X", "noSuchField": 1},                       # unknown field
    {"id": "X", "members": [{"relation": "NO_SUCH"}]},  # unknown enum value
    {"id": "X", "farmlandCentiMu": "many"},              # not a number
    {"id": ["X"]},                                       # wrong type
])
def test_malformed_dicts_raise_evaluation_error(small_program, bad):
    with pytest.raises(heyan.EvaluationError):
        small_program.evaluate(bad)


def test_malformed_json_text_and_unserializable_dict(small_program):
    with pytest.raises(heyan.EvaluationError, match="JSON"):
        small_program.evaluate('{"id": "X",')
    with pytest.raises(heyan.EvaluationError):
        small_program.evaluate({"id": object()})
    with pytest.raises(heyan.EvaluationError):
        small_program.evaluate({"id": "X", "farmlandCentiMu": float("nan")})


def test_wrong_argument_types(small_program):
    with pytest.raises(TypeError):
        small_program.evaluate(42)
    with pytest.raises(TypeError):
        small_program.evaluate(heyan.Decision())  # a message, but not an Application
    with pytest.raises(TypeError):
        small_program.evaluate(make_app(), registries={"public_payroll_staff": []})


def test_empty_application_is_decided_not_rejected(small_program):
    d = small_program.evaluate(b"")
    assert d.outcome != ELIGIBLE
    assert d.faults  # no members: the per-capita division faults, visibly


def test_concurrent_python_threads(small_program, small_registries):
    apps = [make_app(f"T-{i}", incomes=(i * 1000,), ids=(PERSON_ID, STAFF_ID if i % 3 == 0 else RELATIVE_ID))
            for i in range(200)]
    expected = [small_program.evaluate(a, small_registries).SerializeToString() for a in apps]
    results = {}

    def run(k):
        results[k] = [small_program.evaluate(a, small_registries).SerializeToString() for a in apps]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(4))
