"""evaluate and evaluate_many read records with the library's rules (heyan/batch.h), the same
as `heyan eval`: one record decides the same, or fails with the same message, either way."""

from __future__ import annotations

from google.protobuf import json_format

import heyan
from conftest import make_app


def _outcome(result):
    if isinstance(result, heyan.EvaluationError):
        return ("error", result.code, result.message, result.application_id)
    return ("decision", result.SerializeToString(deterministic=True))


def _single(program, application):
    try:
        return _outcome(program.evaluate(application))
    except heyan.EvaluationError as e:
        return ("error", e.code, e.message, e.application_id)


def test_evaluate_and_evaluate_many_agree_on_every_kind_of_record(small_program):
    app = heyan.Application()
    json_format.ParseDict(make_app("OK-1"), app)
    request = heyan.VerificationRequest(request_id="R-1")
    request.application.CopyFrom(app)
    negative = heyan.Application(id="NEG")
    negative.members.add().incomes.add().amount_fen = -5  # the data model forbids it
    records = [
        make_app("OK-2"),
        app,
        app.SerializeToString(),
        request,
        negative.SerializeToString(),  # binary: checked like JSON, refused
        b"\xff\xfe not a message",
        '{"id":"B","members":[{"birthDate":19800101}]}',
        "not json",
        '{"编号": "X1", "成员": [{"收入": [{"金额": 600}]}]}',  # Chinese keys, amount without unit
        '{"application":{"id":"Q","members":[{"birthDate":5}]}}',
    ]
    many = small_program.evaluate_many(records, threads=2, batch_size=3)
    assert [_outcome(r) for r in many] == [_single(small_program, r) for r in records]
    kinds = [o[0] for o in map(_outcome, many)]
    assert kinds == ["decision"] * 4 + ["error"] * 6
    assert "amount_fen" in many[4].message
    assert many[5].message == "not a valid serialized heyan.v1.Application (protobuf binary, 16 bytes)"
    assert many[9].message.startswith("not a valid heyan.v1.VerificationRequest in protobuf JSON: "
                                      "application.members[0].birth_date: ")


def test_a_bad_request_after_a_good_one_on_the_same_thread(small_program):
    """Regression: the request decided before must not leave anything behind that the next,
    unparsable, one reads (the old shim kept a pointer into it and crashed)."""
    request = heyan.VerificationRequest(request_id="R-1")
    json_format.ParseDict(make_app("OK-1"), request.application)
    bad = '{"application":{"id":"Q","members":[{"birthDate":5}]}}'
    for _ in range(3):
        results = small_program.evaluate_many([request, bad, request, bad], threads=1)
        assert [isinstance(r, heyan.EvaluationError) for r in results] == [False, True, False, True]
        assert results[1].application_id == ""
