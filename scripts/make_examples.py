#!/usr/bin/env python3
"""Writes the example data that `heyan eval` decides in the README's main command.

    /usr/bin/python3 scripts/make_examples.py [--out examples/data] [--n 400] [--seed 20240601]

Output (all deterministic for a given --n and --seed; Python stdlib only):

  applications.jsonl            one heyan.v1.Application per line, protobuf JSON (lowerCamelCase
                                field names, enums by name, int64 as JSON numbers): rural
                                households in the counties of Zhengzhou (郑州市), applying in 2024
  public_payroll_staff.csv      财政供养人员      (rules R02)
  staff_relatives.csv           近亲属备案        (R20, R22)
  vehicle_registrations.csv     车辆登记          (R04)
  disability_certificates.csv   残疾人证          (city R08 exception)
  machinery_subsidies.csv       农机购置补贴      (R12)
  social_insurance.csv          社保              (R16)
  poverty_registry.csv          建档立卡          (R23)

The registries are CSV with Chinese header rows (field names from proto/heyan/v1/registry.proto),
money in fen, dates YYYY-MM-DD, enum values by their Chinese names. Each also holds records of
people who are in no application, as a county-wide registry would.

Every household is built for one scenario (eligible, ineligible for a stated reason, needs
review for a registry finding, missing evidence) that exercises one of the rules in
rules/examples/city.heyan and the province.heyan it imports; realistic noise (excluded
incomes, pensions, support from relatives, medical costs, minors, elderly members) makes
several rules apply at once now and then. ID numbers are 18 characters with a correct
ISO 7064 MOD 11-2 check character, the birth date and sex they encode match the member.
"""

import argparse
import csv
import datetime
import io
import json
import os
import random

# ---- places -----------------------------------------------------------------------------------

# County-level divisions of Zhengzhou with rural townships: (name, ID region code, townships).
COUNTIES = [
    ("中牟县", "410122", ["官渡镇", "狼城岗镇", "万滩镇", "白沙镇", "郑庵镇", "黄店镇", "刘集镇", "八岗镇", "韩寺镇", "姚家镇"]),
    ("巩义市", "410181", ["回郭镇", "小关镇", "竹林镇", "大峪沟镇", "河洛镇", "康店镇", "北山口镇", "西村镇", "芝田镇", "涉村镇"]),
    ("荥阳市", "410182", ["豫龙镇", "广武镇", "王村镇", "汜水镇", "高山镇", "刘河镇", "崔庙镇", "贾峪镇"]),
    ("新密市", "410183", ["来集镇", "超化镇", "大隗镇", "刘寨镇", "白寨镇", "岳村镇", "平陌镇", "尖山乡", "牛店镇", "苟堂镇"]),
    ("新郑市", "410184", ["龙湖镇", "孟庄镇", "郭店镇", "薛店镇", "八千乡", "辛店镇", "观音寺镇", "梨河镇", "和庄镇", "城关乡"]),
    ("登封市", "410185", ["大金店镇", "告成镇", "颍阳镇", "卢店镇", "唐庄镇", "石道乡", "君召乡", "东华镇", "白坪乡", "徐庄镇"]),
]
COUNTY_PREFIX = {"中牟县": "ZM", "巩义市": "GY", "荥阳市": "XY", "新密市": "XM", "新郑市": "XZ", "登封市": "DF"}

VILLAGE_FIRST = list("王李张刘陈杨赵黄周吴孙马朱胡郭何高罗郑梁谢宋韩冯于董程曹袁许")
VILLAGE_LAST = ["庄村", "楼村", "寨村", "沟村", "岗村", "营村", "屯村", "河村", "湾村", "店村", "集村", "坡村", "洼村", "家村", "桥村"]

SURNAMES = list("王李张刘陈杨赵黄周吴孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董程曹袁邓许沈彭吕苏卢蒋蔡贾丁魏薛叶阎潘杜夏田任姜范方石姚谭邹金郝孔白崔康毛秦史侯邵孟段雷钱尹常武乔贺")
MALE_CHARS = list("国建军伟强勇明志刚平文华振海永春东新峰德学红卫立庆世金全保富贵长山成俊豪浩宇鹏涛磊超杰")
FEMALE_CHARS = list("秀英兰芳玉珍桂凤霞敏静丽娟艳红梅琴燕翠花荣爱云莲萍巧雪婷慧欣怡佳")

