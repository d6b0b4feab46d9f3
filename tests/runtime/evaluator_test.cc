// Evaluation through the public API: compile in-memory rules, build heyan::v1::Application
// messages, evaluate with Program::Evaluate, and read the Decision.
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/explain.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "heyan/v1/registry.pb.h"

namespace heyan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kMaxFen = std::numeric_limits<int64_t>::max();

std::shared_ptr<const Program> MustCompile(const std::string& body, CompileOptions options = {},
                                           const std::string& header = "规则集 测试 版本 \"1\"\n") {
  options.sources["main.heyan"] = header + body;
  absl::StatusOr<CompileResult> r = CompileFile("main.heyan", options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  std::string dump;
  for (const auto& d : r->diagnostics) dump += FormatDiagnostic(d);
  EXPECT_TRUE(r->ok()) << body << "\n" << dump;
  return r->program;
}

const Registries& NoRegistries() {
  static const Registries* r = new Registries();
  return *r;
}

// Marks every registry of `r` checked (a complete verification run with these records).
void MarkAllChecked(Registries* r, const std::string& date = "2023-05-31") {
  for (const std::string& name : Registries::Names()) {
    ASSERT_TRUE(r->MarkChecked(name, RegistryCheckInfo{date, "批次-" + name, "测试"}).ok());
  }
}

v1::Decision Eval(const std::shared_ptr<const Program>& program, const v1::Application& app,
                  const Registries& registries = NoRegistries(), const EvalOptions& options = {}) {
  if (program == nullptr) {
    ADD_FAILURE() << "no program to evaluate";
    return v1::Decision();
  }
  absl::StatusOr<v1::Decision> d = program->Evaluate(app, registries, options);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : v1::Decision();
}

// The rendered value of output `name`, or "<none>" when the decision has no such amount.
std::string Out(const v1::Decision& d, const std::string& name) {
  for (const auto& a : d.amounts()) {
    if (a.name() == name) return a.value();
  }
  return "<none>";
}
const v1::Amount* Amount(const v1::Decision& d, const std::string& name) {
  for (const auto& a : d.amounts()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}
std::vector<std::string> RuleIds(const v1::Decision& d) {
  std::vector<std::string> out;
  for (const auto& r : d.reasons()) out.push_back(r.rule_id());
  return out;
}
std::vector<std::string> MissingFields(const v1::Decision& d) {
  std::vector<std::string> out;
  for (const auto& m : d.missing_evidence()) out.push_back(m.field());
  return out;
}
std::vector<std::string> FaultIds(const v1::Decision& d) {
  std::vector<std::string> out;
  for (const auto& f : d.faults()) out.push_back(f.rule_id());
  return out;
}

v1::Member* AddMember(v1::Application* app, const std::string& id, const std::string& name,
                      const std::string& birth = "1980-01-01", bool lives_together = true) {
  v1::Member* m = app->add_members();
  m->set_id_number(id);
  m->set_name(name);
  if (!birth.empty()) m->set_birth_date(birth);
  m->set_lives_together(lives_together);
  m->set_years_away(0);
  return m;
}

v1::Income* AddIncome(v1::Member* m, v1::IncomeSource source, int64_t fen, v1::IncomePeriod period = v1::MONTHLY) {
  v1::Income* i = m->add_incomes();
  i->set_kind(v1::WAGES);
  i->set_source(source);
  i->set_amount_fen(fen);
  i->set_period(period);
  return i;
}

// Three members, incomes 600元 + 300元 (member 1) and 100元 (member 3): 1000元 in all.
v1::Application Household() {
  v1::Application app;
  app.set_id("A-001");
  app.set_application_date("2023-06-01");
  v1::Member* a = AddMember(&app, "410100195001011234", "张三", "1950-06-01");
  AddIncome(a, v1::CASUAL_LABOUR, 60000);
  AddIncome(a, v1::ELDERLY_ALLOWANCE, 30000);
  AddMember(&app, "410100198002022345", "李四", "1980-02-02");
  v1::Member* c = AddMember(&app, "41010020100303345X", "王五", "2010-03-03");
  AddIncome(c, v1::SCHOLARSHIP, 10000);
  return app;
}

// Names used by many tests: n = 3 members, m = 1000元 total income, d = application date.
constexpr char kPrelude[] =
    "计算 n = 计数(成员)\n"
    "计算 m: 金额 = 合计(成员.收入: 金额)\n"
    "计算 d: 日期 = 申请日期\n";

// Evaluates outputs over Household() and returns the decision.
v1::Decision EvalOutputs(const std::string& outputs) {
  auto program = MustCompile(std::string(kPrelude) + outputs);
  if (!program) return v1::Decision();
  return Eval(program, Household());
}

// ---- operators -------------------------------------------------------------------------

TEST(EvaluatorTest, IntegerAndDecimalArithmetic) {
  v1::Decision d = EvalOutputs(
      "输出 a: 整数 = n * 2 - 1\n"
      "输出 b: 小数 = n / 2\n"
      "输出 c: 小数 = n * 0.1 + 0.2\n"
      "输出 e: 整数 = -n\n"
      "输出 f: 小数 = n / 9\n"
      "输出 g: 小数 = 耕地面积 / n\n");
  EXPECT_EQ(Out(d, "a"), "5");
  EXPECT_EQ(Out(d, "b"), "1.5");
  EXPECT_EQ(Out(d, "c"), "0.5");
  EXPECT_EQ(Out(d, "e"), "-3");
  EXPECT_EQ(Out(d, "f"), "0.3333…");
  EXPECT_EQ(Out(d, "g"), "<none>") << "耕地面积 is unset";
}

TEST(EvaluatorTest, MoneyArithmeticIsExact) {
  v1::Decision d = EvalOutputs(
      "输出 a: 金额 = m + 50分 - 1元\n"
      "输出 b: 金额 = m * n\n"
      "输出 c: 金额 = m * 70%\n"
      "输出 e: 小数 = m / 300元\n"
      "输出 f: 金额 = -m\n"
      "输出 g: 金额 = (700元 - m / n) * n\n"
      "输出 h: 金额 = (700元 - 向下取整到分(m / n)) * n\n");
  EXPECT_EQ(Out(d, "a"), "999.50元");
  EXPECT_EQ(Amount(d, "a")->fen(), 99950);
  EXPECT_EQ(Out(d, "b"), "3000.00元");
  EXPECT_EQ(Out(d, "c"), "700.00元");
  EXPECT_EQ(Out(d, "e"), "3.3333…");
  EXPECT_EQ(Out(d, "f"), "-1000.00元");
  EXPECT_EQ(Amount(d, "f")->fen(), -100000);
  // The worked example of reference §7.1: exact, then rounded where written.
  EXPECT_EQ(Out(d, "g"), "1100.00元");
  EXPECT_EQ(Out(d, "h"), "1100.01元");
  EXPECT_THAT(d.faults(), IsEmpty());
}

TEST(EvaluatorTest, Comparisons) {
  v1::Decision d = EvalOutputs(
      "输出 lt: 布尔 = m < 1000元\n"
      "输出 le: 布尔 = m <= 1000元\n"
      "输出 gt: 布尔 = m > 999.99元\n"
      "输出 ge: 布尔 = n >= 3.5\n"
      "输出 eq: 布尔 = m / n = 1000元 / 3\n"
      "输出 ne: 布尔 = d ≠ 2023-06-01\n"
      "输出 dl: 布尔 = d < 2023年6月2日\n"
      "输出 tx: 布尔 = 任一 成员 满足 姓名 = \"李四\"\n"
      "输出 en: 布尔 = 任一 成员.收入 满足 来源 = 高龄津贴\n"
      "输出 du: 布尔 = 12个月 = 1年\n");
  EXPECT_EQ(Out(d, "lt"), "否");
  EXPECT_EQ(Out(d, "le"), "是");
  EXPECT_EQ(Out(d, "gt"), "是");
  EXPECT_EQ(Out(d, "ge"), "否");
  EXPECT_EQ(Out(d, "eq"), "是");
  EXPECT_EQ(Out(d, "ne"), "否");
  EXPECT_EQ(Out(d, "dl"), "是");
  EXPECT_EQ(Out(d, "tx"), "是");
  EXPECT_EQ(Out(d, "en"), "是");
  EXPECT_EQ(Out(d, "du"), "是");
}

TEST(EvaluatorTest, LogicIfAndMembership) {
  v1::Decision d = EvalOutputs(
      "输出 a: 布尔 = n = 3 并且 m > 0元\n"
      "输出 b: 布尔 = n = 4 或者 m < 0元\n"
      "输出 c: 布尔 = 并非 (n = 3)\n"
      "输出 e: 金额 = 如果 n > 2 则 1元 否则 2元\n"
      "输出 f: 小数 = 如果 n > 5 则 1 否则 0.5\n"
      "输出 g: 布尔 = n 属于 [1, 2, 3]\n"
      "输出 h: 布尔 = n 不属于 [1, 2, 3]\n"
      "输出 i: 布尔 = 户籍类型 属于 [农村户籍, 城镇户籍]\n"
      "输出 j: 布尔 = \"王五\" 属于 成员.姓名\n"
      "输出 k: 布尔 = 收入来源.高龄津贴 属于 成员.收入.来源\n");
  EXPECT_EQ(Out(d, "a"), "是");
  EXPECT_EQ(Out(d, "b"), "否");
  EXPECT_EQ(Out(d, "c"), "否");
  EXPECT_EQ(Out(d, "e"), "1.00元");
  EXPECT_EQ(Out(d, "f"), "0.5");
  EXPECT_EQ(Out(d, "g"), "是");
  EXPECT_EQ(Out(d, "h"), "否");
  EXPECT_EQ(Out(d, "i"), "否") << "户籍类型 is unspecified";
  EXPECT_EQ(Out(d, "j"), "是");
  EXPECT_EQ(Out(d, "k"), "是");
}

TEST(EvaluatorTest, CentiFieldsAreDecimals) {
  auto program = MustCompile("输出 亩: 小数 = 耕地面积\n输出 面积: 小数 = 资产.住房.总面积\n");
  v1::Application app = Household();
  app.set_farmland_centi_mu(1234);
  app.mutable_assets()->mutable_homes()->set_total_area_centi_m2(8050);
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "亩"), "12.34");
  EXPECT_EQ(Out(d, "面积"), "80.5");
}

