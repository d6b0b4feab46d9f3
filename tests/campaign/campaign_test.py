#!/usr/bin/python3
"""End-to-end checks of the caseload campaign: `heyan screen`, `heyan disclose`, `heyan diff`
(one ctest per case). Runs the built tool on the shipped example campaign
(examples/campaign/, made by its generate.py).

    campaign_test.py CASE HEYAN SOURCE_DIR WORK_DIR

CASE is one of the functions below named case_*, without the prefix. The ledger test opens
the .xlsx with Debian's python3-openpyxl; the render test runs headless Chromium.
"""

import csv
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Env:
    def __init__(self, heyan, source, work):
        self.heyan = heyan
        self.source = source
        self.work = work
        self.data = os.path.join(source, "examples", "campaign")
        self.rules = os.path.join(source, "rules", "henan", "zhengzhou", "zhengzhou.heyan")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)

    def path(self, name):
        return os.path.join(self.work, name)

    def registry_args(self, skip=(), replace=None):
        args = []
        for f in sorted(glob.glob(os.path.join(self.data, "registries", "*"))):
            name = os.path.splitext(os.path.basename(f))[0]
            if name in skip:
                continue
            args += ["--registry", f"{name}={(replace or {}).get(name, f)}"]
        return args

    def run(self, *args):
        return subprocess.run([self.heyan] + list(args), capture_output=True, text=True)

    def screen(self, out, *extra, skip=(), replace=None, roll=None, history=True, roster=True):
        args = ["screen", "--rules", self.rules, "--roll", roll or os.path.join(self.data, "roll.jsonl"),
                "--as-of", "2024-09-30", "--out", out] + self.registry_args(skip, replace)
        if history:
            args += ["--history", os.path.join(self.data, "history.jsonl")]
        if roster:
            args += ["--roster", os.path.join(self.data, "roster.jsonl")]
        r = self.run(*(args + list(extra)))
        return r

    def ledger(self, *extra, **kw):
        out = self.path("ledger.jsonl")
        r = self.screen(out, *extra, **kw)
        check(r.returncode == 0, f"heyan screen failed: {r.stderr}")
        rows = {}
        with open(out, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                rows[row["key"]] = row
        return rows, r.stderr

    def roll(self):
        with open(os.path.join(self.data, "roll.jsonl"), encoding="utf-8") as f:
            return [json.loads(line)["household"] for line in f if line.strip()]


def groups(row):
    return [{"POVERTY_NOT_ENROLLED": 1, "REFUSED_PAST_YEAR": 2, "EXITED_PAST_YEAR": 3, "STAFF_RELATIVE": 4,
             "SEVERELY_DISABLED": 5}[g] for g in row.get("groups", [])]


def in_group(rows, key, group):
    return key in rows and group in groups(rows[key])


def case_example_data_reproducible(env):
    out = env.path("gen")
    r = subprocess.run([sys.executable, os.path.join(env.data, "generate.py"), "--out", out], capture_output=True, text=True)
    check(r.returncode == 0, r.stderr)
    made = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    check(len(made) == 13, f"roll, history, roster and ten registries: {made}")
    for name in made:
        with open(os.path.join(out, name), "rb") as a, open(os.path.join(env.data, name), "rb") as b:
            check(a.read() == b.read(), f"examples/campaign/{name} is what generate.py makes (run it again)")


# ---- the five groups: each has a household that must be in it and one that must not ----------


def case_group1_poverty(env):
    rows, _ = env.ledger()
    check(in_group(rows, "在保:XM-CASE-POV-UNCOVERED", 1), "a 建档立卡 member not covered puts the household in group 1")
    check(in_group(rows, "建档立卡:410105002002", 1), "a registered poor household with nobody on the roll is a group-1 row")
    # Its other member is 建档立卡 too but covered: only the uncovered one is named.
    reason = rows["在保:XM-CASE-POV-UNCOVERED"]["group_reasons"][0]
    check(reason.count("建档立卡贫困人口") == 1, f"only the uncovered member is a reason: {reason}")
    check("建档立卡:410105001001" not in rows, "a poor household whose members are on the roll is no registry row")
    check(not any(1 in groups(r) for k, r in rows.items() if k.startswith("在保:XM2021-")),
          "ordinary households are not in group 1")


def case_group2_refused(env):
    rows, _ = env.ledger()
    check(in_group(rows, "未批:XM2024-R0001", 2) and in_group(rows, "未批:XM2024-R0002", 2),
          "refusals of the past 12 months are group 2")
    check("未批:XM2023-R0099" not in rows, "a refusal of 2023-06-30 is older than 12 months before 2024-09-30")
    check(rows["未批:XM2024-R0002"]["outcome"] == "符合", "a refused household is decided again with the current rules")
    rows, _ = env.ledger(history=False)
    check(not any(2 in groups(r) for r in rows.values()), "no history file, no group 2")


def case_group3_exited(env):
    rows, _ = env.ledger()
    check(in_group(rows, "退出:XM2020-00321", 3), "an exit of 2024-08-01 is group 3")
    check(in_group(rows, "在保:XM-CASE-REENROLLED", 3), "a household that exited and is back on the roll is group 3")
    check("退出:XM2019-00777" not in rows, "an exit whose household is back on the roll is not a second row")
    check("退出:XM2018-00111" not in rows, "an exit of 2022 is older than 12 months")


def case_group4_relatives(env):
    rows, _ = env.ledger()
    check(in_group(rows, "在保:XM-CASE-REL-DECLARED", 4), "a member in 近亲属备案 is group 4")
    check(in_group(rows, "在保:XM-CASE-REL-STAFF-SELF", 4), "a covered member on the roster is group 4")
    check(in_group(rows, "在保:XM-CASE-REL-UNDECLARED", 4), "a relative known from household registration is group 4")
    reason = rows["在保:XM-CASE-REL-UNDECLARED"]["group_reasons"][0]
    check("未在近亲属备案中登记" in reason, f"the never-declared relative is said so: {reason}")
    check(sum(4 in groups(r) for r in rows.values()) == 3, "exactly the three relatives' households are group 4")
    rows, _ = env.ledger(roster=False)
    check(in_group(rows, "在保:XM-CASE-REL-DECLARED", 4), "declared relatives are found without a roster")
    check(not in_group(rows, "在保:XM-CASE-REL-UNDECLARED", 4), "undeclared ones need the roster")


def case_group5_disabled(env):
    rows, _ = env.ledger()
    check(in_group(rows, "在保:XM-CASE-DIS-GRADE1", 5), "a covered member with a grade-1 certificate is group 5")
    check(in_group(rows, "在保:XM-CASE-DIS-UNCOVERED", 5), "grade-3 intellectual disability is severe")
    check(not in_group(rows, "在保:XM-CASE-DIS-GRADE3-PHYSICAL", 5), "grade-3 physical disability is not severe")
    missed = [k for k in rows if k.startswith("残疾人证:")]
    check(len(missed) == 1, f"exactly one certificate holder off the roll is severe (a grade-4 one is not): {missed}")
    check(in_group(rows, missed[0], 5), "the 漏保 candidate is group 5")


# ---- the list comparisons ----------------------------------------------------------------------


def case_compare_payroll(env):
    rows, err = env.ledger()
    check(any("财政供养人员" in f for f in rows["在保:XM-CASE-PAYROLL"].get("findings", [])),
          "a covered member on the payroll is a finding")
    check(sum(any("财政供养人员" in f for f in r.get("findings", [])) for r in rows.values()) == 1,
          "the payroll record of someone off the roll names no household")
    check("保障成员中的财政供养人员：1 人" in err, err)
    rows, err = env.ledger(skip=("public_payroll_staff",))
    check("保障成员中的财政供养人员：未比对" in err, "an unloaded registry is 'not compared', never 0")


def case_compare_disability(env):
    rows, err = env.ledger()
    check(any("漏保" in f for f in rows["在保:XM-CASE-DIS-UNCOVERED"].get("findings", [])),
          "a severely disabled member listed but not covered is a 漏保 finding")
    check(not rows["在保:XM-CASE-DIS-GRADE1"].get("findings"), "a covered severely disabled member is no finding")
    check("重度残疾人不在低保名册（漏保候选）：1 人" in err, err)
    rows, err = env.ledger(skip=("disability_certificates",))
    check(not any(k.startswith("残疾人证:") for k in rows), "no certificate registry, no 漏保 rows")
    check("重度残疾人不在低保名册（漏保候选）：未比对" in err, err)


def case_compare_poverty(env):
    _, err = env.ledger()
    check("保障成员中的建档立卡人员：1 人" in err, err)
    check("建档立卡人员不在低保名册：3 人（1 户）" in err, err)
    check("建档立卡人员在低保户中但未纳入保障：1 人" in err, err)


# ---- the ledger ---------------------------------------------------------------------------------


def case_ledger_xlsx(env):
    import openpyxl
    out = env.path("ledger.xlsx")
    r = env.screen(out)
    check(r.returncode == 0, r.stderr)
    wb = openpyxl.load_workbook(out)
    check(wb.sheetnames[0] == "汇总", f"the summary comes first: {wb.sheetnames}")
    check(set(wb.sheetnames[1:]) == {"经八路街道", "花园路街道", "文化路街道", "（乡镇未知）"}, f"one sheet per township: {wb.sheetnames}")
    expected_header = ["序号", "台账编号", "来源", "县区", "乡镇", "村居", "编号", "户主姓名", "户主身份证号", "重点群体"]
    group_counts = [0] * 6
    rows = 0
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        check(header[:10] == expected_header, f"{name}: headers {header}")
        check(ws.freeze_panes == "A2", f"{name}: header row frozen ({ws.freeze_panes})")
        check(ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), f"{name}: filter {ws.auto_filter.ref}")
        id_col = header.index("户主身份证号")
        for row in ws.iter_rows(min_row=2):
            rows += 1
            cell = row[id_col]
            if cell.value:
                check(cell.data_type == "s" and isinstance(cell.value, str) and len(cell.value) == 18,
                      f"{name}: ID number {cell.value!r} stored as text")
                check(cell.number_format == "@", f"{name}: ID column formatted as text ({cell.number_format})")
            check(row[header.index("乡镇")].value in (name, None) or name == "（乡镇未知）", "rows are filed by township")
            for g in str(row[header.index("重点群体")].value or "").split("、"):
                if g:
                    group_counts[int(g)] += 1
    check(group_counts[1:] == [2, 2, 2, 3, 3], f"group counts in the sheets: {group_counts[1:]}")
    summary = {r[0].value: [c.value for c in r[1:]] for r in wb["汇总"].iter_rows() if r[0].value}
    for g, n in zip(range(1, 6), group_counts[1:]):
        label = next(k for k in summary if isinstance(k, str) and k.startswith(f"{g} "))
        check(summary[label][0] == n, f"summary of group {g}: {summary[label]} vs {n}")
    check(summary["合计"][0] == rows, f"summary total {summary['合计']} vs {rows} rows")


