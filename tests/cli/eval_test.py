#!/usr/bin/env python3
"""End-to-end checks of `heyan eval` (one ctest per case; stdlib only).

    eval_test.py CASE HEYAN SOURCE_DIR WORK_DIR

CASE is one of the functions below named case_*, without the prefix. Each runs the built
tool on the shipped example data (examples/data) or on inputs derived from it.
"""

import json
import os
import subprocess
import sys

from cli_cases import check, run_case

REGISTRIES = ["public_payroll_staff", "staff_relatives", "vehicle_registrations", "disability_certificates",
              "machinery_subsidies", "social_insurance", "poverty_registry"]


class Env:
    def __init__(self, heyan, source, work):
        self.heyan = heyan
        self.source = source
        self.work = work
        self.data = os.path.join(source, "examples", "data")
        self.rules = os.path.join(source, "rules", "examples", "city.heyan")
        os.makedirs(work, exist_ok=True)

    def registry_args(self):
        args = []
        for name in REGISTRIES:
            args += ["--registry", f"{name}={os.path.join(self.data, name + '.csv')}"]
        return args

    def eval(self, *args, stdin=None, rules=None):
        command = [self.heyan, "eval", "--rules", rules or self.rules] + self.registry_args() + list(args)
        return subprocess.run(command, input=stdin, capture_output=True)

    def path(self, name):
        return os.path.join(self.work, name)

    def example_lines(self):
        with open(os.path.join(self.data, "applications.jsonl"), encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f if line.strip()]


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def case_input_order(env):
    """One decision per input line, in input order, whatever the batching and threads."""
    lines = env.example_lines()
    for threads, batch in [("1", "1000"), ("2", "7"), ("3", "1")]:
        out = env.path(f"order_{threads}_{batch}.jsonl")
        r = env.eval("--in", os.path.join(env.data, "applications.jsonl"), "--out", out,
                     "--threads", threads, "--batch-size", batch)
        check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode()}")
        decisions = [json.loads(line) for line in read_lines(out)]
        check(len(decisions) == len(lines), f"{len(decisions)} decisions for {len(lines)} applications")
        for i, (line, decision) in enumerate(zip(lines, decisions)):
            want = json.loads(line)["id"]
            check(decision.get("application_id") == want, f"record {i + 1}: {decision.get('application_id')} != {want}")
            check(decision.get("outcome") in ("ELIGIBLE", "INELIGIBLE", "NEEDS_REVIEW", "MISSING_EVIDENCE"),
                  f"record {i + 1}: outcome {decision.get('outcome')}")


def case_bad_lines(env):
    """Malformed lines become error records at their place; the rest is decided; exit 3."""
    good = env.example_lines()[:30]
    bad = {
        # line number (1-based, counting blank lines) -> (text, field, part of the message)
        4: ('{"id":"BAD4","members":[{"name":"x","birthDate":19800101}]}', "members[0].birth_date", "invalid value"),
        7: ('{"id":"BAD7",', "", "column"),
        9: ('{"id":"BAD9","members":[{"sex":"男人"}]}', "members[0].sex", "heyan.v1.Sex"),
        12: ('{"id":"BAD12","assets":{"homes":{"rooms":3}}}', "assets.homes.rooms", "Cannot find field"),
        15: ("not json at all", "", ""),
        18: ('{"id":"BAD18","members":[{"incomes":[{},{"amountFen":"十二元"}]}]}', "members[0].incomes[1].amount_fen", "invalid value"),
    }
    blank = {2, 10, 11}
    text = []
    records = []  # expected, in order: ("ok", id) or ("error", line, field, part)
    g = iter(good)
    line_no = 0
    while len(records) < 30:
        line_no += 1
        if line_no in blank:
            text.append("   " if line_no == 10 else "")
        elif line_no in bad:
            t, field, part = bad[line_no]
            text.append(t)
            records.append(("error", line_no, field, part))
        else:
            t = next(g)
            text.append(t)
            records.append(("ok", json.loads(t)["id"]))
    src = env.path("bad.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        f.write("\n".join(text))  # no newline after the last line
    out = env.path("bad_out.jsonl")
    r = env.eval("--in", src, "--out", out, "--threads", "2", "--batch-size", "4")
    check(r.returncode == 3, f"exit {r.returncode}, want 3: {r.stderr.decode()}")
    got = [json.loads(line) for line in read_lines(out)]
    check(len(got) == len(records), f"{len(got)} output records, want {len(records)}")
    for want, g in zip(records, got):
        if want[0] == "ok":
            check(g.get("application_id") == want[1], f"want decision {want[1]}, got {g}")
        else:
            _, line, field, part = want
            check("error" in g, f"line {line}: want an error record, got {str(g)[:200]}")
            e = g["error"]
            check(e.get("line") == line, f"error record says line {e.get('line')}, want {line}")
            check(e.get("field") == field, f"line {line}: field {e.get('field')!r}, want {field!r}")
            check(part in e.get("message", ""), f"line {line}: message {e.get('message')!r} lacks {part!r}")
    summary = r.stdout.decode()
    check("错误" in summary and "6" in summary, f"summary does not count the 6 errors:\n{summary}")


def case_parallel_matches_serial(env):
    """--threads 1 and --threads 2 (small batches, traced) write identical bytes."""
    src = os.path.join(env.data, "applications.jsonl")
    outputs = []
    for threads in ("1", "2"):
        out = env.path(f"par_{threads}.jsonl")
        r = env.eval("--in", src, "--out", out, "--threads", threads, "--batch-size", "5", "--trace")
        check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode()}")
        with open(out, "rb") as f:
            outputs.append(f.read())
    check(outputs[0] == outputs[1], "--threads 1 and --threads 2 differ")
    check(outputs[0].count(b"\n") == len(env.example_lines()), "wrong number of decisions")
    check(b'"trace":[' in outputs[0], "--trace did not record a trace")