// ---- aggregation -----------------------------------------------------------------------

TEST(EvaluatorTest, Aggregations) {
  v1::Decision d = EvalOutputs(
      "输出 sum1: 金额 = 合计(成员.收入.金额)\n"
      "输出 sum2: 金额 = 合计(成员: 合计(收入: 金额))\n"
      "输出 sum3: 整数 = 合计(成员: 离家年数 + 1)\n"
      "输出 cnt: 整数 = 计数(成员.收入)\n"
      "输出 mn: 金额 = 最小(成员.收入: 金额)\n"
      "输出 mx: 金额 = 最大(成员.收入.金额)\n"
      "输出 oldest: 日期 = 最小(成员: 出生日期)\n"
      "输出 any1: 布尔 = 任一 成员.收入 满足 金额 > 500元\n"
      "输出 any2: 布尔 = 任一 成员.收入 满足 金额 > 600元\n"
      "输出 all1: 布尔 = 所有 成员 满足 共同生活\n"
      "输出 all2: 布尔 = 所有 成员.收入 满足 金额 >= 200元\n"
      "输出 flt: 整数 = 计数(成员.收入 其中 来源 不属于 [高龄津贴, 奖学金])\n"
      "输出 flt2: 金额 = 合计(成员.收入 其中 金额 < 500元: 金额)\n"
      "输出 named: 布尔 = 任一 人 在 成员 满足 人.姓名 = \"王五\" 并且 计数(人.收入) = 1\n");
  EXPECT_EQ(Out(d, "sum1"), "1000.00元");
  EXPECT_EQ(Out(d, "sum2"), "1000.00元");
  EXPECT_EQ(Out(d, "sum3"), "3");
  EXPECT_EQ(Out(d, "cnt"), "3") << "成员.收入 flattens the incomes of all members";
  EXPECT_EQ(Out(d, "mn"), "100.00元");
  EXPECT_EQ(Out(d, "mx"), "600.00元");
  EXPECT_EQ(Out(d, "oldest"), "1950-06-01");
  EXPECT_EQ(Out(d, "any1"), "是");
  EXPECT_EQ(Out(d, "any2"), "否");
  EXPECT_EQ(Out(d, "all1"), "是");
  EXPECT_EQ(Out(d, "all2"), "否");
  EXPECT_EQ(Out(d, "flt"), "1");
  EXPECT_EQ(Out(d, "flt2"), "400.00元");
  EXPECT_EQ(Out(d, "named"), "是");
}

TEST(EvaluatorTest, AggregationsOverEmptyLists) {
  auto program = MustCompile(
      "输出 s: 金额 = 合计(资产.车辆: 价值)\n"
      "输出 c: 整数 = 计数(资产.车辆)\n"
      "输出 a: 布尔 = 任一 资产.车辆 满足 价值 > 0元\n"
      "输出 l: 布尔 = 所有 资产.车辆 满足 价值 > 0元\n"
      "输出 f: 整数 = 计数(成员 其中 重病)\n");
  v1::Application app = Household();
  app.mutable_assets()->mutable_homes();  // assets declared, but no vehicles
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "s"), "0.00元");
  EXPECT_EQ(Out(d, "c"), "0");
  EXPECT_EQ(Out(d, "a"), "否");
  EXPECT_EQ(Out(d, "l"), "是");
  EXPECT_EQ(Out(d, "f"), "0");
  EXPECT_EQ(d.outcome(), v1::ELIGIBLE);
}

TEST(EvaluatorTest, UnsetMessageSectionIsMissingEvidenceNotZero) {
  // Reference §10.4: reading through an unset message field (an application without 资产)
  // is missing evidence for that section, never a silent zero; a present but empty section
  // reads as empty.
  auto program = MustCompile("输出 车辆数: 整数 = 计数(资产.车辆)\n输出 存款: 金额 = 资产.金融资产.存款\n");
  v1::Decision d = Eval(program, Household());
  ASSERT_GE(d.missing_evidence_size(), 1);
  EXPECT_EQ(d.missing_evidence(0).field(), "资产");
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);

  // A present section with an absent amount: the list reads as empty, the amount is missing
  // evidence naming its path (issue: an absent amount must never read as 0).
  v1::Application app = Household();
  app.mutable_assets()->mutable_financial();
  d = Eval(program, app);
  EXPECT_EQ(Out(d, "车辆数"), "0");
  EXPECT_EQ(Out(d, "存款"), "<none>");
  EXPECT_THAT(MissingFields(d), ElementsAre("资产.金融资产.存款"));
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);

  app.mutable_assets()->mutable_financial()->set_deposits_fen(0);  // declared: none
  d = Eval(program, app);
  EXPECT_EQ(Out(d, "存款"), "0.00元");
  EXPECT_EQ(d.outcome(), v1::ELIGIBLE);
}

TEST(EvaluatorTest, MinOfEmptyListIsFault) {
  // Reference §10.4: 最小/最大 of an empty list is a fault (not missing evidence); a fault makes
  // the outcome NEEDS_REVIEW unless a 不符合 rule applies.
  auto program = MustCompile("输出 最贵: 金额 = 最大(资产.车辆: 价值)\n输出 最早: 日期 = 最小(资产.车辆: 申请日期)\n");
  v1::Application app = Household();
  app.mutable_assets()->mutable_homes();
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "最贵"), "<none>");
  EXPECT_EQ(Out(d, "最早"), "<none>");
  EXPECT_THAT(d.missing_evidence(), IsEmpty());
  EXPECT_THAT(FaultIds(d), ElementsAre("最贵", "最早"));
  EXPECT_EQ(d.outcome(), v1::NEEDS_REVIEW);
}

TEST(EvaluatorTest, RegistryFetchMessagesAreTheImplicitItem) {
  auto program = MustCompile(
      "输出 社保合计: 金额 = 合计(成员: 合计(登记册.社保[身份证号] 其中 类别 = 职工养老金: 月金额))\n"
      "输出 记录数: 整数 = 合计(成员: 计数(登记册.社保[身份证号]))\n");
  Registries registries;
  v1::SocialInsuranceRecord r;
  r.set_id_number("410100195001011234");
  r.set_kind(v1::EMPLOYEE_PENSION_PAID);
  r.set_monthly_amount_fen(150000);
  ASSERT_TRUE(registries.AddRecord("社保", r).ok());
  r.set_kind(v1::UNEMPLOYMENT_BENEFIT);
  r.set_monthly_amount_fen(50000);
  ASSERT_TRUE(registries.AddRecord("social_insurance", r).ok());
  r.set_id_number("41010020100303345X");
  r.set_kind(v1::EMPLOYEE_PENSION_PAID);
  r.set_monthly_amount_fen(7);
  ASSERT_TRUE(registries.AddRecord("社保", r).ok());
  MarkAllChecked(&registries);
  v1::Decision d = Eval(program, Household(), registries);
  EXPECT_EQ(Out(d, "社保合计"), "1500.07元");
  EXPECT_EQ(Out(d, "记录数"), "3");
}

TEST(EvaluatorTest, RegistryMembership) {
  auto program = MustCompile(
      "规则 R02 \"财政供养\" 当 任一 成员 满足 身份证号 属于 登记册.财政供养人员\n"
      "  则 需复核 \"成员 {成员.姓名} 为财政供养人员\"\n"
      "规则 R03 \"未死亡\" 每个 人 在 成员 当 人.身份证号 不属于 登记册.死亡登记 则 标记 \"{人.姓名}\"\n");
  Registries registries;
  ASSERT_TRUE(registries.AddId("财政供养人员", "410100198002022345").ok());
  ASSERT_TRUE(registries.AddId("deaths", "410100195001011234").ok());
  MarkAllChecked(&registries);
  v1::Decision d = Eval(program, Household(), registries);
  EXPECT_EQ(d.outcome(), v1::NEEDS_REVIEW);
  ASSERT_THAT(RuleIds(d), ElementsAre("R02", "R03"));
  EXPECT_EQ(d.reasons(0).message(), "成员 李四 为财政供养人员");
  EXPECT_EQ(d.reasons(1).message(), "李四") << "the first member not in the death registry";
  Registries checked_empty;
  MarkAllChecked(&checked_empty);
  v1::Decision none = Eval(program, Household(), checked_empty);
  EXPECT_EQ(none.outcome(), v1::ELIGIBLE);
  EXPECT_THAT(RuleIds(none), ElementsAre("R03"));
}

// ---- rounding --------------------------------------------------------------------------

TEST(EvaluatorTest, RoundingToFenAndYuan) {
  v1::Decision d = EvalOutputs(
      "输出 f1: 金额 = 四舍五入到分(m / n)\n"
      "输出 f2: 金额 = 向上取整到分(m / n)\n"
      "输出 f3: 金额 = 向下取整到分(m / n)\n"
      "输出 f4: 金额 = 四舍五入到分(m / 8000)\n"
      "输出 f5: 金额 = 四舍五入到分(-m / 8000)\n"
      "输出 f6: 金额 = 向下取整到分(-m / n)\n"
      "输出 y1: 金额 = 四舍五入到元(m / n)\n"
      "输出 y2: 金额 = 向上取整到元(m / n)\n"
      "输出 y3: 金额 = 向下取整到元(m / n)\n"
      "输出 y4: 金额 = 四舍五入到元(m / 400)\n"
      "输出 y5: 金额 = round_half_up_yuan(-m / 400)\n"
      "输出 y6: 金额 = round_up_yuan(-m / 400)\n");
  EXPECT_EQ(Out(d, "f1"), "333.33元");
  EXPECT_EQ(Out(d, "f2"), "333.34元");
  EXPECT_EQ(Out(d, "f3"), "333.33元");
  EXPECT_EQ(Out(d, "f4"), "0.13元") << "12.5分 rounds half up";
  EXPECT_EQ(Out(d, "f5"), "-0.13元") << "half away from zero";
  EXPECT_EQ(Out(d, "f6"), "-333.34元") << "down is toward minus infinity";
  EXPECT_EQ(Out(d, "y1"), "333.00元");
  EXPECT_EQ(Out(d, "y2"), "334.00元");
  EXPECT_EQ(Out(d, "y3"), "333.00元");
  EXPECT_EQ(Out(d, "y4"), "3.00元") << "2.50元 rounds half up";
  EXPECT_EQ(Out(d, "y5"), "-3.00元");
  EXPECT_EQ(Out(d, "y6"), "-2.00元");
  EXPECT_THAT(d.faults(), IsEmpty());
}

