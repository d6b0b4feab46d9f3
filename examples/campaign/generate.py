#!/usr/bin/python3
"""Generates the example campaign data (examples/campaign/), reproducibly.

A made-up county caseload for `heyan screen`, `heyan disclose` and `heyan diff`: the roll
of enrolled urban households of 金水区 (three townships), a year of refusals and exits,
the staff roster, and the registries the Zhengzhou rules check. Nothing describes a real
person. Named households (编号 XM-CASE-…) each put a known household into one key group or
list comparison, or must stay out of it; tests/campaign/ rely on them.

    /usr/bin/python3 examples/campaign/generate.py              # writes examples/campaign/
    /usr/bin/python3 examples/campaign/generate.py --households 1000000 --out /tmp/big
        # a large roll for the scale benchmark (roll.jsonl only, plus empty registries)

Same arguments, same bytes: the generator uses its own seeded random.Random.
"""

from __future__ import annotations

import argparse
import json
import os
import random

COUNTY = "金水区"
COUNTY_CODE = "410105"
TOWNSHIPS = {
    "经八路街道": ["东街社区", "西街社区", "南街社区"],
    "花园路街道": ["青屏社区", "金凤社区"],
    "文化路街道": ["新华社区", "民主社区", "矿区社区"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国秀英桂兰玉兰淑珍志强海燕丽娟红梅德明永福金花凤英春生秋菊冬梅文华晓东明辉国庆振华雪梅新民保国素芳慧敏宏伟长顺家乐子涵思远佳怡浩然欣怡宇航梓萱俊杰雨桐一鸣诗琪"
STANDARD_2024_FEN = 75000  # 郑州市城市低保标准 750元 (2024-07-01 起, rules/henan/zhengzhou)
AS_OF = "2024-09-30"


def check_char(id17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(id17, weights))
    return "10X98765432"[total % 11]


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self.seq = 0

    def person_id(self, birth: str, female: bool) -> str:
        while True:
            self.seq += 1
            serial = self.rng.randrange(0, 500) * 2 + (0 if female else 1)
            id17 = COUNTY_CODE + birth.replace("-", "") + f"{serial:03d}"[-3:]
            pid = id17 + check_char(id17)
            if pid not in self.ids:
                self.ids.add(pid)
                return pid

    def name(self) -> str:
        # Unique names: the privacy test looks for withheld persons' names in the notices.
        while True:
            n = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(2))
            if n not in self.names:
                self.names.add(n)
                return n

    def birth(self, lo: int, hi: int) -> str:
        return f"{self.rng.randrange(lo, hi)}-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}"

    def member(self, relation: str, lo: int = 1940, hi: int = 1965, **extra) -> dict:
        female = self.rng.random() < 0.5
        birth = self.birth(lo, hi)
        m = {"idNumber": self.person_id(birth, female), "name": self.name(),
             "sex": "FEMALE" if female else "MALE", "birthDate": birth, "relation": relation,
             "livesTogether": True, "workCapacity": "NONE"}
        m.update(extra)
        return m


def household(g: Gen, hid: str, township: str, village: str, members: list[dict], income_fen: int,
              category: str = "城市低保", cause: str = "OLD_AGE", amount_fen: int | None = None,
              approved_on: str = "2021-03-01") -> dict:
    """An urban household whose benefit under the 2024 Zhengzhou rules is 750元 × n − income."""
    if income_fen:
        members[0].setdefault("incomes", []).append(
            {"kind": "NET_TRANSFER", "source": "PENSION", "amountFen": str(income_fen), "period": "MONTHLY",
             "afterTax": True})
    n = len(members)
    if amount_fen is None:
        amount_fen = STANDARD_2024_FEN * n - income_fen
    return {
        "id": hid, "kind": "RECHECK", "county": COUNTY, "township": township, "village": village,
        "hukouType": "URBAN", "applicationDate": "2021-02-15", "declaresStaffRelative": False,
        "members": members,
        "assets": {"homes": {"count": 1, "totalAreaCentiM2": str(6000 + 1000 * n), "nonResidentialCount": 0},
                   "financial": {"cashFen": "0", "depositsFen": str(200000 * n), "securitiesFen": "0",
                                 "commercialInsuranceFen": "0"}},
        "enrollment": {"category": category, "hardshipCause": cause, "approvedOn": approved_on,
                       "monthlyAmountFen": str(amount_fen), "coveredMembers": [m["idNumber"] for m in members],
                       "lastReviewOn": "2024-03-15", "nextReviewDue": "2025-03-15"},
    }


def write_jsonl(path: str, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def write_csv(path: str, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


def example(out: str, seed: int) -> None:
    g = Gen(seed)
    roll: list[dict] = []
    places = [(t, v) for t, vs in TOWNSHIPS.items() for v in vs]
    payroll, relatives, poverty, disability, roster, history = [], [], [], [], [], []

    def place(i: int):
        return places[i % len(places)]

    # Ordinary households: 符合, amount as the rules compute it (保留; not in the ledger).
    for i in range(40):
        t, v = place(i)
        members = [g.member("SELF", workCapacity="PARTIAL")]
        if g.rng.random() < 0.6:
            members.append(g.member("SPOUSE"))
        income = g.rng.randrange(0, 40) * 1000
        roll.append(household(g, f"XM2021-{i + 1:05d}", t, v, members, income))

    def case(name: str, township: str, village: str, members: list[dict], income: int = 30000, **kw) -> dict:
        h = household(g, f"XM-CASE-{name}", township, village, members, income, **kw)
        roll.append(h)
        return h

    # Group 4: a member declared in 近亲属备案 (R401/R403 ask for a visit as well).
    h = case("REL-DECLARED", "经八路街道", "东街社区", [g.member("SELF")])
    staff_a = g.member("SELF", 1970, 1985)
    relatives.append([h["members"][0]["idNumber"], h["members"][0]["name"], staff_a["idNumber"], staff_a["name"],
                      "低保经办人员", "父母"])
    roster.append({"idNumber": staff_a["idNumber"], "name": staff_a["name"], "role": "DIBAO_STAFF",
                   "county": COUNTY, "township": "经八路街道"})
    # Group 4: a relative known from household registration only (never declared).
    h = case("REL-UNDECLARED", "花园路街道", "青屏社区", [g.member("SELF"), g.member("SPOUSE")])
    cadre = g.member("SELF", 1975, 1988)
    roster.append({"idNumber": cadre["idNumber"], "name": cadre["name"], "role": "VILLAGE_CADRE",
                   "county": COUNTY, "township": "花园路街道", "village": "青屏社区",
                   "relatives": [{"idNumber": h["members"][1]["idNumber"], "name": h["members"][1]["name"],
                                  "relationship": "母亲"}]})
    # Group 4: a covered member who is on the roster himself.
    h = case("REL-STAFF-SELF", "文化路街道", "矿区社区", [g.member("SELF", 1960, 1964)])
    roster.append({"idNumber": h["members"][0]["idNumber"], "name": h["members"][0]["name"],
                   "role": "VILLAGE_CADRE", "county": COUNTY, "township": "文化路街道", "village": "矿区社区"})
    # Not group 4: a roster cadre's relative who lives in another county's roll (not on ours).
    roster.append({"idNumber": g.member("SELF", 1970, 1980)["idNumber"], "name": g.name(), "role": "VILLAGE_CADRE",
                   "county": COUNTY, "township": "经八路街道", "village": "西街社区",
                   "relatives": [{"idNumber": g.member("CHILD", 1995, 2000)["idNumber"], "relationship": "子女"}]})

    # Group 5: a covered member with a grade-1 certificate.
    h = case("DIS-GRADE1", "经八路街道", "西街社区",
             [g.member("SELF"), g.member("CHILD", 1980, 1990, disabilityCategory="PHYSICAL", disabilityGrade=1)],
             cause="DISABILITY")
    disability.append([h["members"][1]["idNumber"], "肢体残疾", 1, "2015-06-01"])
    # Group 5 and 漏保 in the household: grade-3 intellectual, listed but not covered.
    h = case("DIS-UNCOVERED", "花园路街道", "金凤社区",
             [g.member("SELF"), g.member("CHILD", 1985, 1995, disabilityCategory="INTELLECTUAL", disabilityGrade=3)])
    h["enrollment"]["coveredMembers"] = [h["members"][0]["idNumber"]]
    h["members"][1]["livesTogether"] = True
    h["enrollment"]["monthlyAmountFen"] = str(STANDARD_2024_FEN - 30000)
    disability.append([h["members"][1]["idNumber"], "智力残疾", 3, "2018-09-10"])
    # Not group 5: grade-3 physical disability is not severe.
    h = case("DIS-GRADE3-PHYSICAL", "文化路街道", "新华社区",
             [g.member("SELF", disabilityCategory="PHYSICAL", disabilityGrade=3)])
    disability.append([h["members"][0]["idNumber"], "肢体残疾", 3, "2019-01-20"])
    # Registry only: a severe certificate whose holder is on no household (漏保 candidate)…
    missed = g.member("SELF", 1950, 1960)
    disability.append([missed["idNumber"], "精神残疾", 2, "2020-05-05"])
    # …and a grade-4 certificate, not on the roll, that is not a candidate.
    disability.append([g.member("SELF", 1950, 1960)["idNumber"], "视力残疾", 4, "2020-05-05"])

    # Group 1: a 建档立卡 member listed but not covered; a covered one is only counted.
    h = case("POV-UNCOVERED", "经八路街道", "南街社区", [g.member("SELF"), g.member("SPOUSE")])
    h["enrollment"]["coveredMembers"] = [h["members"][0]["idNumber"]]
    h["enrollment"]["monthlyAmountFen"] = str(STANDARD_2024_FEN * 2 - 30000)
    poverty.append([h["members"][0]["idNumber"], "410105001001", 0, 0, "是"])
    poverty.append([h["members"][1]["idNumber"], "410105001001", 0, 0, "是"])
    # Group 1 from the registry: a registered poor household with nobody on the roll.
    for _ in range(3):
        poverty.append([g.member("SELF", 1950, 1990)["idNumber"], "410105002002", 380000, 0, "否"])

    # Payroll: a covered member paid from public finance (R205 asks for a visit).
    h = case("PAYROLL", "文化路街道", "民主社区", [g.member("SELF"), g.member("CHILD", 1985, 1995)])
    payroll.append([h["members"][1]["idNumber"], h["members"][1]["name"], "金水区第二小学", 520000])
    # Not payroll: a payroll record for someone not on the roll.
    payroll.append([g.member("SELF", 1980, 1990)["idNumber"], g.name(), "金水区卫生院", 480000])

    # 清退: income above the standard (不符合).
    case("INCOME-HIGH", "花园路街道", "金凤社区", [g.member("SELF")], income=90000, amount_fen=20000)
    # At the edge of the 2024 change: 745元 a month is above 740元 (2023) and below 750元 (2024):
    # `heyan diff` shows it gaining eligibility.
    case("EDGE-745", "经八路街道", "南街社区", [g.member("SELF")], income=74500, cause="ILLNESS")
    # 调整: the amount paid differs from what the rules compute.
    case("AMOUNT-OLD", "经八路街道", "东街社区", [g.member("SELF"), g.member("SPOUSE")], income=50000,
         amount_fen=STANDARD_2024_FEN * 2 - 50000 - 2000)

    # Group 3 on the roll: exited 6 months ago, enrolled again.
    h = case("REENROLLED", "文化路街道", "新华社区", [g.member("SELF")], approved_on="2024-06-01")
    history.append({"kind": "EXITED", "date": "2024-03-20", "reason": "外出务工收入增加",
                    "household": {"id": "XM2019-00777", "county": COUNTY, "township": "文化路街道",
                                  "village": "新华社区", "members": [dict(h["members"][0])]}})

    # Confidential households (notices): a child-headed household, an HIV patient, a flag.
    case("CONF-MINOR", "经八路街道", "西街社区", [g.member("SELF", 2009, 2012), g.member("SIBLING", 2012, 2015)],
         income=0, cause="LACK_OF_LABOUR")
    case("CONF-HIV", "花园路街道", "青屏社区",
         [g.member("SELF"), g.member("SPOUSE", confidentiality="HIV_AIDS")], cause="ILLNESS")
    case("CONF-FLAG", "文化路街道", "民主社区", [g.member("SELF", confidentiality="OTHER_CONFIDENTIAL")])

    # History: refusals and exits.
    def hist(kind: str, date: str, reason: str, hid: str, township: str, village: str, n: int = 1,
             income: int = 20000) -> None:
        members = [g.member("SELF")] + [g.member("SPOUSE") for _ in range(n - 1)]
        app = household(g, hid, township, village, members, income)
        del app["enrollment"]
        app["kind"] = "NEW_APPLICATION"
        history.append({"kind": kind, "date": date, "reason": reason, "household": app})

    hist("REFUSED", "2024-06-18", "家庭人均收入高于标准", "XM2024-R0001", "经八路街道", "东街社区", 2, 160000)
    hist("REFUSED", "2024-02-05", "申报材料不全", "XM2024-R0002", "花园路街道", "金凤社区", 1, 10000)
    hist("REFUSED", "2023-06-30", "家庭人均收入高于标准（超过一年，不入组）", "XM2023-R0099", "经八路街道", "南街社区")
    hist("EXITED", "2024-08-01", "自愿退出", "XM2020-00321", "文化路街道", "矿区社区", 1, 10000)
    hist("EXITED", "2022-12-31", "死亡销户（超过一年，不入组）", "XM2018-00111", "花园路街道", "青屏社区")

    os.makedirs(out, exist_ok=True)
    write_jsonl(os.path.join(out, "roll.jsonl"), [{"household": h} for h in roll])
    write_jsonl(os.path.join(out, "history.jsonl"), history)
    write_jsonl(os.path.join(out, "roster.jsonl"), roster)
    reg = os.path.join(out, "registries")
    os.makedirs(reg, exist_ok=True)
    write_csv(os.path.join(reg, "public_payroll_staff.csv"), ["身份证号", "姓名", "工作单位", "月工资（分）"], payroll)
    write_csv(os.path.join(reg, "staff_relatives.csv"),
              ["身份证号", "姓名", "经办人身份证号", "经办人姓名", "经办身份", "亲属关系"], relatives)
    write_csv(os.path.join(reg, "poverty_registry.csv"), ["身份证号", "户编号", "人均年纯收入（分）", "增收金额（分）", "已脱贫"],
              poverty)
    write_csv(os.path.join(reg, "disability_certificates.csv"), ["身份证号", "残疾类别", "残疾等级", "发证日期"],
              disability)
    # The other registries the rules read were checked and hold nobody (0-byte files).
    for name in ["vehicle_registrations", "real_estate", "business_registrations", "machinery_subsidies",
                 "social_insurance", "deaths"]:
        open(os.path.join(reg, name + ".txt"), "w").close()


def big(out: str, n: int, seed: int) -> None:
    """A large roll (n households, about 100 townships) for the scale benchmark."""
    g = Gen(seed)
    os.makedirs(out, exist_ok=True)
    rng = g.rng
    with open(os.path.join(out, "roll.jsonl"), "w", encoding="utf-8") as f:
        for i in range(n):
            t = f"第{i % 97 + 1}乡镇"
            v = f"第{(i // 97) % 20 + 1}村"
            size = 1 + (i % 3 == 0)
            members = []
            for k in range(size):
                birth = f"{1940 + (i + k) % 30}-{(i + k) % 12 + 1:02d}-{(i * 7 + k) % 28 + 1:02d}"
                id17 = f"{COUNTY_CODE}{birth.replace('-', '')}{(i * 2 + k) % 1000:03d}"
                # Unique without a set (memory): the sequence number goes into the ID region.
                id17 = f"{(410000 + i // 1000) % 1000000:06d}" + id17[6:14] + f"{i % 1000:03d}"[:2] + str(k)
                members.append({"idNumber": id17 + check_char(id17), "name": "居民" + str(i),
                                "birthDate": birth, "relation": "SELF" if k == 0 else "SPOUSE",
                                "livesTogether": True, "workCapacity": "NONE"})
            income = rng.randrange(0, 40) * 1000
            h = household(g, f"BIG{i:07d}", t, v, members, income)
            if i % 20 == 0:  # one in twenty is paid an outdated amount: a ledger row (调整)
                h["enrollment"]["monthlyAmountFen"] = str(int(h["enrollment"]["monthlyAmountFen"]) - 1000)
            f.write(json.dumps({"household": h}, ensure_ascii=False, separators=(",", ":")) + "\n")
    reg = os.path.join(out, "registries")
    os.makedirs(reg, exist_ok=True)
    for name in ["public_payroll_staff", "staff_relatives", "poverty_registry", "disability_certificates",
                 "vehicle_registrations", "real_estate", "business_registrations", "machinery_subsidies",
                 "social_insurance", "deaths"]:
        open(os.path.join(reg, name + ".txt"), "w").close()


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=here)
    p.add_argument("--seed", type=int, default=20240930)
    p.add_argument("--households", type=int, default=0, help="a large roll for the benchmark instead")
    a = p.parse_args()
    if a.households:
        big(a.out, a.households, a.seed)
    else:
        example(a.out, a.seed)


if __name__ == "__main__":
    main()
