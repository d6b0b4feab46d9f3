"""heyan.Registries: loading in every format, and its errors (DataError)."""

from __future__ import annotations

import pytest

import heyan
from conftest import PERSON_ID, SAMPLE_DIR, STAFF_ID, make_app

INELIGIBLE = heyan.Outcome.Value("INELIGIBLE")


def test_names():
    names = heyan.Registries.names()
    assert names[:2] == ["public_payroll_staff", "staff_relatives"]
    assert "deaths" in names


def test_load_id_list(sample_registries):
    with open(SAMPLE_DIR / "salaried_staff.txt") as f:
        n = sum(1 for line in f if line.strip())
    assert sample_registries.size("public_payroll_staff") == n
    assert sample_registries.size("财政供养人员") == n  # Chinese name, same registry
    assert sample_registries.size("deaths") == 0
    assert "public_payroll_staff=" in repr(sample_registries)


def test_load_formats_and_chaining(tmp_path, small_program):
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{STAFF_ID}\n\n", encoding="utf-8")
    csv = tmp_path / "staff.csv"
    csv.write_text("身份证号,姓名,月工资（元）\n110101198001010023,李四,5000\n", encoding="utf-8")
    jsonl = tmp_path / "staff.jsonl"
    jsonl.write_text('{"idNumber": "110101198001010031", "employer": "县民政局"}\n', encoding="utf-8")
    plain = tmp_path / "more_ids"
    plain.write_text("110101198001010040\n", encoding="utf-8")
    r = (heyan.Registries()
         .load("public_payroll_staff", ids)
         .load("public_payroll_staff", str(csv), format="csv")
         .load("财政供养人员", jsonl)
         .load("public_payroll_staff", plain, format="ids"))
    assert r.size("public_payroll_staff") == 4
    for who in (STAFF_ID, "110101198001010023", "110101198001010031", "110101198001010040"):
        d = small_program.evaluate(make_app(ids=(PERSON_ID, who)), r)
        assert d.outcome == INELIGIBLE, who


def test_add_ids_and_records(small_program):
    r = heyan.Registries().add_ids("public_payroll_staff", iter([STAFF_ID]))
    assert r.size("public_payroll_staff") == 1
    record = heyan.v1.registry_pb2.PayrollStaffRecord(id_number="110101198001010023", name="李四")
    r.add_records("public_payroll_staff", [record, {"idNumber": "110101198001010031"},
                                           record.SerializeToString()])
    assert r.size("public_payroll_staff") == 4
    assert r.check("public_payroll_staff") is None
    r.mark_checked("public_payroll_staff", "2024-06-01", "名册 2024-06", source="县财政局")
    assert r.check("财政供养人员") == {"checked_on": "2024-06-01", "reference": "名册 2024-06", "source": "县财政局"}
    d = small_program.evaluate(make_app(ids=(PERSON_ID, "110101198001010031")), r)
    assert d.outcome == INELIGIBLE


def test_load_states_the_check(small_program, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{STAFF_ID}\n", encoding="utf-8")
    r = heyan.Registries().load("public_payroll_staff", ids, checked_on="2024-05-31", reference="批次 5")
    assert r.check("public_payroll_staff") == {"checked_on": "2024-05-31", "reference": "批次 5", "source": ""}
    r.load("staff_relatives", ids)  # the file's date and name
    assert r.check("staff_relatives")["reference"].startswith("ids.txt")
    with pytest.raises(ValueError):
        r.mark_checked("deaths", "2024-05-31", "")


def test_unknown_registry_name():
    r = heyan.Registries()
    for call in (lambda: r.load("no_such_registry", SAMPLE_DIR / "salaried_staff.txt"),
                 lambda: r.add_ids("no_such_registry", ["1"]),
                 lambda: r.add_records("no_such_registry", [{"idNumber": "1"}]),
                 lambda: r.size("no_such_registry")):
        with pytest.raises(heyan.DataError) as e:
            call()
        assert e.value.code == "NOT_FOUND"
        assert "public_payroll_staff" in e.value.message  # lists the known names


def test_missing_file(tmp_path):
    with pytest.raises(heyan.DataError) as e:
        heyan.Registries().load("staff_relatives", tmp_path / "missing.txt")
    assert e.value.code == "NOT_FOUND"
    assert "missing.txt" in e.value.message


def test_malformed_files_load_nothing(tmp_path):
    r = heyan.Registries()
    ids = tmp_path / "bad.txt"
    ids.write_text(f"{STAFF_ID}\n{STAFF_ID} {PERSON_ID}\n", encoding="utf-8")
    with pytest.raises(heyan.DataError) as e:
        r.load("public_payroll_staff", ids)
    assert e.value.code == "INVALID_ARGUMENT"
    assert f"{ids}:2" in e.value.message
    csv = tmp_path / "bad.csv"
    csv.write_text("身份证号,月工资\n110101198001010023,很多\n", encoding="utf-8")
    with pytest.raises(heyan.DataError, match=":2"):
        r.load("public_payroll_staff", csv)
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"idNumber": "110101198001010023"}\n{"noSuchField": 2}\n', encoding="utf-8")
    with pytest.raises(heyan.DataError, match=":2"):
        r.load("public_payroll_staff", jsonl)
    assert r.size("public_payroll_staff") == 0


def test_bad_arguments():
    r = heyan.Registries()
    with pytest.raises(ValueError, match="format"):
        r.load("staff_relatives", "x.txt", format="xml")
    with pytest.raises(TypeError):
        r.add_ids("staff_relatives", STAFF_ID)  # a str is not a list of IDs
    with pytest.raises(TypeError):
        r.add_ids("staff_relatives", [123])
    with pytest.raises(TypeError):
        r.add_records("staff_relatives", [42])
    with pytest.raises(TypeError):
        r.load(1, "x.txt")
    with pytest.raises(heyan.DataError):
        r.add_ids("staff_relatives", [STAFF_ID, ""])  # all or nothing
    assert r.size("staff_relatives") == 0
    with pytest.raises(heyan.DataError):
        r.add_records("public_payroll_staff", [{"idNumber": STAFF_ID}, {"bogus": 1}])
    assert r.size("public_payroll_staff") == 0