TEST(EvaluatorTest, RoundingToMultiplesAndIntegers) {
  v1::Decision d = EvalOutputs(
      "输出 u: 金额 = 向上取整到倍数(m / n, 5元)\n"
      "输出 w: 金额 = 向下取整到倍数(m / n, 5元)\n"
      "输出 h: 金额 = 四舍五入到倍数(m / n, 5元)\n"
      "输出 h2: 金额 = 四舍五入到倍数(m / 400, 5元)\n"
      "输出 x: 小数 = round_up_to(n / 2, 0.25)\n"
      "输出 y: 整数 = 向下取整到倍数(n * 7, 5)\n"
      "输出 fl: 整数 = 向下取整(n / 2)\n"
      "输出 ce: 整数 = 向上取整(n / 2)\n"
      "输出 ro: 整数 = 四舍五入(n / 2)\n"
      "输出 fl2: 整数 = floor(-n / 2)\n"
      "输出 ce2: 整数 = ceil(-n / 2)\n"
      "输出 ro2: 整数 = round(-n / 2)\n"
      "输出 ro3: 整数 = 四舍五入(n / 4)\n");
  EXPECT_EQ(Out(d, "u"), "335.00元");
  EXPECT_EQ(Out(d, "w"), "330.00元");
  EXPECT_EQ(Out(d, "h"), "335.00元");
  EXPECT_EQ(Out(d, "h2"), "5.00元") << "2.50元 is exactly half of 5元";
  EXPECT_EQ(Out(d, "x"), "1.5");
  EXPECT_EQ(Out(d, "y"), "20");
  EXPECT_EQ(Out(d, "fl"), "1");
  EXPECT_EQ(Out(d, "ce"), "2");
  EXPECT_EQ(Out(d, "ro"), "2");
  EXPECT_EQ(Out(d, "fl2"), "-2");
  EXPECT_EQ(Out(d, "ce2"), "-1");
  EXPECT_EQ(Out(d, "ro2"), "-2");
  EXPECT_EQ(Out(d, "ro3"), "1");
}

TEST(EvaluatorTest, NonPositiveRoundingUnitAndDivisionByZeroAreFaults) {
  v1::Decision d = EvalOutputs(
      "计算 零: 金额 = m - m\n"
      "输出 r: 金额 = 向上取整到倍数(m, 零)\n"
      "输出 q: 小数 = m / 零\n"
      "输出 z: 小数 = n / (n - 3)\n"
      "输出 ok: 金额 = m\n");
  EXPECT_EQ(Out(d, "r"), "<none>");
  EXPECT_EQ(Out(d, "q"), "<none>");
  EXPECT_EQ(Out(d, "z"), "<none>");
  EXPECT_EQ(Out(d, "ok"), "1000.00元") << "a fault in one output does not stop the others";
  EXPECT_THAT(FaultIds(d), ElementsAre("r", "q", "z"));
  EXPECT_THAT(d.faults(0).message(), HasSubstr("取整单位"));
  EXPECT_THAT(d.faults(1).message(), HasSubstr("除数为零"));
}

// ---- dates -----------------------------------------------------------------------------

TEST(EvaluatorTest, DateFunctions) {
  auto program = MustCompile(
      "输出 age: 整数 = 最大(成员: 年龄(出生日期, 评估日期))\n"
      "输出 age2: 整数 = 年龄(2000-02-29, 2018-02-28)\n"
      "输出 months: 整数 = 相差月数(申请日期, 评估日期)\n"
      "输出 months_back: 整数 = months_between(评估日期, 申请日期)\n"
      "输出 days: 整数 = 相差天数(申请日期, 评估日期)\n"
      "输出 days_back: 整数 = days_between(评估日期, 申请日期)\n"
      "输出 in1: 布尔 = 之前期间内(2022-06-01, 申请日期, 12个月)\n"
      "输出 in2: 布尔 = 之前期间内(2022-05-31, 申请日期, 12个月)\n"
      "输出 in3: 布尔 = 之前期间内(2023-06-02, 申请日期, 12个月)\n"
      "输出 in4: 布尔 = within_before(申请日期, 申请日期, 30 days)\n"
      "输出 minus: 日期 = 申请日期 - 12个月\n"
      "输出 plus: 日期 = 2024-01-31 + 1个月\n"
      "输出 clamp: 日期 = 2024-03-31 - 1个月\n"
      "输出 both: 日期 = 2024-01-31 + (1个月 + 1天)\n"
      "输出 years: 日期 = 3年 + 申请日期\n");
  v1::Application app = Household();
  app.set_as_of("2023-09-15");
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "age"), "73") << "born 1950-06-01";
  EXPECT_EQ(Out(d, "age2"), "17");
  EXPECT_EQ(Out(d, "months"), "3");
  EXPECT_EQ(Out(d, "months_back"), "-3");
  EXPECT_EQ(Out(d, "days"), "106");
  EXPECT_EQ(Out(d, "days_back"), "-106");
  EXPECT_EQ(Out(d, "in1"), "是") << "end − period is included";
  EXPECT_EQ(Out(d, "in2"), "否");
  EXPECT_EQ(Out(d, "in3"), "否") << "after the end";
  EXPECT_EQ(Out(d, "in4"), "是") << "the end is included";
  EXPECT_EQ(Out(d, "minus"), "2022-06-01");
  EXPECT_EQ(Out(d, "plus"), "2024-02-29");
  EXPECT_EQ(Out(d, "clamp"), "2024-02-29");
  EXPECT_EQ(Out(d, "both"), "2024-03-01");
  EXPECT_EQ(Out(d, "years"), "2026-06-01");
}

TEST(EvaluatorTest, AgeCountsTheBirthday) {
  auto program = MustCompile("规则 R1 \"年满60\" 每个 成员 在 成员 当 年龄(成员.出生日期, 评估日期) >= 60 则 标记 \"{成员.姓名}\"\n");
  v1::Application app;
  app.set_application_date("2020-05-10");
  AddMember(&app, "1", "生日当天", "1960-05-10");
  AddMember(&app, "2", "差一天", "1960-05-11");
  v1::Decision d = Eval(program, app);
  ASSERT_THAT(RuleIds(d), ElementsAre("R1"));
  EXPECT_EQ(d.reasons(0).message(), "生日当天");
  app.mutable_members(0)->set_birth_date("1960-05-11");
  EXPECT_THAT(RuleIds(Eval(program, app)), IsEmpty());
}

TEST(EvaluatorTest, MalformedDateInApplicationIsFault) {
  auto program = MustCompile("输出 a: 整数 = 最大(成员: 年龄(出生日期, 评估日期))\n输出 b: 整数 = 计数(成员)\n");
  v1::Application app = Household();
  app.mutable_members(1)->set_birth_date("1980/02/02");
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "a"), "<none>");
  EXPECT_EQ(Out(d, "b"), "3");
  ASSERT_THAT(FaultIds(d), ElementsAre("a"));
  EXPECT_THAT(d.faults(0).message(), HasSubstr("1980/02/02"));
}

// ---- missing evidence ------------------------------------------------------------------

TEST(EvaluatorTest, UnsetOptionalFieldIsMissingEvidenceWithPath) {
  auto program = MustCompile(
      "规则 R1 \"年满70\" 每个 成员 在 成员 当 年龄(成员.出生日期, 评估日期) >= 70 则 标记\n");
  v1::Application app = Household();
  app.mutable_members(0)->set_birth_date("1990-01-01");  // nobody is 70
  app.mutable_members(1)->clear_birth_date();
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);
  EXPECT_THAT(RuleIds(d), IsEmpty());
  ASSERT_THAT(d.missing_evidence(), SizeIs(1));
  EXPECT_EQ(d.missing_evidence(0).field(), "成员[2].出生日期");
  EXPECT_EQ(d.missing_evidence(0).needed_by(), "R1");
  EXPECT_THAT(d.missing_evidence(0).message(), HasSubstr("成员[2].出生日期"));
}

TEST(EvaluatorTest, PerItemRuleThatAppliesIgnoresMissingItems) {
  auto program = MustCompile("规则 R1 \"年满70\" 每个 成员 在 成员 当 年龄(成员.出生日期, 评估日期) >= 70 则 不符合\n");
  v1::Application app = Household();  // member 1 is 73
  app.mutable_members(1)->clear_birth_date();
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(d.outcome(), v1::INELIGIBLE);
  EXPECT_THAT(RuleIds(d), ElementsAre("R1"));
}

