#!/usr/bin/python3
"""Seed corpora for the fuzz targets, made from the shipped rules, examples and tests.

usage: make_seeds.py SOURCE_DIR PYTHON_DIR OUT_DIR
  PYTHON_DIR holds the generated heyan/v1/*_pb2.py (BUILD/python).
Writes OUT_DIR/<target>/<name> for every target in fuzz/CMakeLists.txt. Registry seeds
start with one byte choosing the registry (the field number order of heyan.v1.Registries),
as registry_fuzzer.cc reads them.
"""
import csv
import glob
import hashlib
import io
import json
import os
import sys

src, pydir, out = sys.argv[1:4]
sys.path.insert(0, pydir)
from google.protobuf import json_format  # noqa: E402
from google.protobuf.internal import encoder  # noqa: E402
from heyan.v1 import options_pb2, registry_pb2, verification_pb2  # noqa: E402


def put(target, data, name=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(*patterns):
    for p in patterns:
        yield from sorted(glob.glob(os.path.join(src, p), recursive=True))


# Rule front end: every shipped and test rule file.
for path in files("rules/**/*.heyan", "tests/**/*.heyan"):
    put("rules_fuzzer", open(path, "rb").read())

# Application JSON: the example applications, alone and as requests.
# Every 8th example application: the lines differ little, and a short corpus keeps the
# start of a run (libFuzzer runs every seed first) short.
apps = [line for line in open(os.path.join(src, "examples/data/applications.jsonl"), encoding="utf-8")
        if line.strip()][::8]
for line in apps:
    put("application_json_fuzzer", line.strip())
    put("application_json_fuzzer", '{"application":%s,"as_of":"2024-05-30","request_id":"r1"}' % line.strip())

# VerificationRequest bytes: the example applications, with and without a check.
for i, line in enumerate(apps):
    req = verification_pb2.VerificationRequest()
    json_format.Parse(line, req.application)
    put("request_fuzzer", req.SerializeToString())
    req.request_id = "seed-%d" % i
    req.as_of = "2024-05-30"
    if i % 2 == 0:
        c = req.records.checks.add()
        c.registry = "财政供养人员"
        c.checked_on = "2024-03-01"
        c.reference = "seed"
        if req.application.members:
            r = req.records.records.public_payroll_staff.add()
            r.id_number = req.application.members[0].id_number
            r.monthly_salary_fen = 300000
    if i % 3 == 0:
        req.ruleset = "郑州市最低生活保障"
    put("request_fuzzer", req.SerializeToString())

# Registry files: the example CSVs, and the same records as JSONL, binary and ID lists.
reg_fields = registry_pb2.Registries.DESCRIPTOR.fields
index_of = {f.name: i for i, f in enumerate(reg_fields)}


def field_by_zh(desc, zh):
    for f in desc.fields:
        if f.name == zh or f.GetOptions().Extensions[options_pb2.zh] == zh:
            return f
    return None


def set_value(msg, f, text):
    if f.type == f.TYPE_STRING:
        setattr(msg, f.name, text)
    elif f.type == f.TYPE_ENUM:
        for v in f.enum_type.values:
            if v.name == text or v.GetOptions().Extensions[options_pb2.zh_value] == text:
                setattr(msg, f.name, v.number)
    elif f.type == f.TYPE_BOOL:
        setattr(msg, f.name, text in ("1", "true", "是"))
    elif f.type in (f.TYPE_INT32, f.TYPE_INT64, f.TYPE_UINT32, f.TYPE_UINT64):
        setattr(msg, f.name, int(text))


for path in files("examples/data/*.csv"):
    name = os.path.splitext(os.path.basename(path))[0]
    if name not in index_of:
        continue
    prefix = bytes([index_of[name]])
    raw = open(path, "rb").read()
    # The first 40 records: small seeds keep the fuzzer fast; the records vary little.
    put("registry_csv_fuzzer", prefix + b"".join(raw.splitlines(keepends=True)[:41]))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:41]
    rtype = reg_fields[index_of[name]].message_type
    records = []
    for row in rows:
        m = registry_pb2.Registries().__getattribute__(name).add()
        for zh, text in zip(header, row):
            f = field_by_zh(rtype, zh)
            if f is not None and text:
                try:
                    set_value(m, f, text)
                except (ValueError, TypeError):
                    pass
        records.append(m)
    jsonl = "".join(json.dumps(json_format.MessageToDict(m, preserving_proto_field_name=True), ensure_ascii=False) + "\n"
                    for m in records)
    put("registry_jsonl_fuzzer", prefix + jsonl.encode())
    binary = b""
    for m in records:
        b = m.SerializeToString()
        binary += encoder._VarintBytes(len(b)) + b
    put("registry_binary_fuzzer", prefix + binary)
    put("registry_idlist_fuzzer", prefix + "".join(m.id_number + "\n" for m in records).encode())

# `heyan test` cases.
for path in files("rules/**/*.textproto", "tests/**/*.textproto"):
    put("testcase_fuzzer", open(path, "rb").read())

for t in sorted(os.listdir(out)):
    print("%-26s %d seeds" % (t, len(os.listdir(os.path.join(out, t)))))