def case_lean_and_as_of(env):
    """--lean drops titles and messages; --as-of sets the evaluation date of every decision."""
    src = os.path.join(env.data, "applications.jsonl")
    out = env.path("lean.jsonl")
    r = env.eval("--in", src, "--out", out, "--lean", "--as-of", "2024-07-01", "--threads", "1")
    check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode()}")
    decisions = [json.loads(line) for line in read_lines(out)]
    check(all(d.get("as_of") == "2024-07-01" for d in decisions), "--as-of not applied")
    reasons = [reason for d in decisions for reason in d.get("reasons", [])]
    check(reasons and all("title" not in reason and "message" not in reason for reason in reasons),
          "--lean decisions still carry titles or messages")
    r = env.eval("--in", src, "--out", out, "--as-of", "2024-02-30")
    check(r.returncode == 2 and b"--as-of" in r.stderr, f"a bad --as-of must be refused: {r.returncode} {r.stderr.decode()}")


def case_stdin_stdout(env):
    """'-' reads stdin and writes stdout; the summary then goes to stderr (English with --lang=en)."""
    lines = env.example_lines()[:25]
    r = env.eval("--in", "-", "--lang=en", stdin=("\n".join(lines) + "\n").encode())
    check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode()}")
    decisions = r.stdout.decode().splitlines()
    check(len(decisions) == 25, f"{len(decisions)} decisions on stdout, want 25")
    check(all(json.loads(d)["application_id"] == json.loads(a)["id"] for d, a in zip(decisions, lines)), "order")
    err = r.stderr.decode()
    check("eligible" in err and "input errors" in err and "records/s" in err, f"English summary missing:\n{err}")
    # Rule titles stay as the rule file writes them; the labels are English.
    check("输入错误" not in err and "原因" not in err, f"--lang=en summary still has Chinese labels:\n{err}")