TEST(EvaluatorTest, PresentAvoidsMissingEvidence) {
  auto program = MustCompile(
      "规则 R1 \"未填出生日期\" 每个 成员 在 成员 当 并非 存在(成员.出生日期) 则 缺少材料 \"{成员.姓名} 未填写出生日期\"\n"
      "规则 R2 \"年满70\" 每个 成员 在 成员 当 存在(成员.出生日期) 并且 年龄(成员.出生日期, 评估日期) >= 70 则 标记\n"
      "输出 亩: 小数 = 如果 存在(耕地面积) 则 耕地面积 否则 0.0\n"
      "输出 有地: 布尔 = present(farmland_centi_mu)\n");
  v1::Application app = Household();
  app.mutable_members(1)->clear_birth_date();
  v1::Decision d = Eval(program, app);
  EXPECT_THAT(RuleIds(d), ElementsAre("R1", "R2"));
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE) << "a 缺少材料 rule applies";
  ASSERT_THAT(d.missing_evidence(), SizeIs(1)) << "only the rule's own report, nothing read unset";
  EXPECT_EQ(d.missing_evidence(0).needed_by(), "R1");
  EXPECT_EQ(d.reasons(0).message(), "李四 未填写出生日期");
  EXPECT_EQ(Out(d, "亩"), "0");
  EXPECT_EQ(Out(d, "有地"), "否");
}

TEST(EvaluatorTest, ThreeValuedAndOr) {
  // 申报近亲属 is an unset optional bool: reading it is missing evidence ("?").
  auto program = MustCompile(
      "输出 f_and: 布尔 = 假 并且 申报近亲属\n"
      "输出 and_f: 布尔 = 申报近亲属 并且 计数(成员) = 0\n"
      "输出 t_or: 布尔 = 真 或者 申报近亲属\n"
      "输出 or_t: 布尔 = 申报近亲属 或者 计数(成员) = 3\n"
      "输出 t_and: 布尔 = 真 并且 申报近亲属\n"
      "输出 f_or: 布尔 = 假 或者 申报近亲属\n"
      "输出 not_q: 布尔 = 并非 申报近亲属\n"
      "输出 if_ok: 布尔 = 如果 存在(申报近亲属) 则 申报近亲属 否则 假\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_EQ(Out(d, "f_and"), "否");
  EXPECT_EQ(Out(d, "and_f"), "否");
  EXPECT_EQ(Out(d, "t_or"), "是");
  EXPECT_EQ(Out(d, "or_t"), "是");
  EXPECT_EQ(Out(d, "t_and"), "<none>");
  EXPECT_EQ(Out(d, "f_or"), "<none>");
  EXPECT_EQ(Out(d, "not_q"), "<none>");
  EXPECT_EQ(Out(d, "if_ok"), "否");
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);
  // One missing input is listed once, with everything that needed it.
  ASSERT_THAT(MissingFields(d), ElementsAre("申报近亲属"));
  EXPECT_EQ(d.missing_evidence(0).needed_by(), "t_and、f_or、not_q");
  EXPECT_THAT(d.faults(), IsEmpty());
}

TEST(EvaluatorTest, QuantifiersWithMissingItems) {
  auto program = MustCompile(
      "输出 any_t: 布尔 = 任一 成员 满足 共同生活\n"
      "输出 all_f: 布尔 = 所有 成员 满足 并非 共同生活\n"
      "输出 any_q: 布尔 = 任一 成员 满足 并非 共同生活\n"
      "输出 all_q: 布尔 = 所有 成员 满足 共同生活\n");
  v1::Application app = Household();
  app.mutable_members(1)->clear_lives_together();
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "any_t"), "是");
  EXPECT_EQ(Out(d, "all_f"), "否");
  EXPECT_EQ(Out(d, "any_q"), "<none>");
  EXPECT_EQ(Out(d, "all_q"), "<none>");
  EXPECT_THAT(MissingFields(d), ElementsAre("成员[2].共同生活"));
}

TEST(EvaluatorTest, NoEvaluationDateIsMissingEvidence) {
  auto program = MustCompile("输出 a: 日期 = 评估日期\n输出 b: 整数 = 计数(成员)\n");
  v1::Application app = Household();
  app.clear_application_date();
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);
  EXPECT_EQ(d.as_of(), "");
  EXPECT_THAT(MissingFields(d), ElementsAre("评估日期"));
  EXPECT_EQ(Out(d, "b"), "3");
}

// ---- parameters and the evaluation date --------------------------------------------------

constexpr char kDatedStandard[] =
    "参数 标准: 金额\n"
    "  自 2017-07-01 起 = 380元 依据 \"2017\"\n"
    "  自 2018-01-01 起 = 470元 依据 \"2018\"\n"
    "输出 s: 金额 = 标准\n";

TEST(EvaluatorTest, DatedParameterChosenByAsOf) {
  auto program = MustCompile(kDatedStandard);
  v1::Application app = Household();
  struct Case {
    const char* date;
    const char* value;
  } cases[] = {{"2017-07-01", "380.00元"}, {"2017-12-31", "380.00元"}, {"2018-01-01", "470.00元"},
               {"2030-01-01", "470.00元"}};
  for (const auto& c : cases) {
    app.set_application_date(c.date);
    v1::Decision d = Eval(program, app);
    EXPECT_EQ(Out(d, "s"), c.value) << c.date;
    EXPECT_EQ(d.as_of(), c.date);
  }
}

TEST(EvaluatorTest, AsOfPrecedence) {
  auto program = MustCompile(kDatedStandard);
  v1::Application app = Household();
  app.set_application_date("2017-08-01");
  EXPECT_EQ(Out(Eval(program, app), "s"), "380.00元");
  app.set_as_of("2018-02-01");  // the application's 评估日期 wins over 申请日期
  EXPECT_EQ(Out(Eval(program, app), "s"), "470.00元");
  EvalOptions options;
  options.as_of = "2017-09-01";  // the option wins over both
  v1::Decision d = Eval(program, app, NoRegistries(), options);
  EXPECT_EQ(Out(d, "s"), "380.00元");
  EXPECT_EQ(d.as_of(), "2017-09-01");
  options.as_of = "2017/09/01";
  EXPECT_FALSE(program->Evaluate(app, NoRegistries(), options).ok());
}

TEST(EvaluatorTest, AsOfBeforeFirstEffectiveDateIsMissingEvidence) {
  auto program = MustCompile(std::string(kDatedStandard) +
                             "规则 R1 \"收入不低于标准\" 当 合计(成员.收入: 金额) >= 标准 则 不符合\n");
  v1::Application app = Household();
  app.set_application_date("2017-06-30");
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);
  EXPECT_EQ(Out(d, "s"), "<none>");
  ASSERT_THAT(d.missing_evidence(), SizeIs(1));
  EXPECT_THAT(d.missing_evidence(0).message(), HasSubstr("标准"));
  EXPECT_THAT(d.missing_evidence(0).message(), HasSubstr("2017-07-01"));
  EXPECT_EQ(d.missing_evidence(0).needed_by(), "R1、s");
}

TEST(EvaluatorTest, ParameterOverrideFeedsImportedRules) {
  CompileOptions options;
  options.sources["province.heyan"] =
      "规则集 省\n"
      "参数 标准: 金额 = 400元\n"
      "规则 R01 \"人均收入不低于标准\" 当 合计(成员.收入: 金额) / 计数(成员) >= 标准 则 不符合\n";
  options.sources["city.heyan"] =
      "规则集 市\n导入 \"province.heyan\"\n覆盖 参数 标准: 金额 = 300元 依据 \"市\"\n";
  absl::StatusOr<CompileResult> city = CompileFile("city.heyan", options);
  ASSERT_TRUE(city.ok() && city->ok());
  absl::StatusOr<CompileResult> province = CompileFile("province.heyan", options);
  ASSERT_TRUE(province.ok() && province->ok());
  // 1000元 / 3 = 333.33元: below the province's 400元, not below the city's 300元.
  EXPECT_EQ(Eval(province->program, Household()).outcome(), v1::ELIGIBLE);
  v1::Decision d = Eval(city->program, Household());
  EXPECT_EQ(d.outcome(), v1::INELIGIBLE);
  EXPECT_EQ(d.ruleset(), "市");
  ASSERT_THAT(RuleIds(d), ElementsAre("R01"));
  EXPECT_EQ(d.reasons(0).location(), "province.heyan:3");

  options.parameter_overrides["标准"] = "350元";
  absl::StatusOr<CompileResult> tuned = CompileFile("city.heyan", options);
  ASSERT_TRUE(tuned.ok() && tuned->ok());
  EXPECT_EQ(Eval(tuned->program, Household()).outcome(), v1::ELIGIBLE);
}

// ---- outcomes and reasons ----------------------------------------------------------------

constexpr char kOutcomeRules[] =
    "规则 D \"标记\" 当 任一 成员 满足 姓名 = \"D\" 则 标记\n"
    "规则 C \"复核\" 当 任一 成员 满足 姓名 = \"C\" 则 需复核\n"
    "规则 B \"缺少\" 当 任一 成员 满足 姓名 = \"B\" 则 缺少材料\n"
    "规则 A \"不符合\" 当 任一 成员 满足 姓名 = \"A\" 则 不符合\n"
    "规则 Q \"读取可选字段\" 当 任一 成员 满足 姓名 = \"Q\" 并且 共同生活 则 需复核\n";

v1::Decision EvalNames(const std::shared_ptr<const Program>& program, const std::vector<std::string>& names) {
  v1::Application app;
  app.set_application_date("2023-01-01");
  int i = 0;
  for (const auto& n : names) {
    v1::Member* m = AddMember(&app, std::to_string(++i), n);
    if (n == "Q") m->clear_lives_together();
  }
  return Eval(program, app);
}

TEST(EvaluatorTest, OutcomePrecedence) {
  auto program = MustCompile(kOutcomeRules);
  EXPECT_EQ(EvalNames(program, {}).outcome(), v1::ELIGIBLE);
  EXPECT_EQ(EvalNames(program, {"D"}).outcome(), v1::ELIGIBLE) << "标记 never changes the outcome";
  EXPECT_EQ(EvalNames(program, {"C"}).outcome(), v1::NEEDS_REVIEW);
  EXPECT_EQ(EvalNames(program, {"C", "D"}).outcome(), v1::NEEDS_REVIEW);
  EXPECT_EQ(EvalNames(program, {"B", "C"}).outcome(), v1::MISSING_EVIDENCE);
  EXPECT_EQ(EvalNames(program, {"Q", "C"}).outcome(), v1::MISSING_EVIDENCE);
  EXPECT_EQ(EvalNames(program, {"A", "B", "C", "D"}).outcome(), v1::INELIGIBLE);
  EXPECT_EQ(EvalNames(program, {"A", "Q"}).outcome(), v1::INELIGIBLE);
  EXPECT_EQ(EvalNames(program, {"A", "D"}).outcome(), v1::INELIGIBLE);
}

