"""Program.evaluate_many: parallel evaluation, error entries, and the workload sample."""

from __future__ import annotations

import threading

import pytest
from google.protobuf import json_format

import heyan
from conftest import PERSON_ID, STAFF_ID, make_app, read_expected, workload_record


def serialized(results):
    return [r.SerializeToString() if isinstance(r, heyan.Decision) else repr(r) for r in results]


@pytest.fixture()
def apps():
    return [make_app(f"M-{i}", incomes=(i * 700,), ids=(PERSON_ID, STAFF_ID) if i % 5 == 0 else (PERSON_ID,))
            for i in range(300)]


def test_matches_evaluate(small_program, small_registries, apps):
    many = small_program.evaluate_many(apps, small_registries, threads=2)
    one = [small_program.evaluate(a, small_registries) for a in apps]
    assert serialized(many) == serialized(one)


def test_threads_do_not_change_results(small_program, small_registries, apps):
    one = small_program.evaluate_many(apps, small_registries, threads=1)
    four = small_program.evaluate_many(apps, small_registries, threads=4)
    assert serialized(one) == serialized(four)
    assert len(one) == len(apps)
    assert [d.application_id for d in one] == [a["id"] for a in apps]


def test_mixed_input_forms(small_program, small_registries, apps):
    messages = [json_format.ParseDict(a, heyan.Application()) for a in apps]
    as_bytes = [m.SerializeToString() for m in messages]
    expected = serialized(small_program.evaluate_many(apps, small_registries))
    assert serialized(small_program.evaluate_many(messages, small_registries)) == expected
    assert serialized(small_program.evaluate_many(as_bytes, small_registries)) == expected
    mixed = [(apps[i], messages[i], as_bytes[i])[i % 3] for i in range(len(apps))]
    assert serialized(small_program.evaluate_many(mixed, small_registries)) == expected


def test_bad_records_become_error_entries(small_program, small_registries, apps):
    inputs = list(apps)
    inputs[3] = b"\xff\xff\xff"                       # malformed bytes
    inputs[10] = {"id": "BAD-10", "noSuchField": 1}   # unknown field
    inputs[11] = 12345                                # not an application at all
    inputs[12] = {"id": object()}                     # not JSON-serializable
    inputs[13] = '{"id": "BAD-13", '                  # broken JSON text
    results = small_program.evaluate_many(inputs, small_registries, threads=3)
    assert len(results) == len(inputs)
    bad = {i: r for i, r in enumerate(results) if isinstance(r, heyan.EvaluationError)}
    assert sorted(bad) == [3, 10, 11, 12, 13]
    for i, err in bad.items():
        assert err.index == i
        assert isinstance(err, heyan.DataError)
        assert err.code == "INVALID_ARGUMENT"
        assert err.message
    assert "heyan.v1.Application" in bad[3].message
    good = small_program.evaluate_many([a for i, a in enumerate(apps) if i not in bad], small_registries)
    assert serialized([r for i, r in enumerate(results) if i not in bad]) == serialized(good)


def test_batches_and_generators(small_program, small_registries, apps):
    expected = serialized(small_program.evaluate_many(apps, small_registries))
    got = small_program.evaluate_many((a for a in apps), small_registries, threads=2, batch_size=7)
    assert serialized(got) == expected
    # Error indices count across batches.
    inputs = list(apps)
    inputs[250] = b"\xff"
    got = small_program.evaluate_many(iter(inputs), small_registries, batch_size=64)
    assert isinstance(got[250], heyan.EvaluationError) and got[250].index == 250


def test_empty_input(small_program):
    assert small_program.evaluate_many([]) == []


def test_options(small_program, small_registries, apps):
    traced = small_program.evaluate_many(apps[:5], small_registries, trace=True, as_of="2025-01-01")
    assert all(d.trace and d.as_of == "2025-01-01" for d in traced)
    lean = small_program.evaluate_many(apps[:5], small_registries, explain=False)
    assert all(r.title == "" for d in lean for r in d.reasons)


def test_argument_errors(small_program, apps):
    for threads in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            small_program.evaluate_many(apps, threads=threads)
    with pytest.raises(ValueError):
        small_program.evaluate_many(apps, batch_size=0)
    with pytest.raises(ValueError):
        small_program.evaluate_many(apps, as_of="yesterday")
    with pytest.raises(TypeError):
        small_program.evaluate_many(apps[0])  # one dict, not a list of them
    with pytest.raises(TypeError):
        small_program.evaluate_many(b"bytes")


def test_gil_is_released(small_program, small_registries, apps):
    """Another Python thread keeps running while evaluate_many works."""
    big = apps * 100
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        small_program.evaluate_many([json_format.ParseDict(a, heyan.Application()).SerializeToString()
                                     for a in big], small_registries, threads=2)
    finally:
        done.set()
        t.join()
    assert len(ticks) > 1


def test_registries_load_waits_for_running_evaluations(small_program, apps):
    """Loading while another thread evaluates is safe (the load waits for the evaluation)."""
    registries = (heyan.Registries().add_ids("public_payroll_staff", [STAFF_ID])
                  .mark_checked("public_payroll_staff", "2024-06-01", "名册"))
    inputs = [json_format.ParseDict(a, heyan.Application()).SerializeToString() for a in apps] * 50
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("r", small_program.evaluate_many(inputs, registries, threads=2)))
    t.start()
    for k in range(200):
        registries.add_ids("staff_relatives", [f"11010119900101{k:04d}"])
    t.join()
    assert len(out["r"]) == len(inputs)
    assert registries.size("staff_relatives") == 200


def test_workload_sample_matches_expected(workload_program, sample_registries, sample_app_lines):
    """The 1,000-household sample, as JSON text lines, gives sample/expected.jsonl."""
    results = workload_program.evaluate_many(sample_app_lines, sample_registries, threads=2)
    assert not [r for r in results if isinstance(r, heyan.EvaluationError)]
    assert [workload_record(d) for d in results] == read_expected()
    lean = workload_program.evaluate_many(sample_app_lines, sample_registries, threads=1, explain=False)
    assert [workload_record(d) for d in lean] == read_expected()