def case_missing_registry(env):
    """A registry file that does not exist: exit 2, and the message names the file."""
    missing = os.path.join(env.work, "no_such_payroll.csv")
    r = subprocess.run([env.heyan, "eval", "--rules", env.rules, "--registry", f"财政供养人员={missing}",
                        "--in", os.path.join(env.data, "applications.jsonl"), "--out", env.path("unused.jsonl")],
                       capture_output=True)
    check(r.returncode == 2, f"exit {r.returncode}, want 2")
    check(missing.encode() in r.stderr, f"stderr does not name {missing}: {r.stderr.decode()}")
    # A malformed row names file and line.
    bad = env.path("bad_payroll.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("身份证号,月工资\n410122198001011234,not-a-number\n")
    r = subprocess.run([env.heyan, "eval", "--rules", env.rules, "--registry", f"public_payroll_staff={bad}",
                        "--in", os.path.join(env.data, "applications.jsonl"), "--out", env.path("unused.jsonl")],
                       capture_output=True)
    check(r.returncode == 2, f"exit {r.returncode}, want 2")
    check(f"{bad}:2".encode() in r.stderr, f"stderr does not name {bad}:2: {r.stderr.decode()}")
    # An unknown registry name.
    r = subprocess.run([env.heyan, "eval", "--rules", env.rules, "--registry", f"payroll={bad}",
                        "--in", os.path.join(env.data, "applications.jsonl")], capture_output=True)
    check(r.returncode == 2 and b"payroll" in r.stderr, f"unknown registry: exit {r.returncode} {r.stderr.decode()}")


def case_rule_errors(env):
    """Rule-file errors: diagnostics on stderr, exit 2; a directory with several entry rule sets is refused."""
    broken = env.path("broken.heyan")
    with open(broken, "w", encoding="utf-8") as f:
        f.write('规则集 坏 版本 "1" 依据 "测试"\n规则 R1 "x" 依据 "y"\n  当 没有这个名字 > 0\n  则 不符合\n')
    r = env.eval("--in", os.path.join(env.data, "applications.jsonl"), rules=broken)
    check(r.returncode == 2, f"exit {r.returncode}, want 2")
    check(b"broken.heyan:3" in r.stderr, f"no diagnostic for broken.heyan:3: {r.stderr.decode()}")
    r = env.eval("--in", os.path.join(env.data, "applications.jsonl"),
                 rules=os.path.join(env.source, "rules", "examples"))
    check(r.returncode == 2, f"directory with several entries: exit {r.returncode}, want 2")
    check(b"city.heyan" in r.stderr and b"english.heyan" in r.stderr,
          f"the entry rule sets are not listed: {r.stderr.decode()}")


def case_examples(env):
    """The README's command on the shipped examples: exit 0 and every outcome occurs."""
    out = env.path("examples.jsonl")
    r = env.eval("--in", os.path.join(env.data, "applications.jsonl"), "--out", out)
    check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode()}")
    outcomes = {}
    for line in read_lines(out):
        o = json.loads(line)["outcome"]
        outcomes[o] = outcomes.get(o, 0) + 1
    for o in ("ELIGIBLE", "INELIGIBLE", "NEEDS_REVIEW", "MISSING_EVIDENCE"):
        check(outcomes.get(o, 0) >= 20, f"only {outcomes.get(o, 0)} {o} decisions: {outcomes}")
    summary = r.stdout.decode()
    rows = {}
    for line in summary.splitlines():
        words = line.split()
        if len(words) >= 2 and words[1].replace(",", "").isdigit():
            rows[words[0]] = line
    for label in ("符合", "不符合", "需复核", "缺少材料", "输入错误"):
        check(label in rows, f"summary lacks the row {label}:\n{summary}")
        # Chinese output is Chinese only: no English outcome names beside the labels.
        check(not any("a" <= c.lower() <= "z" for c in rows[label]), f"English in the row {label!r}: {rows[label]!r}")
    for english in ("ELIGIBLE", "NEEDS_REVIEW", "MISSING_EVIDENCE", "input errors", "rule faults"):
        check(english not in summary, f"the Chinese summary shows {english!r}:\n{summary}")