TEST(EvaluatorTest, ReasonsInFileOrderWithKinds) {
  auto program = MustCompile(kOutcomeRules);
  v1::Decision d = EvalNames(program, {"A", "B", "C", "D"});
  // 不符合 rules are evaluated first, but reasons follow the rule file.
  ASSERT_THAT(RuleIds(d), ElementsAre("D", "C", "B", "A"));
  EXPECT_EQ(d.reasons(0).kind(), v1::REASON_FLAG);
  EXPECT_EQ(d.reasons(1).kind(), v1::REASON_NEEDS_REVIEW);
  EXPECT_EQ(d.reasons(2).kind(), v1::REASON_MISSING_EVIDENCE);
  EXPECT_EQ(d.reasons(3).kind(), v1::REASON_INELIGIBLE);
  EXPECT_EQ(d.reasons(3).title(), "不符合");
  EXPECT_EQ(d.reasons(3).message(), "不符合") << "without a message, the title";
  EXPECT_EQ(d.reasons(0).location(), "main.heyan:2");
  EXPECT_EQ(d.reasons(3).location(), "main.heyan:5");
}

TEST(EvaluatorTest, ReasonMessageInterpolationAndValues) {
  auto program = MustCompile(
      "参数 标准: 金额 = 300元\n"
      "计算 人均: 金额 = 向下取整到分(合计(成员.收入: 金额) / 计数(成员))\n"
      "规则 R01 \"人均收入不低于标准\" 依据 \"社会救助暂行办法 第九条\"\n"
      "  当 人均 >= 标准\n"
      "  则 不符合 \"人均 {人均}，标准 {标准}，{计数(成员)} 人，{{注}}，日期 {申请日期}，{评估日期 - 1个月}，{人均 / 标准}\"\n");
  v1::Decision d = Eval(program, Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  const v1::Reason& r = d.reasons(0);
  EXPECT_EQ(r.rule_id(), "R01");
  EXPECT_EQ(r.title(), "人均收入不低于标准");
  EXPECT_EQ(r.citation(), "社会救助暂行办法 第九条");
  EXPECT_EQ(r.message(),
            "人均 333.33元，标准 300.00元，3 人，{注}，日期 2023-06-01，2023-05-01，1.1111");
  EXPECT_EQ(r.location(), "main.heyan:4");
  std::map<std::string, std::string> values;
  for (const auto& v : r.values()) values[v.name()] = v.value();
  EXPECT_EQ(values["人均"], "333.33元");
  EXPECT_EQ(values["标准"], "300.00元");
}

TEST(EvaluatorTest, PerItemRuleMessageNamesTheItemThatApplied) {
  auto program = MustCompile(
      "规则 R03 \"拥有机动车辆\" 依据 \"豫民〔2021〕5号\"\n"
      "  每个 车辆 在 资产.车辆\n"
      "  当 真\n"
      "  例外 \"普通摩托车\" 依据 \"豫民\": 车辆.类型 = 摩托车\n"
      "  例外 \"残疾人代步车\": 车辆.类型 = 车辆类型.残疾人代步车\n"
      "  则 不符合 \"拥有{车辆.类型}（号牌 {车辆.号牌}），价值 {车辆.价值}\"\n");
  v1::Application app = Household();
  auto add = [&](v1::VehicleKind kind, const char* plate, int64_t fen) {
    v1::Vehicle* v = app.mutable_assets()->add_vehicles();
    v->set_kind(kind);
    v->set_plate(plate);
    v->set_value_fen(fen);
  };
  add(v1::MOTORCYCLE, "豫A1", 300000);
  add(v1::DISABILITY_MOBILITY, "豫A2", 200000);
  v1::Decision exempt = Eval(program, app);
  EXPECT_EQ(exempt.outcome(), v1::ELIGIBLE);
  add(v1::CAR, "豫A3", 5000000);
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(d.outcome(), v1::INELIGIBLE);
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_EQ(d.reasons(0).message(), "拥有小汽车（号牌 豫A3），价值 50000.00元");
}

TEST(EvaluatorTest, EveryRuleIsEvaluated) {
  // A fault or missing evidence in one rule never stops the others.
  auto program = MustCompile(
      "规则 R1 \"溢出\" 当 合计(成员.收入: 金额) * 100000000000000000 > 0元 则 不符合\n"
      "规则 R2 \"缺材料\" 当 申报近亲属 则 不符合\n"
      "规则 R3 \"适用\" 当 计数(成员) = 3 则 需复核\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_THAT(RuleIds(d), ElementsAre("R3"));
  EXPECT_THAT(FaultIds(d), ElementsAre("R1"));
  EXPECT_THAT(MissingFields(d), ElementsAre("申报近亲属"));
  EXPECT_EQ(d.outcome(), v1::MISSING_EVIDENCE);
}

// ---- overflow --------------------------------------------------------------------------

TEST(EvaluatorTest, OverflowIsAFaultNeverAWrongValue) {
  auto program = MustCompile(
      "输出 total: 金额 = 合计(成员.收入: 金额)\n"
      "输出 prod: 金额 = 最大(成员.收入: 金额) * 3\n"
      "输出 neg: 金额 = -最大(成员.收入: 金额) - 2元\n"
      "输出 cnt: 整数 = 计数(成员.收入)\n"
      "输出 round: 金额 = 向上取整到元(最大(成员.收入: 金额))\n"
      "输出 ratio: 小数 = (最大(成员.收入: 金额) / 3元) * (最大(成员.收入: 金额) / 7元)\n"
      "规则 R1 \"收入过高\" 当 合计(成员.收入: 金额) > 0元 则 不符合\n");
  v1::Application app;
  app.set_application_date("2023-01-01");
  v1::Member* m = AddMember(&app, "1", "富");
  AddIncome(m, v1::SALARY, kMaxFen);
  AddIncome(m, v1::SALARY, kMaxFen);
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "total"), "<none>");
  EXPECT_EQ(Out(d, "prod"), "<none>");
  EXPECT_EQ(Out(d, "neg"), "<none>");
  EXPECT_EQ(Out(d, "round"), "<none>");
  EXPECT_EQ(Out(d, "ratio"), "<none>");
  EXPECT_EQ(Out(d, "cnt"), "2");
  EXPECT_THAT(FaultIds(d), ElementsAre("R1", "total", "prod", "neg", "round", "ratio"));
  for (const auto& f : d.faults()) EXPECT_THAT(f.message(), HasSubstr("溢出")) << f.rule_id();
  EXPECT_EQ(d.outcome(), v1::NEEDS_REVIEW) << "an undecidable rule does not apply; a fault needs review";
}

TEST(EvaluatorTest, IntegerOverflowIsAFault) {
  auto program = MustCompile(
      "输出 big: 整数 = 合计(成员: 离家年数) * 2147483647 * 2147483647 * 4\n"
      "输出 days: 整数 = 相差天数(2000-01-01, 2000-01-02) + 9223372036854775807\n");
  v1::Application app;
  app.set_application_date("2023-01-01");
  AddMember(&app, "1", "a")->set_years_away(2147483647);
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "big"), "<none>");
  EXPECT_EQ(Out(d, "days"), "<none>");
  EXPECT_THAT(FaultIds(d), ElementsAre("big", "days"));
}