def case_ledger_csv_matches_jsonl(env):
    r = env.screen(env.path("l.csv"))
    check(r.returncode == 0, r.stderr)
    rows, _ = env.ledger()
    with open(env.path("l.csv"), encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    check([t["台账编号"] for t in table] == list(rows), "CSV and JSONL hold the same rows in the same order")
    check(all(re.fullmatch(r"\d{17}[\dX]|", t["户主身份证号"]) for t in table), "CSV ID numbers intact")


def case_bad_roll_line(env):
    roll = env.path("roll.jsonl")
    lines = open(os.path.join(env.data, "roll.jsonl"), encoding="utf-8").read().splitlines()
    h = json.loads(lines[2])
    del h["household"]["enrollment"]
    lines[2] = json.dumps(h, ensure_ascii=False)
    open(roll, "w", encoding="utf-8").write("\n".join(lines) + "\n")
    r = env.screen(env.path("l.xlsx"), roll=roll)
    check(r.returncode == 1, f"exit 1, got {r.returncode}")
    check(f"{roll}:3: household.enrollment" in r.stderr, r.stderr)
    check(not os.path.exists(env.path("l.xlsx")), "no ledger is left behind after an error")
    r = env.run("screen", "--rules", env.rules, "--roll", roll, "--out", env.path("x.xlsx"))
    check(r.returncode == 2 and "--as-of" in r.stderr, "the campaign date is required")
    # Lines the fast reader takes and lines it hands to protobuf name the field alike.
    for line, want in [('{"household":{"id":"A","enrollment":{"monthlyAmountFen":"-5"}}}',
                        "household.enrollment.monthly_amount_fen: 不能为负数"),
                       ('{"household":{"id":"A","bogus":1}}', "household.bogus"),
                       ('{"household":{"id":"A"},"extra":1}', "extra"),
                       ('not json', "不是有效的记录")]:
        open(roll, "w", encoding="utf-8").write(lines[0] + "\n" + line + "\n")
        r = env.screen(env.path("l.csv"), roll=roll)
        check(r.returncode == 1 and f"{roll}:2: " in r.stderr and want in r.stderr, f"{line}: {r.stderr}")


# ---- the campaign state -------------------------------------------------------------------------


def case_state_visits_survive(env):
    db = env.path("campaign.sqlite")
    out = env.path("l.csv")
    check(env.screen(out, "--db", db).returncode == 0, "first run")
    key = "在保:XM-CASE-INCOME-HIGH"
    r = env.run("screen", "record-visit", "--db", db, "--key", key, "--date", "2024-10-08", "--staff", "王敏",
                "--result", "停保清退", "--finding", "务工月收入约900元")
    check(r.returncode == 0, r.stderr)
    # A different result for the same visit is refused, and nothing changes.
    r = env.run("screen", "record-visit", "--db", db, "--key", key, "--date", "2024-10-08", "--staff", "王敏",
                "--result", "保留")
    check(r.returncode == 1 and "已有核查记录" in r.stderr and "--correct" in r.stderr, r.stderr)
    # A mistyped key is refused.
    r = env.run("screen", "record-visit", "--db", db, "--key", "在保:NO-SUCH", "--date", "2024-10-08", "--staff", "王敏",
                "--result", "保留")
    check(r.returncode == 1 and "不在活动数据库的台账中" in r.stderr, r.stderr)
    # A re-run after new registry data: the visit is still there, the change is shown.
    empty = env.path("empty.txt")
    open(empty, "w").close()
    r = env.screen(out, "--db", db, replace={"public_payroll_staff": empty})
    check(r.returncode == 0, r.stderr)
    with open(out, encoding="utf-8") as f:
        table = {t["台账编号"]: t for t in csv.DictReader(f)}
    check(table[key]["核查结果"] == "停保清退" and table[key]["核查人"] == "王敏", "the visit survives the re-run")
    check("1 户已移出台账" in r.stderr, f"the payroll household left the ledger: {r.stderr}")
    # A correction keeps the first entry.
    r = env.run("screen", "record-visit", "--db", db, "--key", key, "--date", "2024-10-08", "--staff", "王敏",
                "--result", "保留", "--correct")
    check(r.returncode == 0, r.stderr)
    visits = sqlite3.connect(db).execute("SELECT result, superseded_by FROM visits ORDER BY id").fetchall()
    check(len(visits) == 2 and visits[0][1] == 2 and visits[1][1] is None, f"both entries kept: {visits}")


def case_state_foreign_db(env):
    db = env.path("other.sqlite")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE accounts(id INTEGER)")
    con.commit()
    con.close()
    before = open(db, "rb").read()
    r = env.screen(env.path("l.csv"), "--db", db)
    check(r.returncode == 1 and "不是 heyan 活动数据库" in r.stderr, r.stderr)
    check(open(db, "rb").read() == before, "another application's database is left as it was")
    open(env.path("junk.sqlite"), "w").write("not a database\n")
    r = env.screen(env.path("l.csv"), "--db", env.path("junk.sqlite"))
    check(r.returncode == 1 and "不是 heyan 活动数据库" in r.stderr, r.stderr)


def case_state_duplicate_key(env):
    lines = open(os.path.join(env.data, "roll.jsonl"), encoding="utf-8").read().splitlines()
    dup = [l for l in lines if "XM-CASE-INCOME-HIGH" in l][0]
    roll = env.path("roll.jsonl")
    open(roll, "w", encoding="utf-8").write("\n".join(lines + [dup]) + "\n")
    r = env.screen(env.path("l.csv"), "--db", env.path("c.sqlite"), roll=roll)
    check(r.returncode == 1 and "在保:XM-CASE-INCOME-HIGH" in r.stderr and "重复" in r.stderr, r.stderr)
    runs = sqlite3.connect(env.path("c.sqlite")).execute("SELECT count(*) FROM runs WHERE finished = 1").fetchone()[0]
    check(runs == 0, "the failed run left nothing behind")


def case_state_change_shown(env):
    db = env.path("campaign.sqlite")
    out = env.path("l.jsonl")
    check(env.screen(out, "--db", db).returncode == 0, "first run")
    rows = [json.loads(l) for l in open(out, encoding="utf-8")]
    check(all(not r.get("change") for r in rows), "nothing changed on the first run")
    # New registry data: the grade-1 certificate is withdrawn.
    dis = env.path("dis.csv")
    src = open(os.path.join(env.data, "registries", "disability_certificates.csv"), encoding="utf-8").read().splitlines()
    grade1 = [h for h in env.roll() if h["id"] == "XM-CASE-DIS-GRADE1"][0]["members"][1]["idNumber"]
    open(dis, "w", encoding="utf-8").write("\n".join(l for l in src if not l.startswith(grade1)) + "\n")
    r = env.screen(out, "--db", db, replace={"disability_certificates": dis})
    check(r.returncode == 0, r.stderr)
    rows = {json.loads(l)["key"]: json.loads(l) for l in open(out, encoding="utf-8")}
    change = rows["在保:XM-CASE-DIS-GRADE1"].get("change", "")
    # The member still declares grade 1 (group 5 stays), but without a certificate the rules ask
    # for a visit (R504): the change column says so.
    check("复核结论：符合 → 需复核" in change, f"the change says what: {change!r}")
    check(len([r for r in rows.values() if r.get("change")]) == 1, "only that row changed")


def case_import_visits_csv(env):
    db = env.path("campaign.sqlite")
    out = env.path("l.csv")
    check(env.screen(out, "--db", db).returncode == 0, "first run")
    with open(out, encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    header = list(table[0].keys())
    for t in table:
        if t["台账编号"] == "在保:XM-CASE-AMOUNT-OLD":
            t.update({"核查日期": "2024/10/9", "核查人": "李强", "核查结果": "调整", "核查情况": "收入有变化,\"已核实\""})
    filled = env.path("filled.csv")
    with open(filled, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(table)
    r = env.run("screen", "import-visits", "--db", db, filled)
    check(r.returncode == 0 and "录入 1 条" in r.stderr, r.stderr)
    r = env.run("screen", "import-visits", "--db", db, filled)
    check(r.returncode == 0 and "内容相同未重复录入 1 条" in r.stderr, "importing twice adds nothing: " + r.stderr)
    check(env.screen(out, "--db", db).returncode == 0, "re-run")
    with open(out, encoding="utf-8") as f:
        row = [t for t in csv.DictReader(f) if t["台账编号"] == "在保:XM-CASE-AMOUNT-OLD"][0]
    check(row["核查日期"] == "2024-10-09", f"a spreadsheet date is read: {row}")
    check(row["核查结果"] == "调整" and row["核查情况"] == "收入有变化,\"已核实\"", f"imported visit shown: {row}")


def case_import_visits_xlsx(env):
    import datetime
    import openpyxl
    db = env.path("campaign.sqlite")
    out = env.path("ledger.xlsx")
    check(env.screen(out, "--db", db).returncode == 0, "first run")
    # The township fills in the visit columns in a spreadsheet program and saves: openpyxl
    # rewrites the workbook with shared strings and a real date cell, as Excel does.
    wb = openpyxl.load_workbook(out)
    ws = wb["花园路街道"]
    header = [c.value for c in ws[1]]
    filled = 0
    for row in ws.iter_rows(min_row=2):
        if row[header.index("台账编号")].value == "在保:XM-CASE-INCOME-HIGH":
            row[header.index("核查日期")].value = datetime.date(2024, 10, 8)
            row[header.index("核查人")].value = "王敏、张伟"
            row[header.index("核查结果")].value = "停保清退"
            row[header.index("核查情况")].value = "务工收入 & 养老金 <核实>"
            filled += 1
    check(filled == 1, "the household is on the 花园路街道 sheet")
    filled_path = env.path("filled.xlsx")
    wb.save(filled_path)
    r = env.run("screen", "import-visits", "--db", db, filled_path)
    check(r.returncode == 0 and "录入 1 条" in r.stderr, r.stderr)
    visits = sqlite3.connect(db).execute("SELECT ledger_key, visited_on, staff, finding FROM visits").fetchall()
    check(visits == [("在保:XM-CASE-INCOME-HIGH", "2024-10-08", "王敏、张伟", "务工收入 & 养老金 <核实>")],
          f"the visit as entered: {visits}")
    # A result that is not one of the five is refused, naming the sheet and row.
    ws.cell(row=2, column=header.index("核查结果") + 1).value = "待定"
    ws.cell(row=2, column=header.index("核查日期") + 1).value = "2024-10-09"
    ws.cell(row=2, column=header.index("核查人") + 1).value = "李强"
    wb.save(filled_path)
    r = env.run("screen", "import-visits", "--db", db, filled_path)
    check(r.returncode == 1 and "花园路街道" in r.stderr and "第 2 行" in r.stderr and "待定" in r.stderr, r.stderr)
    open(env.path("not.xlsx"), "w").write("plain text")
    r = env.run("screen", "import-visits", "--db", db, env.path("not.xlsx"))
    check(r.returncode == 1 and "不是 .xlsx 文件" in r.stderr, r.stderr)


# ---- notices ------------------------------------------------------------------------------------


def notices(env):
    out = env.path("notices")
    r = env.run("disclose", "--roll", os.path.join(env.data, "roll.jsonl"), "--as-of", "2024-10-01", "--out-dir", out)
    check(r.returncode == 0, r.stderr)
    return out, r.stderr


def case_disclose_privacy(env):
    out, err = notices(env)
    files = sorted(glob.glob(os.path.join(out, "*")))
    check(len(files) == 6, f"three levels, HTML and CSV: {files}")
    text = {f: open(f, encoding="utf-8").read() for f in files}
    roll = env.roll()
    ids = {m["idNumber"] for h in roll for m in h["members"]}
    for f, t in text.items():
        for i in ids:
            check(i not in t, f"{os.path.basename(f)} shows ID number {i}")
        check(not re.search(r"\d{17}[\dX]", t), f"{os.path.basename(f)} shows something like an ID number")
    withheld = {"XM-CASE-CONF-MINOR", "XM-CASE-CONF-HIV", "XM-CASE-CONF-FLAG"}
    hidden = {m["name"] for h in roll if h["id"] in withheld for m in h["members"]}
    shown = {h["members"][0]["name"] for h in roll if h["id"] not in withheld}
    for f, t in text.items():
        for name in hidden:
            check(name not in t, f"{os.path.basename(f)} shows withheld person {name}")
    village = text[os.path.join(out, "村居公示.html")]
    township = text[os.path.join(out, "乡镇公示.html")]
    for name in shown:
        check(name in village and name in township, f"{name} is on the notices")
    check("未予公示" in village and "本名单未列" in township, "the withheld count is stated")
    check(sum(int(n) for n in re.findall(r"本名单未列 (\d+) 户", township)) == 3, "three households withheld")
    check("3 户依规定不公示姓名" in err, err)
    county = text[os.path.join(out, "县级汇总.csv")]
    check(f"合计,{len(roll)}," in county, "the county total counts every household, withheld ones too")


def case_disclose_render(env):
    out, _ = notices(env)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    check(chromium, "chromium is needed for the render test")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
    roll = env.roll()
    expect = {"村居公示": ["最低生活保障对象公示", "保障金额（元/月）", "致困原因", "批准时间", roll[0]["members"][0]["name"]],
              "乡镇公示": ["最低生活保障对象名单", "本名单未列"],
              "县级汇总": ["最低生活保障对象汇总", "合计"]}
    for page, wants in expect.items():
        html = os.path.join(out, page + ".html")
        png = env.path(page + ".png")
        subprocess.run([chromium] + flags + [f"--user-data-dir={env.path('p-' + page)}", f"--screenshot={png}",
                                             "--window-size=1240,1754", "file://" + html],
                       capture_output=True, timeout=180)
        check(os.path.exists(png), f"{page}: no screenshot")
        check(os.path.getsize(png) > 20000, f"{page}: screenshot only {os.path.getsize(png)} bytes")
        r = subprocess.run([sys.executable, os.path.join(env.source, "tests", "explain", "check_png.py"), png])
        check(r.returncode == 0, f"{page}: blank screenshot")
        dom = subprocess.run([chromium] + flags + [f"--user-data-dir={env.path('d-' + page)}", "--dump-dom",
                                                   "file://" + html], capture_output=True, text=True, timeout=180).stdout
        for w in wants:
            check(w in dom, f"{page}: rendered DOM lacks {w!r}")


# ---- partitions (examples/dask_campaign.py) ----------------------------------------------------


def case_dask_matches_single(env):
    single, _ = env.ledger()
    script = os.path.join(env.source, "examples", "dask_campaign.py")
    common = ["--heyan", env.heyan, "--rules", env.rules, "--roll", os.path.join(env.data, "roll.jsonl"),
              "--history", os.path.join(env.data, "history.jsonl"), "--roster", os.path.join(env.data, "roster.jsonl"),
              "--as-of", "2024-09-30"]
    reg = env.registry_args()
    common += [x for i in range(0, len(reg), 2) for x in ("--registry", reg[i + 1])]
    for mode in (["--no-dask", "--partitions", "5"], ["--workers", "2", "--partitions", "4"]):
        out = env.path("dask.jsonl")
        r = subprocess.run([sys.executable, script, *common, *mode, "--out", out, "--workdir", env.path("w")],
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, f"{mode}: {r.stderr}")
        rows = [json.loads(l) for l in open(out, encoding="utf-8")]
        check([r["key"] for r in rows] == list(single), f"{mode}: the same rows in the same order")
        check(all(r == single[r["key"]] for r in rows), f"{mode}: row for row the same ledger")
    # A partition whose marks are missing is refused by the merge, naming the file.
    r = env.run("screen", "--rules", env.rules, "--as-of", "2024-09-30", "--out", env.path("m.jsonl"),
                "--merge", f"{env.path('w')}/rows-00000.jsonl={env.path('none.txt')}")
    check(r.returncode == 1 and "none.txt" in r.stderr, r.stderr)


# ---- diff ---------------------------------------------------------------------------------------


def case_diff_golden(env):
    golden = os.path.join(env.source, "tests", "campaign", "golden", "diff_2023_2024.txt")
    # 2023 → 2024: the Zhengzhou urban standard 740元 (2023-07-01) → 750元 (2024-07-01). The old
    # version is the same rule set with the 2023 standard for every date.
    r = env.run("diff", "--old", env.rules, "--old-param", "郑州市城市低保标准=740元", "--new", env.rules,
                "--in", os.path.join(env.data, "roll.jsonl"), "--as-of", "2024-09-30", *env.registry_args())
    check(r.returncode == 0, r.stderr)
    # Paths in the header are the caller's; the golden file has them relative to the source.
    got = r.stdout.replace(env.source + "/", "")
    if os.environ.get("HEYAN_UPDATE_GOLDEN"):
        open(golden, "w", encoding="utf-8").write(got)
    want = open(golden, encoding="utf-8").read()
    # Applications (one per line) as well as the roll; CSV for spreadsheets.
    r2 = env.run("diff", "--old", env.rules, "--old-param", "郑州市城市低保标准=740元", "--new", env.rules,
                 "--in", os.path.join(env.source, "examples", "data", "applications.jsonl"), "--in-type", "applications",
                 "--as-of", "2024-09-30", "--format", "csv", *env.registry_args())
    check(r2.returncode == 0 and "共 400 户" in r2.stderr, r2.stderr)
    check(r2.stdout.startswith("编号,乡镇,村居,旧结论,新结论"), r2.stdout[:200])
    check(got == want, "heyan diff output differs from tests/campaign/golden/diff_2023_2024.txt "
                       "(HEYAN_UPDATE_GOLDEN=1 rewrites it):\n" + got)


def main():
    case, heyan, source, work = sys.argv[1:5]
    globals()["case_" + case](Env(heyan, os.path.abspath(source), os.path.join(work, case)))
    print(f"{case}: ok")


if __name__ == "__main__":
    main()