# ---- ID numbers -------------------------------------------------------------------------------

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def check_char(first17):
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


class Ids:
    """Issues unique resident ID numbers."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def issue(self, region, birth, male):
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd: male, even: female
            first17 = f"{region}{birth.strftime('%Y%m%d')}{seq:03d}"
            id_number = first17 + check_char(first17)
            if id_number not in self.used:
                self.used.add(id_number)
                return id_number


# ---- dates ------------------------------------------------------------------------------------


def add_months(d, months):
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return datetime.date(y, m, min(d.day, last))


def iso(d):
    return d.isoformat()


# ---- the generator ----------------------------------------------------------------------------

# Scenario -> weight. Each household is built for one; the engine decides, not this script.
SCENARIOS = [
    ("eligible", 40),
    ("eligible_elderly", 8),
    ("eligible_single_disabled", 2),
    ("income_too_high", 10),
    ("car", 3),
    ("deposits", 3),
    ("shop", 2),
    ("enterprise", 1),
    ("single_not_entitled", 2),
    ("payroll_staff", 3),
    ("undeclared_vehicle", 3),
    ("staff_relative", 3),
    ("machinery_subsidy", 2),
    ("pension_mismatch", 2),
    ("poverty_income", 2),
    ("old_period_income", 2),
    ("no_birth_date", 3),
    ("no_farmland", 3),
    ("no_declaration", 3),
    ("no_lives_together", 2),
]

STANDARD_FEN = 70000  # city standard since 2022-10-27 (city.heyan); rural households with
                      # >= 0.3 mu of farmland per person get 70% of it


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.registries = {name: [] for name in REGISTRY_COLUMNS}
        self.plates = set()

    # -- people --

    def given_name(self, male):
        chars = MALE_CHARS if male else FEMALE_CHARS
        n = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.choice(chars) for _ in range(n))

    def birth_date(self, on, age):
        start = datetime.date(on.year - age - 1, on.month, 1) + datetime.timedelta(days=1)
        return start + datetime.timedelta(days=self.rng.randrange(0, 360))

    def person(self, region, on, age, male, surname=None):
        birth = self.birth_date(on, age)
        return {
            "idNumber": self.ids.issue(region, birth, male),
            "name": (surname or self.rng.choice(SURNAMES)) + self.given_name(male),
            "sex": "MALE" if male else "FEMALE",
            "birthDate": iso(birth),
            "_age": age,
            "_male": male,
        }

    def plate(self):
        while True:
            p = "豫A" + self.rng.choice("BCDFGHJKLMNPQRSTUVWXYZ") + "".join(self.rng.choice("0123456789") for _ in range(4))
            if p not in self.plates:
                self.plates.add(p)
                return p

    # -- registries --

    def add(self, registry, **record):
        self.registries[registry].append(record)

    def decoys(self, on):
        """Registry records of people who are in no application."""
        for _ in range(40):
            county, region, _ = self.rng.choice(COUNTIES)
            age = self.rng.randrange(25, 60)
            male = self.rng.random() < 0.6
            p = self.person(region, on, age, male)
            self.add("public_payroll_staff", 身份证号=p["idNumber"], 姓名=p["name"],
                     工作单位=county + self.rng.choice(["教育局", "卫生健康委员会", "农业农村局", "人民政府办公室"]),
                     月工资=self.rng.randrange(350000, 780000, 100))
        for _ in range(20):
            _, region, _ = self.rng.choice(COUNTIES)
            p = self.person(region, on, self.rng.randrange(20, 70), self.rng.random() < 0.5)
            staff = self.person(region, on, self.rng.randrange(30, 60), True)
            self.add("staff_relatives", 身份证号=p["idNumber"], 姓名=p["name"], 经办人身份证号=staff["idNumber"],
                     经办人姓名=staff["name"], 经办身份=self.rng.choice(["低保经办人员", "村居委会干部"]),
                     亲属关系=self.rng.choice(["配偶", "子女", "父母", "兄弟姐妹"]))
        for _ in range(40):
            _, region, _ = self.rng.choice(COUNTIES)
            p = self.person(region, on, self.rng.randrange(20, 65), True)
            self.add("vehicle_registrations", 身份证号=p["idNumber"], 号牌=self.plate(),
                     类型=self.rng.choice(["小汽车", "小汽车", "货车", "摩托车"]),
                     登记日期=iso(on - datetime.timedelta(days=self.rng.randrange(100, 3000))),
                     价值=self.rng.randrange(20000, 120000) * 100, 用途="自用")
        for _ in range(30):
            _, region, _ = self.rng.choice(COUNTIES)
            p = self.person(region, on, self.rng.randrange(10, 80), self.rng.random() < 0.5)
            self.add("disability_certificates", 身份证号=p["idNumber"],
                     残疾类别=self.rng.choice(["肢体残疾", "视力残疾", "听力残疾", "智力残疾"]),
                     残疾等级=self.rng.randrange(1, 5), 发证日期=iso(on - datetime.timedelta(days=self.rng.randrange(100, 4000))))
        for _ in range(20):
            _, region, _ = self.rng.choice(COUNTIES)
            p = self.person(region, on, self.rng.randrange(30, 65), True)
            price = self.rng.randrange(30000, 300000) * 100
            self.add("machinery_subsidies", 身份证号=p["idNumber"], 类型=self.rng.choice(["拖拉机", "联合收割机", "旋耕机"]),
                     购机价格=price, 补贴金额=price // 4, 购置日期=iso(on - datetime.timedelta(days=self.rng.randrange(30, 2500))))
        for _ in range(40):
            _, region, _ = self.rng.choice(COUNTIES)
            p = self.person(region, on, self.rng.randrange(60, 85), self.rng.random() < 0.5)
            self.add("social_insurance", 身份证号=p["idNumber"], 类别="城乡居民养老金",
                     月金额=self.rng.randrange(14000, 30000), 单位="")
        for _ in range(20):
            _, region, _ = self.rng.choice(COUNTIES)
            p = self.person(region, on, self.rng.randrange(30, 70), True)
            self.add("poverty_registry", 身份证号=p["idNumber"], 户编号=f"41{self.rng.randrange(10**9, 10**10)}",
                     人均年纯收入=self.rng.randrange(400000, 900000, 100), 增收金额=0, 已脱贫="是")

    # -- households --

    def household(self, number, scenario):
        rng = self.rng
        county, region, townships = rng.choice(COUNTIES)
        township = rng.choice(townships)
        village = rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_LAST)
        app_date = datetime.date(2024, 1, 2) + datetime.timedelta(days=rng.randrange(0, 170))
        as_of = app_date
        if rng.random() < 0.05:
            as_of = add_months(app_date, rng.choice([3, 4]))  # decided late: flag R15

        # Members: head, maybe spouse, children, a parent.
        elderly = scenario in ("eligible_elderly",) or rng.random() < 0.2
        single = scenario in ("eligible_single_disabled", "single_not_entitled")
        if elderly:
            head_age = rng.randrange(66, 88)
        else:
            head_age = rng.randrange(30, 62)
        head_male = rng.random() < 0.8
        head = self.person(region, app_date, head_age, head_male)
        surname = head["name"][0]
        head["relation"] = "SELF"
        members = [head]
        if not single and rng.random() < 0.8:
            spouse = self.person(region, app_date, max(20, head_age + rng.randrange(-5, 4)), not head_male)
            spouse["relation"] = "SPOUSE"
            members.append(spouse)
        # Children take the father's surname.
        father = head if head_male else next((m for m in members if m["relation"] == "SPOUSE"), None)
        child_surname = father["name"][0] if father else surname
        if not single and not elderly:
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                age = rng.randrange(max(0, head_age - 40), max(1, head_age - 20))
                child = self.person(region, app_date, age, rng.random() < 0.55, child_surname)
                child["relation"] = "CHILD"
                members.append(child)
            if rng.random() < 0.25:
                parent = self.person(region, app_date, min(95, head_age + rng.randrange(22, 32)), rng.random() < 0.4,
                                     surname if rng.random() < 0.5 else None)
                parent["relation"] = "PARENT"
                members.append(parent)
        if single:
            # An adult child living with relatives who applies alone (单人保).
            head["relation"] = "SELF"
            members = [head]
            if not elderly:
                for _ in range(rng.choice([1, 2])):
                    relative = self.person(region, app_date, rng.randrange(45, 75), rng.random() < 0.5, surname)
                    relative["relation"] = "PARENT"
                    members.append(relative)
            head["appliesAlone"] = True

        for m in members:
            m["livesTogether"] = True
            age = m["_age"]
            if age >= 70 or (age >= 60 and rng.random() < 0.5):
                m["workCapacity"] = "NONE" if age >= 75 or rng.random() < 0.5 else "PARTIAL"
            elif age >= 18:
                m["workCapacity"] = "FULL" if rng.random() < 0.85 else "PARTIAL"
            if 6 <= age < 18:
                m["studentStatus"] = "PRIMARY_OR_SECONDARY"
            elif 18 <= age < 22 and rng.random() < 0.5:
                m["studentStatus"] = "VOCATIONAL" if rng.random() < 0.5 else "UNDERGRADUATE"
                m["workCapacity"] = "FULL"
            if rng.random() < 0.06:
                m["disabilityCategory"] = rng.choice(["PHYSICAL", "VISUAL", "HEARING", "INTELLECTUAL"])
                m["disabilityGrade"] = rng.randrange(1, 5)
            if rng.random() < 0.05 and age >= 40:
                m["majorIllness"] = True

        # A member away for military service (义务兵) is not counted as living together.
        if len(members) >= 3 and rng.random() < 0.05:
            for m in members:
                if m["relation"] == "CHILD" and 18 <= m["_age"] <= 22:
                    m["livesTogether"] = False
                    m["absenceReason"] = "CONSCRIPT"
                    break

        size = sum(1 for m in members if m["livesTogether"])
        if single:
            size = 1
        farmland_per_person = rng.choice([0.0, 0.2, 0.5, 0.8, 1.0, 1.2, 1.5]) if not single else 1.0
        farmland = int(round(farmland_per_person * max(1, len(members)) * 100))
        standard = STANDARD_FEN * 7 // 10 if farmland_per_person >= 0.3 else STANDARD_FEN

        # Target counted income per person per month, as a share of the standard.
        if scenario == "income_too_high":
            share = rng.uniform(1.05, 2.5)
        elif scenario in ("eligible", "eligible_elderly", "eligible_single_disabled"):
            share = rng.choice([0.0, rng.uniform(0.05, 0.5), rng.uniform(0.4, 0.95)])
        else:
            share = rng.uniform(0.1, 0.9)
        target = int(share * standard * size)  # fen per month, counted income of the household
        self.incomes(members, target, app_date, scenario == "old_period_income", single)

        application = {
            "id": f"{COUNTY_PREFIX[county]}2024-{number:05d}",
            "kind": "PERIODIC_REVIEW" if rng.random() < 0.15 else "NEW_APPLICATION",
            "county": county,
            "township": township,
            "village": village,
            "hukouType": "RURAL",
            "applicationDate": iso(app_date),
            "asOf": iso(as_of),
            "farmlandCentiMu": farmland,
            "members": members,
            "declaresStaffRelative": False,
        }

        # Support from children who live elsewhere (for elderly households).
        if elderly and rng.random() < 0.6:
            supports = []
            for _ in range(rng.choice([1, 2])):
                child = self.person(region, app_date, rng.randrange(35, 55), rng.random() < 0.5, surname)
                s = {"supporterIdNumber": child["idNumber"], "supporterName": child["name"],
                     "dependants": len(members)}
                if rng.random() < 0.3:
                    s["agreedMonthlyFen"] = rng.randrange(5, 30) * 1000  # 50-300 yuan by agreement
                else:
                    s["supporterHouseholdSize"] = rng.randrange(2, 6)
                    s["supporterHouseholdMonthlyIncomeFen"] = rng.randrange(150000, 600000, 100)
                supports.append(s)
            application["relativeSupport"] = supports

        # Assets: every household declares its deposits and its home.
        deposits = rng.choice([0, rng.randrange(10000, 1500000, 100), rng.randrange(100000, 5000000, 100)])
        assets = {
            "homes": {"count": 1, "totalAreaCentiM2": rng.randrange(6000, 18000, 100)},
            "financial": {"depositsFen": deposits, "cashFen": rng.randrange(0, 80000, 100)},
        }
        if rng.random() < 0.12:
            # Motorcycles are exempt (R03); a farm tricycle is not, in these example rules.
            assets["vehicles"] = [{"kind": rng.choice(["MOTORCYCLE", "MOTORCYCLE", "MOTORCYCLE", "FARM_TRICYCLE"]), "valueFen": rng.randrange(1500, 6000) * 100,
                                   "use": "PRIVATE_USE", "plate": self.plate()}]
        if rng.random() < 0.2:
            assets["machinery"] = [{"kind": rng.choice(["ROTARY_TILLER", "WATER_PUMP", "THRESHER"]),
                                    "valueFen": rng.randrange(500, 8000) * 100}]
        application["assets"] = assets
        if rng.random() < 0.7:
            application["subsidies"] = [{"kind": "FARMLAND_PROTECTION", "amountFen": farmland * 120}]  # 120 yuan/mu

        self.scenario(scenario, application, members, region, app_date, standard, size)

        # The same person declared in several registries is realistic noise: a few members
        # of ordinary households hold a resident pension recorded by social insurance.
        for m in members:
            if m["_age"] >= 60 and rng.random() < 0.3 and scenario != "pension_mismatch":
                declared = [i for i in m.get("incomes", []) if i["source"] in ("PENSION", "BASIC_PENSION_BASE") and i["period"] == "MONTHLY"]
                if declared:
                    self.add("social_insurance", 身份证号=m["idNumber"], 类别="城乡居民养老金",
                             月金额=sum(i["amountFen"] for i in declared), 单位="")

        for m in members:
            del m["_age"], m["_male"]
        return application

    def incomes(self, members, target, app_date, old_period, single):
        rng = self.rng
        earners = [m for m in members if m.get("workCapacity") in ("FULL", "PARTIAL") and m.get("studentStatus") is None]
        elders = [m for m in members if m["_age"] >= 60]
        remaining = target
        # Pensions of the elderly: the basic pension is not counted (not in the target); a
        # small extra part of it is.
        for m in elders:
            m.setdefault("incomes", []).append({"kind": "NET_TRANSFER", "source": "BASIC_PENSION_BASE",
                                                "amountFen": rng.choice([14300, 15300, 16800]), "period": "MONTHLY"})
            if m["_age"] >= 80:
                m["incomes"].append({"kind": "NET_TRANSFER", "source": "ELDERLY_ALLOWANCE",
                                     "amountFen": 5000, "period": "MONTHLY"})
            if remaining > 0 and rng.random() < 0.4:
                part = min(remaining, rng.randrange(2000, 12000, 100))
                m["incomes"].append({"kind": "NET_TRANSFER", "source": "PENSION", "amountFen": part, "period": "MONTHLY"})
                remaining -= part
        for m in members:
            if m.get("disabilityGrade") in (1, 2):
                m.setdefault("incomes", []).append({"kind": "NET_TRANSFER", "source": "DISABILITY_SUBSIDY",
                                                    "amountFen": 8000, "period": "MONTHLY"})
        if remaining <= 0:
            return
        if not earners:
            earners = members[:1]
        # Farming income for the whole year (期间合计 over the last 12 months), the rest as
        # casual labour per month.
        farmer = earners[0]
        farming = remaining // 2 if len(earners) > 1 or rng.random() < 0.5 else remaining
        farming -= farming % 100
        if farming > 0:
            # 期间合计 covers (most of) the 12 months before the application (rule R10 checks
            # both ends); an old period ends more than a year before it.
            start = add_months(app_date, -12) + datetime.timedelta(days=rng.randrange(0, 20))
            end = app_date - datetime.timedelta(days=rng.randrange(1, 20))
            if old_period:
                end = add_months(app_date, -rng.randrange(13, 20))
                start = add_months(end, -12) + datetime.timedelta(days=1)
            if rng.random() < 0.5 or old_period:
                income = {"kind": "NET_BUSINESS", "source": "FARMING", "amountFen": farming * 12, "period": "PERIOD_TOTAL",
                          "periodStart": iso(start), "periodEnd": iso(end), "afterTax": True}
            else:
                income = {"kind": "NET_BUSINESS", "source": "FARMING", "amountFen": farming * 12, "period": "ANNUAL", "afterTax": True}
            farmer.setdefault("incomes", []).append(income)
            remaining -= farming
        if remaining > 0:
            worker = earners[-1]
            gross = remaining
            income = {"kind": "WAGES", "source": "CASUAL_LABOUR", "amountFen": gross, "period": "MONTHLY", "afterTax": True}
            if gross > 300000 and rng.random() < 0.5:
                tax = gross // 10
                income.update({"source": "SALARY", "afterTax": False, "amountFen": gross + tax, "taxAndInsuranceFen": tax})
            worker.setdefault("incomes", []).append(income)
        # Medical costs with receipts are deducted (刚性支出).
        sick = [m for m in members if m.get("majorIllness")]
        for m in sick:
            m["expenditures"] = [{"kind": "MEDICAL", "amountFen": rng.randrange(200000, 1500000, 100), "receiptsProvided": True}]

    def scenario(self, scenario, application, members, region, app_date, standard, size):
        rng = self.rng
        assets = application["assets"]
        adult = next((m for m in members if m["_age"] >= 18), members[0])
        if scenario == "car":
            assets.setdefault("vehicles", []).append({"kind": "CAR", "valueFen": rng.randrange(30000, 150000) * 100,
                                                      "use": "PRIVATE_USE", "plate": self.plate()})
        elif scenario == "deposits":
            # Per person at least 36 months of the 700-yuan standard.
            assets["financial"]["depositsFen"] = size * 70000 * 36 + rng.randrange(0, 5000000, 100)
        elif scenario == "shop":
            assets["homes"]["nonResidentialCount"] = 1
        elif scenario == "enterprise":
            assets["enterprises"] = [{"name": application["village"][:-1] + rng.choice(["种植专业合作社", "养殖有限公司", "农机服务部"]),
                                      "subscribedCapitalFen": rng.randrange(200000, 800000) * 100}]
        elif scenario == "eligible_single_disabled":
            head = members[0]
            head["disabilityCategory"] = rng.choice(["PHYSICAL", "VISUAL"])
            head["disabilityGrade"] = rng.choice([1, 2])
            self.add("disability_certificates", 身份证号=head["idNumber"], 残疾类别=rng.choice(["肢体残疾", "视力残疾"]),
                     残疾等级=head["disabilityGrade"], 发证日期=iso(app_date - datetime.timedelta(days=rng.randrange(200, 3000))))
        elif scenario == "single_not_entitled":
            head = members[0]
            head.pop("disabilityCategory", None)
            head.pop("disabilityGrade", None)
            head.pop("majorIllness", None)
            head.pop("expenditures", None)
        elif scenario == "payroll_staff":
            self.add("public_payroll_staff", 身份证号=adult["idNumber"], 姓名=adult["name"],
                     工作单位=application["township"] + rng.choice(["人民政府", "中心小学", "卫生院"]),
                     月工资=rng.randrange(380000, 650000, 100))
        elif scenario == "undeclared_vehicle":
            self.add("vehicle_registrations", 身份证号=adult["idNumber"], 号牌=self.plate(), 类型=rng.choice(["小汽车", "货车"]),
                     登记日期=iso(app_date - datetime.timedelta(days=rng.randrange(200, 2000))),
                     价值=rng.randrange(20000, 90000) * 100, 用途="自用")
        elif scenario == "staff_relative":
            staff = self.person(region, app_date, rng.randrange(35, 58), True)
            self.add("staff_relatives", 身份证号=adult["idNumber"], 姓名=adult["name"], 经办人身份证号=staff["idNumber"],
                     经办人姓名=staff["name"], 经办身份=rng.choice(["低保经办人员", "村居委会干部"]),
                     亲属关系=rng.choice(["兄弟姐妹", "子女", "配偶"]))
            # Half declare it (R20 only), half do not (R20 and R22).
            application["declaresStaffRelative"] = rng.random() < 0.5
        elif scenario == "machinery_subsidy":
            price = rng.randrange(80000, 250000) * 100
            self.add("machinery_subsidies", 身份证号=adult["idNumber"], 类型=rng.choice(["拖拉机", "联合收割机"]),
                     购机价格=price, 补贴金额=price * 3 // 10,
                     购置日期=iso(app_date - datetime.timedelta(days=rng.randrange(60, 1000))))
        elif scenario == "pension_mismatch":
            elder = max(members, key=lambda m: m["_age"])
            declared = sum(i["amountFen"] for i in elder.get("incomes", [])
                           if i["source"] in ("PENSION", "BASIC_PENSION_BASE") and i["period"] == "MONTHLY")
            self.add("social_insurance", 身份证号=elder["idNumber"], 类别=rng.choice(["城乡居民养老金", "职工养老金"]),
                     月金额=declared + rng.randrange(5000, 200000, 100), 单位="")
        elif scenario == "poverty_income":
            self.add("poverty_registry", 身份证号=adult["idNumber"], 户编号=f"41{rng.randrange(10**9, 10**10)}",
                     人均年纯收入=rng.randrange(300000, 600000, 100), 增收金额=rng.randrange(50000, 300000, 100), 已脱贫="否")
        elif scenario == "no_birth_date":
            victim = rng.choice(members)
            victim.pop("birthDate", None)
        elif scenario == "no_farmland":
            del application["farmlandCentiMu"]
        elif scenario == "no_declaration":
            del application["declaresStaffRelative"]
        elif scenario == "no_lives_together":
            victim = rng.choice(members)
            victim.pop("livesTogether", None)
            victim.pop("absenceReason", None)


# ---- registries -------------------------------------------------------------------------------

REGISTRY_COLUMNS = {
    "public_payroll_staff": ["身份证号", "姓名", "工作单位", "月工资"],
    "staff_relatives": ["身份证号", "姓名", "经办人身份证号", "经办人姓名", "经办身份", "亲属关系"],
    "vehicle_registrations": ["身份证号", "号牌", "类型", "登记日期", "价值", "用途"],
    "disability_certificates": ["身份证号", "残疾类别", "残疾等级", "发证日期"],
    "machinery_subsidies": ["身份证号", "类型", "购机价格", "补贴金额", "购置日期"],
    "social_insurance": ["身份证号", "类别", "月金额", "单位"],
    "poverty_registry": ["身份证号", "户编号", "人均年纯收入", "增收金额", "已脱贫"],
}


# Money columns: the generator keeps fen; the CSV states its unit in the header and gives yuan,
# as a department's export (and docs/guide-zh.md) would: 月工资（元）.
MONEY_COLUMNS = {"月工资", "价值", "购机价格", "补贴金额", "月金额", "人均年纯收入", "增收金额"}


def write_csv(path, columns, records, rng):
    records = list(records)
    rng.shuffle(records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c + "（元）" if c in MONEY_COLUMNS else c for c in columns])
    for r in records:
        writer.writerow([f"{r[c] // 100}.{r[c] % 100:02d}" if c in MONEY_COLUMNS and r.get(c, "") != "" else r.get(c, "")
                         for c in columns])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buffer.getvalue())


def declare_in_full(application):
    """States every figure a real application form asks for, 0 included (heyan.v1 reads an
    absent amount as missing evidence, never as 0): cash, securities, commercial insurance and
    non-residential homes; incomes are net (afterTax) unless tax is declared (pensions and
    transfers carry no tax). Consumes no random numbers, so the households stay the same."""
    assets = application.get("assets")
    if assets is not None:
        assets.setdefault("homes", {}).setdefault("nonResidentialCount", 0)
        financial = assets.setdefault("financial", {})
        for field in ("cashFen", "depositsFen", "securitiesFen", "commercialInsuranceFen"):
            financial.setdefault(field, 0)
    for member in application.get("members", []):
        for income in member.get("incomes", []):
            if "taxAndInsuranceFen" not in income:
                income.setdefault("afterTax", True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "examples", "data"))
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    gen = Generator(args.seed)
    names = [s for s, _ in SCENARIOS]
    weights = [w for _, w in SCENARIOS]
    applications = []
    for i in range(1, args.n + 1):
        scenario = gen.rng.choices(names, weights)[0]
        applications.append(gen.household(i, scenario))
    gen.decoys(datetime.date(2024, 3, 1))

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "applications.jsonl"), "w", encoding="utf-8") as f:
        for a in applications:
            declare_in_full(a)
            f.write(json.dumps(a, ensure_ascii=False, separators=(",", ":")) + "\n")
    for name, columns in REGISTRY_COLUMNS.items():
        write_csv(os.path.join(args.out, name + ".csv"), columns, gen.registries[name], gen.rng)
    print(f"wrote {len(applications)} applications and {len(REGISTRY_COLUMNS)} registries to {os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