// Issue 14: the running sum aliased Add's input and output, so a sum that overflowed wrapped
// to a wrong amount with no fault, and a single large item gave a false overflow.
TEST(EvaluatorTest, MoneySumOverflowIsAFaultAndLargeSumsAreExact) {
  auto program = MustCompile(
      "输出 wraps: 金额 = 合计([1分, 9223372036854775807分])\n"
      "输出 big: 金额 = 合计([5000000000000000000分])\n"
      "输出 two: 金额 = 合计([4000000000000000000分, 5000000000000000000分])\n"
      "输出 ints: 整数 = 合计([1, 9223372036854775807])\n"
      "输出 literal: 金额 = 922337203685477.58元\n"
      "输出 yuan: 金额 = 1000000000000000元\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_EQ(Out(d, "wraps"), "<none>");
  EXPECT_EQ(Out(d, "ints"), "<none>");
  EXPECT_EQ(Out(d, "big"), "50000000000000000.00元");
  EXPECT_EQ(Out(d, "two"), "90000000000000000.00元");
  EXPECT_EQ(Out(d, "literal"), "922337203685477.58元");
  EXPECT_EQ(Out(d, "yuan"), "1000000000000000.00元") << "whole-yuan literals above 9.22e14元 parse";
  EXPECT_THAT(FaultIds(d), ElementsAre("wraps", "ints"));
  for (const auto& f : d.faults()) {
    EXPECT_THAT(f.message(), HasSubstr("溢出")) << f.rule_id();
    EXPECT_THAT(f.message(), HasSubstr("合计([1")) << "the fault names the expression";
  }
}

// 合计 over random int64 amounts (edge values included) against a 128-bit reference: the
// sum runs left to right, so it is a fault exactly when some prefix leaves the int64 range.
TEST(EvaluatorTest, SumsMatch128BitReference) {
  auto program = MustCompile("输出 total: 金额 = 合计(成员.收入: 金额)\n");
  std::mt19937_64 rng(14);
  constexpr int64_t kEdges[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, kMaxFen - 1, kMaxFen,
                                5000000000000000000, -5000000000000000000};
  auto random_amount = [&]() -> int64_t {
    if (rng() % 3 == 0) return kEdges[rng() % (sizeof(kEdges) / sizeof(kEdges[0]))];
    if (rng() % 2 == 0) return static_cast<int64_t>(rng() % 2000001) - 1000000;
    return static_cast<int64_t>(rng());
  };
  int faults = 0, exact = 0;
  for (int trial = 0; trial < 400; ++trial) {
    v1::Application app;
    app.set_application_date("2023-01-01");
    v1::Member* m = AddMember(&app, "1", "甲");
    const int n = 1 + static_cast<int>(rng() % 5);
    __int128 prefix = 0;
    bool overflow = false;
    std::string items;
    for (int k = 0; k < n; ++k) {
      int64_t fen = random_amount();
      AddIncome(m, v1::SALARY, fen);
      prefix += fen;
      overflow = overflow || prefix > kMaxFen || prefix < INT64_MIN;
      items += std::to_string(fen) + " ";
    }
    v1::Decision d = Eval(program, app);
    if (overflow) {
      ++faults;
      EXPECT_EQ(Out(d, "total"), "<none>") << items;
      EXPECT_THAT(FaultIds(d), ElementsAre("total")) << items;
    } else {
      ++exact;
      const v1::Amount* total = Amount(d, "total");
      ASSERT_NE(total, nullptr) << items;
      EXPECT_EQ(total->fen(), static_cast<int64_t>(prefix)) << items;
      EXPECT_THAT(d.faults(), IsEmpty()) << items;
    }
  }
  EXPECT_GT(faults, 20);  // both branches are exercised
  EXPECT_GT(exact, 20);
}

// The shipped Zhengzhou rules with a salary of 92,233,720,368,547,758.07元 plus 1分: before the
// fix the family income wrapped to a negative amount and the household was decided 符合
// with a benefit.
TEST(EvaluatorTest, ZhengzhouIncomeOverflowIsNeverEligible) {
  absl::StatusOr<CompileResult> r =
      CompileFile(std::string(HEYAN_SOURCE_DIR) + "/rules/henan/zhengzhou/zhengzhou.heyan");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->ok());
  // Both orders: 1分 first made the old code wrap silently (1 + INT64_MAX "fit"); the
  // salary first made it report a false overflow on 0 + INT64_MAX, which hid the bug.
  for (bool small_first : {true, false}) {
  SCOPED_TRACE(small_first ? "1分 first" : "salary first");
  v1::Application app;
  app.set_id("Z-OVERFLOW");
  app.set_kind(v1::NEW_APPLICATION);
  app.set_hukou_type(v1::URBAN);
  app.set_application_date("2017-08-01");
  app.set_declares_staff_relative(false);
  v1::Member* a = AddMember(&app, "410100197005010011", "张建国", "1970-05-01");
  a->set_relation(v1::SELF);
  a->set_work_capacity(v1::FULL);
  for (int64_t fen : small_first ? std::vector<int64_t>{1, kMaxFen} : std::vector<int64_t>{kMaxFen, 1}) {
    v1::Income* i = AddIncome(a, v1::SALARY, fen);
    i->set_after_tax(true);
  }
  v1::Member* b = AddMember(&app, "410100197203010022", "李秀英", "1972-03-01");
  b->set_relation(v1::SPOUSE);
  b->set_work_capacity(v1::NONE);
  app.mutable_assets()->mutable_homes()->set_count(1);
  app.mutable_assets()->mutable_homes()->set_total_area_centi_m2(9000);
  app.mutable_assets()->mutable_financial()->set_deposits_fen(500000);
  app.mutable_assets()->mutable_financial()->set_cash_fen(0);
  v1::Decision d = Eval(r->program, app);
  EXPECT_NE(d.outcome(), v1::ELIGIBLE);
  EXPECT_EQ(d.benefit_fen(), 0);
  bool named = false;
  for (const auto& f : d.faults()) {
    if (f.message().find("溢出") != std::string::npos && f.message().find("合计(") != std::string::npos) named = true;
  }
  EXPECT_TRUE(named) << d.DebugString();
  }
}

// Issue 14: 评估日期 + 6000000年 overflowed the 32-bit day number (UBSan) and produced a
// wrong date. A date outside 0001-01-01..9999-12-31 is now a fault naming the expression.
TEST(EvaluatorTest, DateArithmeticOutsideTheRangeIsAFault) {
  // A long chain of durations is fine (it is regrouped; a date in it would not be).
  std::string years = "100000年";
  for (int i = 1; i < 60; ++i) years += " + 100000年";
  std::string far = "评估日期 + (" + years + ")";
  std::string huge = "100000年";  // 1,800 × 1,200,000 months overflows int32
  for (int i = 1; i < 1800; ++i) huge += " + 100000年";
  std::string days = "d";
  for (int i = 0; i < 25; ++i) days += " - 100000天";
  auto program = MustCompile(std::string(kPrelude) +
      "输出 far: 日期 = " + far + "\n"
      "输出 early: 日期 = d - 2023年\n"
      "输出 days: 日期 = " + days + "\n"
      "输出 within: 布尔 = 之前期间内(d, d, 100000年)\n"
      "输出 ok: 日期 = d + 7976年\n"
      "输出 dur: 日期 = d + (" + huge + ")\n");
  v1::Decision d = Eval(program, Household());
  for (const char* name : {"far", "early", "days", "within", "dur"}) EXPECT_EQ(Out(d, name), "<none>") << name;
  EXPECT_EQ(Out(d, "ok"), "9999-06-01");
  EXPECT_THAT(FaultIds(d), ElementsAre("far", "early", "days", "within", "dur"));
  for (const auto& f : d.faults()) {
    if (f.rule_id() == "dur") {
      EXPECT_THAT(f.message(), HasSubstr("溢出")) << "duration + duration overflowed int32";
      continue;
    }
    EXPECT_THAT(f.message(), HasSubstr("超出支持范围（0001-01-01 至 9999-12-31）")) << f.rule_id();
    if (f.rule_id() == "early") EXPECT_THAT(f.message(), HasSubstr("“d - 2023年”")) << "names the expression";
  }
}

// ---- outputs ---------------------------------------------------------------------------

TEST(EvaluatorTest, OutputsMapToDecisionFields) {
  auto program = MustCompile(
      "计算 保障对象 = 成员 其中 共同生活\n"
      "计算 人数 = 计数(保障对象)\n"
      "输出 认定月收入 = 合计(保障对象.收入: 金额) 记为 counted_income\n"
      "输出 人均月收入: 金额 = 向下取整到分(认定月收入 / 人数) 记为 人均收入\n"
      "输出 月保障金 = 如果 符合条件 则 向上取整到元(较大值(500元 * 人数 - 认定月收入, 0元)) 否则 0元 记为 benefit\n"
      "输出 档次: 文本 = 如果 人均月收入 < 300元 则 \"A\" 否则 \"B\" 记为 tier\n"
      "输出 保障人员 = 保障对象 记为 covered_members\n"
      "输出 只在金额里 = 人数\n");
  v1::Application app = Household();
  app.mutable_members(2)->set_lives_together(false);  // 王五 (100元) not covered
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(d.outcome(), v1::ELIGIBLE);
  EXPECT_EQ(d.counted_income_fen(), 90000);
  EXPECT_EQ(d.per_capita_income_fen(), 45000);
  EXPECT_EQ(d.benefit_fen(), 10000);
  EXPECT_EQ(d.tier(), "B");
  EXPECT_THAT(d.covered_members(), ElementsAre("410100195001011234", "410100198002022345"));
  std::vector<std::string> names;
  for (const auto& a : d.amounts()) names.push_back(a.name());
  EXPECT_THAT(names, ElementsAre("认定月收入", "人均月收入", "月保障金", "档次", "保障人员", "只在金额里"));
  EXPECT_EQ(Amount(d, "月保障金")->fen(), 10000);
  EXPECT_EQ(Out(d, "月保障金"), "100.00元");
  EXPECT_EQ(Out(d, "只在金额里"), "2");
  EXPECT_EQ(Out(d, "保障人员"), "[张三 410100195001011234、李四 410100198002022345]");
}