def case_requests(env):
    """VerificationRequest lines (application + its own checks) beside plain applications in one
    file: each request is decided with its own checks, an application with the loaded registries
    only; a registry nobody checked is missing evidence, never "no record"."""
    # Three households that the full run (every registry loaded) decides ELIGIBLE.
    full = env.path("full.jsonl")
    r = env.eval("--in", os.path.join(env.data, "applications.jsonl"), "--out", full)
    check(r.returncode == 0, f"exit {r.returncode}: {r.stderr.decode()}")
    lines_all = env.example_lines()
    apps = [json.loads(lines_all[i]) for i, d in enumerate(read_lines(full))
            if json.loads(d)["outcome"] == "ELIGIBLE"][:3]
    member = apps[0]["members"][0]["idNumber"]
    request = {"application": apps[0], "requestId": "REQ-1",
               "records": {"checks": [{"registry": "财政供养人员", "checkedOn": "2024-05-31",
                                       "reference": "HD-0531-1", "idNumbers": [m["idNumber"] for m in apps[0]["members"]]}],
                           "records": {"publicPayrollStaff": [{"idNumber": member, "employer": "县一中"}]}}}
    bad = {"application": apps[1], "records": {"checks": [{"registry": "财政供养人员", "reference": "x"}]}}
    lines = [json.dumps(request, ensure_ascii=False), json.dumps(apps[2], ensure_ascii=False),
             json.dumps(bad, ensure_ascii=False)]
    out = env.path("requests.jsonl")
    # Without --registry for the payroll list: only the request's own check covers it.
    command = [env.heyan, "eval", "--rules", env.rules, "--in", "-", "--out", out, "--threads", "1"]
    for name in REGISTRIES[1:]:
        command += ["--registry", f"{name}={os.path.join(env.data, name + '.csv')}",
                    "--checked-on", f"{name}=2024-05-01,批次-{name}"]
    r = subprocess.run(command, input=("\n".join(lines) + "\n").encode(), capture_output=True)
    check(r.returncode == 3, f"exit {r.returncode} (want 3: one record is an error): {r.stderr.decode()}")
    got = [json.loads(line) for line in read_lines(out)]
    check(len(got) == 3, f"{len(got)} records")
    first, second, third = got
    check(first.get("request_id") == "REQ-1", f"request id: {first}")
    check(any(x["rule_id"] == "R02" for x in first.get("reasons", [])), f"the request's payroll record: {first}")
    check(first["outcome"] == "NEEDS_REVIEW", f"an eligible household on the payroll (its own check): {first['outcome']}")
    payroll = [c for c in first["checks"] if c["registry"] == "public_payroll_staff"]
    check(payroll and payroll[0]["origin"] == "REQUEST" and payroll[0]["reference"] == "HD-0531-1", f"checks: {first['checks']}")
    loaded = [c for c in first["checks"] if c["registry"] == "staff_relatives"]
    check(loaded and loaded[0]["origin"] == "LOADED" and loaded[0]["checked_on"] == "2024-05-01", f"checks: {first['checks']}")
    check(second["outcome"] == "MISSING_EVIDENCE", f"the application without a payroll check: {second['outcome']}")
    check(any("财政供养人员 未核对" in m["message"] for m in second["missing_evidence"]), f"{second['missing_evidence']}")
    check("error" in third and "records.checks[0].checked_on" in third["error"]["message"], f"error record: {third}")


def all_checked(env):
    """Every registry loaded from an empty file and checked on 2023-07-31 (no records)."""
    args = []
    for name in ["public_payroll_staff", "staff_relatives", "vehicle_registrations", "real_estate",
                 "business_registrations", "machinery_subsidies", "poverty_registry", "disability_certificates",
                 "social_insurance", "deaths"]:
        path = env.path(f"empty_{name}.txt")
        open(path, "w").close()
        args += ["--registry", f"{name}={path}", "--checked-on", f"{name}=2023-07-31,空名册"]
    return args


def case_household_forms(env):
    """One household, five ways to write it (Chinese and English text format, Chinese and
    English JSON, a spreadsheet CSV with one row per member): the same decision from each, and
    heyan explain reads every one of them, a heyan test case file too."""
    forms = os.path.join(env.source, "examples", "forms")
    zz = os.path.join(env.source, "rules", "henan", "zhengzhou", "zhengzhou.heyan")
    registries = all_checked(env)
    decisions = {}
    for name in ["张建国.textproto", "张建国.en.textproto", "张建国.json", "张建国.en.json", "张建国.csv"]:
        r = subprocess.run([env.heyan, "eval", "--rules", zz, "--in", os.path.join(forms, name), "--out", "-"] + registries,
                           capture_output=True)
        check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr.decode()}")
        decisions[name] = r.stdout
    first = decisions["张建国.textproto"]
    for name, d in decisions.items():
        check(d == first, f"{name} decides differently:\n{d.decode()}\n{first.decode()}")
    got = json.loads(first)
    check(got["application_id"] == "ZZ-2023-0417" and got["outcome"] == "ELIGIBLE", f"{got}")
    for name in ["张建国.textproto", "张建国.json", "张建国.en.json"]:
        r = subprocess.run([env.heyan, "explain", "--rules", zz, os.path.join(forms, name)] + registries,
                           capture_output=True)
        check(r.returncode == 0 and "ZZ-2023-0417" in r.stdout.decode(), f"explain {name}: {r.returncode} {r.stderr.decode()}")
    case = os.path.join(env.source, "rules", "henan", "tests", "p92_supporter_on_payroll.textproto")
    r = subprocess.run([env.heyan, "explain", "--rules", os.path.join(env.source, "rules", "henan", "henan.heyan"), case],
                       capture_output=True)
    check(r.returncode == 0 and "R208" in r.stdout.decode(), f"explain of a test case: {r.returncode} {r.stderr.decode()}")
    # A Chinese JSON line with a mistake names the field in Chinese.
    bad = env.path("bad.jsonl")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('{"编号": "X1", "成员": [{"身份证号": "410100197005010011", "收入": [{"金额": 600}]}]}\n')
    r = subprocess.run([env.heyan, "eval", "--rules", zz, "--in", bad, "--out", "-"] + registries, capture_output=True)
    check(r.returncode == 3, f"exit {r.returncode}")
    err = json.loads(r.stdout)["error"]["message"]
    check("成员[1].收入[1].金额" in err and "单位" in err, f"message: {err}")


