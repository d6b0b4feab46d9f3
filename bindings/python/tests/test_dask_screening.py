"""examples/dask_screening.py on a local Dask cluster equals a single-process run.

A few thousand generated households (fixed seed) are converted to Applications, screened by
the example on a LocalCluster with 2 worker processes, and the ledger is compared row for
row with one computed here in this process with Program.evaluate_many. The same caseload in
length-delimited binary, run with --no-dask, must give the identical ledger file.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys

import pytest
from google.protobuf import json_format

import heyan
from conftest import BENCH_DIR, SOURCE_DIR, WORKLOAD_RULES, write_applications

pytest.importorskip("distributed")

EXAMPLE = SOURCE_DIR / "examples" / "dask_screening.py"
HOUSEHOLDS = 3000
SEED = 20240630


def load_example():
    spec = importlib.util.spec_from_file_location("dask_screening", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def caseload(tmp_path_factory):
    data = tmp_path_factory.mktemp("caseload")
    subprocess.run([sys.executable, str(BENCH_DIR / "gen_households.py"), "--n", str(HOUSEHOLDS),
                    "--seed", str(SEED), "--out", str(data / "households.jsonl")],
                   check=True, stdout=subprocess.DEVNULL)
    write_applications(data, data / "apps.jsonl")
    return data


def run_example(caseload, applications, ledger, *extra):
    cmd = [sys.executable, str(EXAMPLE), "--applications", str(applications),
           "--rules", str(WORKLOAD_RULES),
           "--registry", f"public_payroll_staff={caseload / 'salaried_staff.txt'}",
           "--registry", f"近亲属备案={caseload / 'staff_relatives.txt'}",
           "--ledger", str(ledger), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def read_ledger(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_dask_ledger_equals_single_process(caseload, tmp_path):
    example = load_example()
    dask_ledger = tmp_path / "ledger_dask.csv"
    out = run_example(caseload, caseload / "apps.jsonl", dask_ledger, "--workers", "2", "--partitions", "6")
    assert "2 Dask workers" in out
    assert f"{HOUSEHOLDS:,} in 6 partitions" in out

    # The reference: the whole caseload in one evaluate_many call, in this process.
    program = heyan.compile(WORKLOAD_RULES)
    registries = (heyan.Registries()
                  .load("public_payroll_staff", caseload / "salaried_staff.txt")
                  .load("staff_relatives", caseload / "staff_relatives.txt"))
    lines = (caseload / "apps.jsonl").read_text(encoding="utf-8").splitlines()
    decisions = program.evaluate_many(lines, registries, threads=1)
    expected = [example.LEDGER_HEADER] + [example.ledger_row(d) for d in decisions]

    got = read_ledger(dask_ledger)
    assert len(got) == HOUSEHOLDS + 1
    assert got == expected
    assert {row[8] for row in got[1:]} == {program.fingerprint}
    assert {row[1] for row in got[1:]} <= {"ELIGIBLE", "INELIGIBLE"}

    # Binary caseload, no Dask: byte-identical ledger.
    binary = tmp_path / "apps.pb"
    with open(binary, "wb") as f:
        for line in lines:
            data = json_format.Parse(line, heyan.Application()).SerializeToString()
            f.write(example._encode_varint(len(data)) + data)
    local_ledger = tmp_path / "ledger_local.csv"
    run_example(caseload, binary, local_ledger, "--no-dask", "--partitions", "5")
    assert local_ledger.read_bytes() == dask_ledger.read_bytes()


def test_bad_records_are_reported_not_lost(caseload, tmp_path):
    lines = (caseload / "apps.jsonl").read_text(encoding="utf-8").splitlines()[:50]
    lines[7] = '{"id": "BROKEN", "members": [{"noSuchField": 1}]}'
    apps = tmp_path / "apps.jsonl"
    apps.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ledger = tmp_path / "ledger.csv"
    cmd = [sys.executable, str(EXAMPLE), "--applications", str(apps), "--rules", str(WORKLOAD_RULES),
           "--ledger", str(ledger), "--no-dask", "--partitions", "3"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # done, with undecidable records
    rows = read_ledger(ledger)[1:]
    assert len(rows) == 50
    assert rows[7][1] == "ERROR" and "apps.jsonl@" in rows[7][3]
    assert all(r[1] != "ERROR" for i, r in enumerate(rows) if i != 7)


def test_rule_errors_stop_before_any_work(caseload, tmp_path):
    bad = tmp_path / "bad.heyan"
    bad.write_text('规则集 坏 版本 "1" 依据 "t"\n计算 x: 整数 = 不存在 依据 "t"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, str(EXAMPLE), "--applications", str(caseload / "apps.jsonl"),
                           "--rules", str(bad), "--ledger", str(tmp_path / "l.csv")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "E0201" in proc.stderr
    assert not (tmp_path / "l.csv").exists()


def test_partition_plans_cover_every_record(caseload):
    example = load_example()
    path = str(caseload / "apps.jsonl")
    total = sum(1 for _ in open(path, encoding="utf-8"))
    for count in (1, 2, 7, 50, 10_000):
        parts = example.plan_partitions(path, count)
        assert parts[0].start == 0 and parts[-1].end == os.path.getsize(path)
        assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
        assert sum(len(example.read_partition(p)[0]) for p in parts) == total