TEST(EvaluatorTest, EligibleFeedsOutputs) {
  auto program = MustCompile(
      "规则 R1 \"收入过高\" 当 合计(成员.收入: 金额) > 900元 则 不符合\n"
      "输出 保障金 = 如果 符合条件 则 100元 否则 0元 记为 benefit\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_EQ(d.outcome(), v1::INELIGIBLE);
  EXPECT_EQ(d.benefit_fen(), 0);
  EXPECT_EQ(Out(d, "保障金"), "0.00元");
  v1::Application poorer = Household();
  poorer.mutable_members(0)->mutable_incomes(0)->set_amount_fen(100);
  v1::Decision e = Eval(program, poorer);
  EXPECT_EQ(e.outcome(), v1::ELIGIBLE);
  EXPECT_EQ(e.benefit_fen(), 10000);
}

TEST(EvaluatorTest, NonWholeFenMoneyOutputIsFault) {
  auto program = MustCompile(
      "输出 人均 = 合计(成员.收入: 金额) / 计数(成员) 记为 per_capita_income\n"
      "输出 整 = 合计(成员.收入: 金额) / 4\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_EQ(Out(d, "人均"), "<none>");
  EXPECT_EQ(d.per_capita_income_fen(), 0);
  EXPECT_EQ(Out(d, "整"), "250.00元");
  ASSERT_THAT(FaultIds(d), ElementsAre("人均"));
  EXPECT_THAT(d.faults(0).message(), HasSubstr("整分"));
}

TEST(EvaluatorTest, ExplainOffKeepsOutcomesAndFen) {
  auto program = MustCompile(
      "规则 R1 \"t\" 依据 \"c\" 当 计数(成员) = 3 则 需复核 \"消息 {计数(成员)}\"\n"
      "输出 收入 = 合计(成员.收入: 金额) 记为 counted_income\n");
  EvalOptions options;
  options.explain = false;
  v1::Decision d = Eval(program, Household(), NoRegistries(), options);
  EXPECT_EQ(d.outcome(), v1::NEEDS_REVIEW);
  ASSERT_THAT(RuleIds(d), ElementsAre("R1"));
  EXPECT_EQ(d.reasons(0).kind(), v1::REASON_NEEDS_REVIEW);
  EXPECT_EQ(d.reasons(0).message(), "");
  EXPECT_EQ(d.counted_income_fen(), 100000);
  ASSERT_NE(Amount(d, "收入"), nullptr);
  EXPECT_EQ(Amount(d, "收入")->fen(), 100000);
  v1::Decision full = Eval(program, Household());
  EXPECT_EQ(full.reasons(0).message(), "消息 3");
  EXPECT_EQ(full.outcome(), d.outcome());
}

// ---- decision tables at run time ---------------------------------------------------------

TEST(EvaluatorTest, DecisionTables) {
  auto program = MustCompile(
      "计算 人均: 金额 = 向下取整到分(合计(成员.收入: 金额) / 计数(成员))\n"
      "决策表 档次: 文本 命中 唯一\n"
      "  条件 人均, 计数(成员)\n"
      "  行 < 100元, -            => \"A\"\n"
      "  行 [100元, 400元), >= 3  => \"B\"\n"
      "  行 [100元, 400元), < 3   => \"C\"\n"
      "  否则 => \"无\"\n"
      "决策表 首: 小数 命中 首个 条件 户籍类型\n  行 农村户籍 => 70%\n  行 - => 1\n"
      "输出 o1 = 档次\n输出 o2 = 首\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_EQ(Out(d, "o1"), "B");
  EXPECT_EQ(Out(d, "o2"), "1");
  v1::Application rural = Household();
  rural.set_hukou_type(v1::RURAL);
  rural.mutable_members(0)->mutable_incomes(0)->set_amount_fen(60000000);
  v1::Decision e = Eval(program, rural);
  EXPECT_EQ(Out(e, "o1"), "无");
  EXPECT_EQ(Out(e, "o2"), "0.7");
}

TEST(EvaluatorTest, UnanalysedTableOverlapAndGapAreFaults) {
  // Bounds from parameters: the checker skips the analysis, the evaluator reports a fault.
  auto program = MustCompile(
      "参数 界: 金额 = 100元\n"
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 重叠 命中 唯一 条件 收入\n  行 <= 界 => \"A\"\n  行 >= 界 => \"B\"\n"
      "决策表 缺口 命中 唯一 条件 收入\n  行 < 界 => \"A\"\n  行 > 界 => \"B\"\n"
      "输出 o1 = 重叠\n输出 o2 = 缺口\n");
  v1::Application app;
  app.set_application_date("2023-01-01");
  AddIncome(AddMember(&app, "1", "a"), v1::SALARY, 10000);
  v1::Decision d = Eval(program, app);
  EXPECT_EQ(Out(d, "o1"), "<none>");
  EXPECT_EQ(Out(d, "o2"), "<none>");
  ASSERT_THAT(FaultIds(d), ElementsAre("o1", "o2"));
  EXPECT_THAT(d.faults(0).message(), HasSubstr("重叠"));
  EXPECT_THAT(d.faults(1).message(), HasSubstr("缺口"));
  app.mutable_members(0)->mutable_incomes(0)->set_amount_fen(5000);
  v1::Decision ok = Eval(program, app);
  EXPECT_EQ(Out(ok, "o1"), "A");
  EXPECT_EQ(Out(ok, "o2"), "A");
  EXPECT_THAT(ok.faults(), IsEmpty());
}

// ---- trace, fingerprint, determinism -----------------------------------------------------

TEST(EvaluatorTest, TraceContents) {
  auto program = MustCompile(
      "参数 标准: 金额 自 2017-01-01 起 = 300元 自 2020-01-01 起 = 400元\n"
      "计算 计入: 金额 = 合计(成员.收入 其中 来源 ≠ 奖学金: 金额)\n"
      "决策表 档 命中 首个 条件 计入\n  行 < 100元 => \"A\"\n  行 - => \"B\"\n"
      "规则 R1 \"收入高\" 当 计入 > 标准 则 需复核\n"
      "规则 R2 \"车\" 每个 车 在 资产.车辆 当 真 例外 \"摩托\": 车.类型 = 摩托车 则 不符合\n"
      "规则 R3 \"缺\" 当 申报近亲属 则 标记\n"
      "输出 o = 档\n");
  v1::Application app = Household();
  app.mutable_assets()->add_vehicles()->set_kind(v1::MOTORCYCLE);
  v1::Decision plain = Eval(program, app);
  EXPECT_THAT(plain.trace(), IsEmpty()) << "no trace unless asked for";
  EvalOptions options;
  options.trace = true;
  v1::Decision d = Eval(program, app, NoRegistries(), options);
  std::map<std::string, const v1::TraceStep*> steps;
  int filters = 0;
  for (const auto& s : d.trace()) {
    if (s.kind() == "filter") {
      if (s.name() == "计入") ++filters;
      continue;
    }
    if (s.kind() == "item") continue;
    steps[s.kind() + ":" + s.name()] = &s;
  }
  ASSERT_TRUE(steps.count("rule:R1"));
  EXPECT_EQ(steps["rule:R1"]->result(), "适用");
  EXPECT_EQ(steps["rule:R1"]->location(), "main.heyan:7");
  ASSERT_GE(steps["rule:R1"]->inputs_size(), 2);
  EXPECT_EQ(steps["rule:R1"]->inputs(0).name(), "计入");
  EXPECT_EQ(steps["rule:R1"]->inputs(0).value(), "900.00元");
  ASSERT_TRUE(steps.count("rule:R2"));
  EXPECT_EQ(steps["rule:R2"]->result(), "例外：摩托");
  ASSERT_TRUE(steps.count("rule:R3"));
  EXPECT_THAT(steps["rule:R3"]->result(), HasSubstr("申报近亲属"));
  ASSERT_TRUE(steps.count("parameter:标准"));
  EXPECT_EQ(steps["parameter:标准"]->result(), "400.00元（自 2020-01-01 起）");
  ASSERT_TRUE(steps.count("value:计入"));
  EXPECT_EQ(steps["value:计入"]->result(), "900.00元");
  ASSERT_TRUE(steps.count("table:档"));
  EXPECT_EQ(steps["table:档"]->result(), "B（第 2 行）");
  ASSERT_TRUE(steps.count("output:o"));
  EXPECT_EQ(filters, 3) << "one step per income the filter looked at";
  ASSERT_GE(filters, 1);
  for (const auto& s : d.trace()) {
    if (s.kind() != "filter" || s.name() != "计入") continue;
    ASSERT_EQ(s.inputs_size(), 2);
    EXPECT_EQ(s.inputs(0).name(), "收入[1]");
    EXPECT_THAT(s.inputs(0).value(), HasSubstr("金额=600.00元"));
    EXPECT_EQ(s.inputs(1).value(), "来源 ≠ 奖学金");
    EXPECT_EQ(s.result(), "计入");
    break;
  }
  // The trace does not change anything else, but for the typed copies of reason values and
  // amounts it adds.
  v1::Decision without = d;
  without.clear_trace();
  for (v1::Reason& r : *without.mutable_reasons()) {
    for (v1::NamedValue& v : *r.mutable_values()) {
      EXPECT_TRUE(v.has_typed() || v.undetermined()) << v.name();
      v.clear_typed();
      v.clear_declarations();
    }
  }
  for (v1::Amount& a : *without.mutable_amounts()) {
    EXPECT_TRUE(a.has_typed()) << a.name();
    a.clear_typed();
  }
  EXPECT_EQ(without.SerializeAsString(), plain.SerializeAsString());
}

// The same trace, typed: what explanations, coverage and bindings read instead of the text.
TEST(EvaluatorTest, TraceIsTyped) {
  auto program = MustCompile(
      "参数 标准: 金额 自 2017-01-01 起 = 300元 自 2020-01-01 起 = 400元\n"
      "计算 计入: 金额 = 合计(成员.收入 其中 来源 ≠ 奖学金: 金额)\n"
      "决策表 档 命中 首个 条件 计入\n  行 < 100元 => \"A\"\n  行 - => \"B\"\n"
      "规则 R1 \"收入高\" 当 计入 > 标准 则 需复核\n"
      "规则 R2 \"车\" 每个 车 在 资产.车辆 当 真 例外 \"汽车\": 车.类型 = 小汽车 "
      "例外 \"摩托、电动车\": 车.类型 = 摩托车 则 不符合\n"
      "规则 R3 \"缺\" 当 申报近亲属 则 标记\n"
      "输出 o = 档\n");
  v1::Application app = Household();
  app.mutable_assets()->add_vehicles()->set_kind(v1::MOTORCYCLE);
  EvalOptions options;
  options.trace = true;
  v1::Decision d = Eval(program, app, NoRegistries(), options);
  std::map<std::string, const v1::TraceStep*> steps;
  std::vector<const v1::TraceStep*> filters;
  for (const auto& s : d.trace()) {
    if (s.step_kind() == v1::TraceStep::STEP_FILTER) filters.push_back(&s);
    if (s.step_kind() != v1::TraceStep::STEP_FILTER && s.step_kind() != v1::TraceStep::STEP_ITEM) steps[s.name()] = &s;
  }
  const auto& decls = program->declarations();
  auto declared = [&](const v1::TraceStep& s) {
    return s.has_declaration() && s.declaration() >= 0 && s.declaration() < static_cast<int>(decls.size())
               ? decls[s.declaration()].name
               : std::string("?");
  };
  ASSERT_TRUE(steps.count("R1") && steps.count("R2") && steps.count("R3"));
  EXPECT_EQ(steps["R1"]->step_kind(), v1::TraceStep::STEP_RULE);
  EXPECT_EQ(steps["R1"]->status(), v1::TraceStep::APPLIES);
  EXPECT_EQ(declared(*steps["R1"]), "R1");
  // Its inputs: typed, and which named values each reads.
  ASSERT_GE(steps["R1"]->inputs_size(), 2);
  const v1::NamedValue& income = steps["R1"]->inputs(0);
  EXPECT_EQ(income.typed().money_fen().num(), 90000);
  EXPECT_EQ(income.typed().money_fen().den(), 1);
  ASSERT_EQ(income.declarations_size(), 1);
  EXPECT_EQ(decls[income.declarations(0)].name, "计入");
  // An exception whose title holds "、" is one exception, by index.
  EXPECT_EQ(steps["R2"]->status(), v1::TraceStep::EXCEPTED);
  EXPECT_THAT(steps["R2"]->exceptions(), ElementsAre(1));
  EXPECT_THAT(steps["R2"]->exception_titles(), ElementsAre("摩托、电动车"));
  EXPECT_EQ(steps["R3"]->status(), v1::TraceStep::MISSING);
  EXPECT_EQ(steps["R3"]->missing_field(), "申报近亲属");
  ASSERT_TRUE(steps.count("标准"));
  EXPECT_EQ(steps["标准"]->step_kind(), v1::TraceStep::STEP_PARAMETER);
  EXPECT_EQ(steps["标准"]->status(), v1::TraceStep::COMPUTED);
  EXPECT_EQ(steps["标准"]->effective_from(), "2020-01-01");
  EXPECT_EQ(steps["标准"]->value().money_fen().num(), 40000);
  ASSERT_TRUE(steps.count("档"));
  EXPECT_EQ(steps["档"]->step_kind(), v1::TraceStep::STEP_TABLE);
  EXPECT_EQ(steps["档"]->table_row(), 2);
  EXPECT_EQ(steps["档"]->value().text_value(), "B");
  // Each item by its place in the application, whatever it looks like.
  ASSERT_EQ(filters.size(), 3u);
  std::vector<std::string> places;
  for (const v1::TraceStep* f : filters) {
    EXPECT_EQ(declared(*f), "计入");
    EXPECT_EQ(f->item().type(), "heyan.v1.Income");
    std::string place;
    for (const auto& e : f->item().path()) absl::StrAppend(&place, e.field(), "[", e.index(), "]");
    places.push_back(absl::StrCat(place, f->status() == v1::TraceStep::COUNTED ? " counted" : " not counted"));
  }
  EXPECT_THAT(places, ElementsAre("members[0]incomes[0] counted", "members[0]incomes[1] counted",
                                  "members[2]incomes[0] not counted"));
}

TEST(EvaluatorTest, TraceItemsAreRecordedOnce) {
  auto program = MustCompile("计算 计入: 金额 = 合计(成员.收入 其中 来源 ≠ 奖学金: 金额)\n输出 o = 计入\n");
  EvalOptions options;
  options.trace = true;
  v1::Decision d = Eval(program, Household(), NoRegistries(), options);
  int named = 0, unnamed = 0;
  for (const auto& s : d.trace()) {
    if (s.kind() != "filter") continue;
    (s.name().empty() ? unnamed : named)++;
  }
  // Each item once, under the value that computed it: re-evaluating a value's evidence to
  // explain it (Render) records nothing again.
  EXPECT_EQ(named, 3);
  EXPECT_EQ(unnamed, 0);
}

// A trace lists at most 1,000 items per filter or aggregate and then says how many more
// there were: one household with 100,000 income items made a trace of several hundred MB.
TEST(EvaluatorTest, TraceListsAtMostAThousandItemsPerExpression) {
  auto program = MustCompile("计算 计入: 金额 = 合计(成员.收入 其中 来源 ≠ 奖学金: 金额)\n输出 o = 计入\n");
  v1::Application app = Household();
  v1::Member* first = app.mutable_members(0);
  for (int i = 0; i < 2500; ++i) AddIncome(first, v1::CASUAL_LABOUR, 1);
  EvalOptions options;
  options.trace = true;
  v1::Decision d = Eval(program, app, NoRegistries(), options);
  // The sum still covers every item: 600 + 300 + 2500 × 0.01 元.
  ASSERT_EQ(d.amounts_size(), 1);
  EXPECT_EQ(d.amounts(0).fen(), 60000 + 30000 + 2500);
  int listed_filter = 0, listed_item = 0;
  std::vector<const v1::TraceStep*> omitted;
  for (const auto& s : d.trace()) {
    if (s.kind() == "filter") ++listed_filter;
    if (s.kind() == "item") ++listed_item;
    if (s.kind() == "items_omitted") omitted.push_back(&s);
  }
  EXPECT_EQ(listed_filter, 1000);
  EXPECT_EQ(listed_item, 1000);
  // The filter saw 2,503 items; the sum the 2,502 it let through.
  ASSERT_EQ(omitted.size(), 2u);
  for (const v1::TraceStep* step : omitted) {
    EXPECT_EQ(step->name(), "计入");
    ASSERT_EQ(step->inputs_size(), 2);
  }
  EXPECT_EQ(omitted[0]->inputs(0).name(), "filter");
  EXPECT_EQ(omitted[0]->inputs(0).value(), "1503");
  EXPECT_EQ(omitted[0]->inputs(1).value(), "来源 ≠ 奖学金");
  EXPECT_THAT(omitted[0]->result(), HasSubstr("另有 1503 项"));
  EXPECT_EQ(omitted[1]->inputs(0).name(), "item");
  EXPECT_EQ(omitted[1]->inputs(0).value(), "1502");
  EXPECT_EQ(omitted[1]->inputs(1).value(), "收入.金额");  // as the listed items show it
  // The staff explanation says so under the group, in every format and language.
  for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
    ExplainOptions o;
    o.format = format;
    o.program = program.get();
    absl::StatusOr<std::string> zh = Explain(d, app, o);
    ASSERT_TRUE(zh.ok()) << zh.status();
    EXPECT_THAT(*zh, HasSubstr(format == ExplainOptions::Format::kJson ? "\"omitted\": 1503" : "另有 1503 项未逐项列出"));
    o.language = Language::kEnglish;
    absl::StatusOr<std::string> en = Explain(d, app, o);
    ASSERT_TRUE(en.ok()) << en.status();
    if (format != ExplainOptions::Format::kJson) EXPECT_THAT(*en, HasSubstr("1503 more items, not listed"));
  }
}

TEST(EvaluatorTest, DecisionHeaderFields) {
  auto program = MustCompile("输出 a: 整数 = 计数(成员)\n");
  v1::Decision d = Eval(program, Household());
  EXPECT_EQ(d.application_id(), "A-001");
  EXPECT_EQ(d.ruleset(), "测试");
  EXPECT_EQ(d.engine_version(), kEngineVersion);
  EXPECT_EQ(d.as_of(), "2023-06-01");
  EXPECT_EQ(d.rules_fingerprint(), program->fingerprint());
  EXPECT_EQ(program->version(), "1");
}

TEST(EvaluatorTest, FingerprintStableAndSensitive) {
  const std::string body = "参数 标准: 金额 = 470元\n输出 a: 金额 = 标准\n";
  auto p1 = MustCompile(body);
  auto p2 = MustCompile(body);
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->fingerprint(), p2->fingerprint());
  EXPECT_THAT(p1->fingerprint(), ::testing::MatchesRegex("[0-9a-f]{64}"));
  auto changed = MustCompile("参数 标准: 金额 = 480元\n输出 a: 金额 = 标准\n");
  EXPECT_NE(changed->fingerprint(), p1->fingerprint());
  CompileOptions options;
  options.parameter_overrides["标准"] = "480元";
  auto overridden = MustCompile(body, options);
  EXPECT_NE(overridden->fingerprint(), p1->fingerprint());
  EXPECT_NE(overridden->fingerprint(), changed->fingerprint());
}

TEST(EvaluatorTest, SameInputGivesByteIdenticalDecision) {
  const std::string body =
      std::string(kPrelude) + kOutcomeRules +
      "规则 R9 \"收入\" 当 m > 100元 则 需复核 \"{m} {n} {d}\"\n"
      "输出 x: 金额 = 向下取整到分(m / n) 记为 per_capita_income\n"
      "输出 y = 成员 记为 covered_members\n";
  auto p1 = MustCompile(body);
  auto p2 = MustCompile(body);
  v1::Application app = Household();
  EvalOptions options;
  options.trace = true;
  auto serialize = [](const v1::Decision& d) {
    std::string out;
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    d.SerializeToCodedStream(&coded);
    coded.Trim();
    return out;
  };
  std::string first = serialize(Eval(p1, app, NoRegistries(), options));
  EXPECT_FALSE(first.empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(serialize(Eval(p1, app, NoRegistries(), options)), first);
    EXPECT_EQ(serialize(Eval(p2, app, NoRegistries(), options)), first);
  }
  // Reusing one Decision message gives the same bytes (it is cleared first).
  v1::Decision reused;
  ASSERT_TRUE(p1->Evaluate(Household(), NoRegistries(), options, &reused).ok());
  v1::Application other = Household();
  other.set_id("other");
  ASSERT_TRUE(p1->Evaluate(other, NoRegistries(), options, &reused).ok());
  ASSERT_TRUE(p1->Evaluate(app, NoRegistries(), options, &reused).ok());
  EXPECT_EQ(serialize(reused), first);
}

TEST(EvaluatorTest, ExampleRuleSetDecidesAHousehold) {
  absl::StatusOr<CompileResult> r = CompileFile(std::string(HEYAN_SOURCE_DIR) + "/rules/examples/city.heyan");
  ASSERT_TRUE(r.ok() && r->ok());
  v1::Application app = Household();
  app.set_hukou_type(v1::URBAN);
  app.set_declares_staff_relative(false);
  v1::Decision d = Eval(r->program, app);
  EXPECT_NE(d.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(d.ruleset(), "郑州市区低保");
  EXPECT_THAT(d.faults(), IsEmpty());
  EXPECT_EQ(d.as_of(), "2023-06-01");
}

}  // namespace
}  // namespace heyan