def case_table_output(env):
    """--out x.csv / x.xlsx: one row per household for people, Chinese headers, amounts in
    yuan, reason titles, ID-like case numbers as text, error rows with their case number and line."""
    zz = os.path.join(env.source, "rules", "henan", "zhengzhou", "zhengzhou.heyan")
    apps = env.path("apps.jsonl")
    with open(os.path.join(env.source, "examples", "forms", "张建国.en.json"), encoding="utf-8") as f:
        good = json.dumps(json.load(f), ensure_ascii=False)
    other = json.loads(good)
    other["id"] = "410100197005010099"  # a case number that looks like an ID number
    with open(apps, "w", encoding="utf-8") as f:
        f.write(good + "\n" + '{"id":"BROKEN-7","members":[{"incomes":[{"amountFen":"-5"}]}]}' + "\n" +
                json.dumps(other, ensure_ascii=False) + "\n")
    registries = all_checked(env)
    csv_out = env.path("out.csv")
    r = subprocess.run([env.heyan, "eval", "--rules", zz, "--in", apps, "--out", csv_out] + registries, capture_output=True)
    check(r.returncode == 3, f"exit {r.returncode}: {r.stderr.decode()}")
    with open(csv_out, encoding="utf-8-sig") as f:
        rows = [line.rstrip("\r\n") for line in f]
    check(rows[0].startswith("编号,县区,乡镇,村居,申请人,结论,保障金额（元）,保障人数"), f"header: {rows[0]}")
    check(rows[1].startswith("ZZ-2023-0417,金水区,丰产路街道,农科路社区,张建国,符合,"), f"row 1: {rows[1]}")
    check("郑州市标准的生效日期未经原文确认" in rows[1], f"reason titles: {rows[1]}")
    check(rows[2].startswith("BROKEN-7,") and "第 2 行" in rows[2], f"error row: {rows[2]}")
    xlsx_out = env.path("out.xlsx")
    r = subprocess.run([env.heyan, "eval", "--rules", zz, "--in", apps, "--out", xlsx_out] + registries, capture_output=True)
    check(r.returncode == 3, f"exit {r.returncode}: {r.stderr.decode()}")
    script = f"""
import openpyxl
wb = openpyxl.load_workbook({xlsx_out!r})
ws = wb.active
rows = list(ws.iter_rows(values_only=True))
assert ws.freeze_panes == "A2", ws.freeze_panes
assert ws.auto_filter.ref, "no filter"
assert rows[0][:8] == ("编号", "县区", "乡镇", "村居", "申请人", "结论", "保障金额（元）", "保障人数"), rows[0]
assert rows[1][0] == "ZZ-2023-0417" and rows[1][5] == "符合" and isinstance(rows[1][6], (int, float)), rows[1]
assert rows[3][0] == "410100197005010099" and isinstance(rows[3][0], str), rows[3]
assert ws.cell(row=4, column=1).data_type == "s"
assert rows[2][0] == "BROKEN-7" and "第 2 行" in rows[2][-1], rows[2]
print("xlsx ok")
"""
    r = subprocess.run(["/usr/bin/python3", "-c", script], capture_output=True)
    check(r.returncode == 0, f"openpyxl: {r.stdout.decode()} {r.stderr.decode()}")


if __name__ == "__main__":
    sys.exit(run_case(globals(), __doc__, Env))
