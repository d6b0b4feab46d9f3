// Evidence that can be trusted: absent quantities are missing evidence (never 0), a registry
// that was not checked is missing evidence (never "no record"), per-household checks travel
// in a VerificationRequest, and every decision lists the checks it used.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/registry.pb.h"
#include "heyan/v1/verification.pb.h"

namespace heyan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kZhang[] = "410100197005010011";
constexpr char kLi[] = "410100197203010022";
constexpr char kSon[] = "410100199001010033";  // lives elsewhere, a supporter

std::shared_ptr<const Program> MustCompile(const std::string& body) {
  CompileOptions options;
  options.sources["main.heyan"] = "规则集 测试 版本 \"1\"\n" + body;
  absl::StatusOr<CompileResult> r = CompileFile("main.heyan", options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  std::string dump;
  for (const auto& d : r->diagnostics) dump += FormatDiagnostic(d);
  EXPECT_TRUE(r->ok()) << body << "\n" << dump;
  return r->program;
}

v1::Application TwoPeople() {
  v1::Application app;
  app.set_id("V-1");
  app.set_application_date("2024-03-01");
  for (const char* id : {kZhang, kLi}) {
    v1::Member* m = app.add_members();
    m->set_id_number(id);
    m->set_name(id == kZhang ? "张建国" : "李秀英");
    m->set_lives_together(true);
  }
  return app;
}

std::vector<std::string> MissingFields(const v1::Decision& d) {
  std::vector<std::string> out;
  for (const auto& m : d.missing_evidence()) out.push_back(m.field());
  return out;
}
std::vector<std::string> RuleIds(const v1::Decision& d) {
  std::vector<std::string> out;
  for (const auto& r : d.reasons()) out.push_back(r.rule_id());
  return out;
}

constexpr char kPayrollRule[] =
    "规则 R205 \"财政供养人员\" 每个 人 在 成员 当 人.身份证号 属于 登记册.财政供养人员\n"
    "  则 需复核 \"{人.姓名} 为财政供养人员\"\n";

// ---- not checked is not "no record" ----------------------------------------------------

TEST(VerificationTest, UncheckedRegistryIsMissingEvidenceNamingTheCheck) {
  auto program = MustCompile(kPayrollRule);
  Registries nothing_loaded;
  absl::StatusOr<v1::Decision> d = program->Evaluate(TwoPeople(), nothing_loaded);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome(), v1::MISSING_EVIDENCE) << "a skipped payroll check must never approve";
  ASSERT_EQ(d->missing_evidence_size(), 1) << "the rule stops at the first person it cannot decide";
  EXPECT_EQ(d->missing_evidence(0).field(), "登记册.财政供养人员[成员[1]]");
  EXPECT_THAT(d->missing_evidence(0).message(), HasSubstr("财政供养人员 未核对"));
  EXPECT_EQ(d->missing_evidence(0).needed_by(), "R205");
  EXPECT_THAT(d->checks(), IsEmpty());
}

TEST(VerificationTest, RecordsWithoutACheckAreStillNotChecked) {
  // Adding records is not a statement that the registry was checked for everyone.
  auto program = MustCompile(kPayrollRule);
  Registries registries;
  ASSERT_TRUE(registries.AddId("财政供养人员", "410100196001010099").ok());
  absl::StatusOr<v1::Decision> d = program->Evaluate(TwoPeople(), registries);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome(), v1::MISSING_EVIDENCE);
  ASSERT_TRUE(registries.MarkChecked("财政供养人员", {"2024-02-29", "财政局 2024-02 批次", "郑州市财政局"}).ok());
  d = program->Evaluate(TwoPeople(), registries);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome(), v1::ELIGIBLE);
  ASSERT_EQ(d->checks_size(), 1);
  const v1::CheckUsed& c = d->checks(0);
  EXPECT_EQ(c.registry(), "public_payroll_staff");
  EXPECT_EQ(c.registry_zh(), "财政供养人员");
  EXPECT_EQ(c.checked_on(), "2024-02-29");
  EXPECT_EQ(c.reference(), "财政局 2024-02 批次");
  EXPECT_EQ(c.source(), "郑州市财政局");
  EXPECT_EQ(c.origin(), v1::CheckUsed::LOADED);
  EXPECT_THAT(c.id_numbers(), ElementsAre(kZhang, kLi));
}

TEST(VerificationTest, MarkCheckedNeedsADateAndAReference) {
  Registries registries;
  EXPECT_EQ(registries.MarkChecked("财政供养人员", {"2024-13-01", "x", ""}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registries.MarkChecked("财政供养人员", {"2024-03-01", "", ""}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registries.MarkChecked("没有这个登记册", {"2024-03-01", "x", ""}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registries.check(Registries::IndexOf("财政供养人员")), nullptr);
}

TEST(VerificationTest, AnEmptyIdNumberCannotBeLookedUp) {
  auto program = MustCompile(kPayrollRule);
  Registries registries;
  ASSERT_TRUE(registries.MarkChecked("财政供养人员", {"2024-02-29", "批次", ""}).ok());
  v1::Application app = TwoPeople();
  app.mutable_members(1)->clear_id_number();
  absl::StatusOr<v1::Decision> d = program->Evaluate(app, registries);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome(), v1::MISSING_EVIDENCE);
  EXPECT_THAT(MissingFields(*d), ElementsAre("成员[2].身份证号"));
}

// ---- VerificationRequest: one household with its own checks --------------------------

v1::VerificationRequest Request() {
  v1::VerificationRequest request;
  *request.mutable_application() = TwoPeople();
  request.set_request_id("REQ-7");
  v1::RegistryCheck* check = request.mutable_records()->add_checks();
  check->set_registry("财政供养人员");
  check->set_checked_on("2024-03-01");
  check->set_reference("HD-2024-0301-0042");
  check->set_source("郑州市财政局");
  return request;
}

TEST(VerificationTest, RequestChecksDecideAndAreListed) {
  auto program = MustCompile(kPayrollRule);
  v1::VerificationRequest request = Request();
  v1::PayrollStaffRecord* staff = request.mutable_records()->mutable_records()->add_public_payroll_staff();
  staff->set_id_number(kLi);
  staff->set_employer("某镇中心学校");
  absl::StatusOr<v1::Decision> d = program->Evaluate(request, Registries());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome(), v1::NEEDS_REVIEW);
  EXPECT_THAT(RuleIds(*d), ElementsAre("R205"));
  EXPECT_EQ(d->reasons(0).message(), "李秀英 为财政供养人员");
  EXPECT_EQ(d->request_id(), "REQ-7");
  ASSERT_EQ(d->checks_size(), 1);
  EXPECT_EQ(d->checks(0).origin(), v1::CheckUsed::REQUEST);
  EXPECT_EQ(d->checks(0).reference(), "HD-2024-0301-0042");
  EXPECT_THAT(d->checks(0).id_numbers(), ElementsAre(kZhang, kLi));
}

TEST(VerificationTest, ACheckNamingSomePersonsLeavesTheOthersUnchecked) {
  auto program = MustCompile(kPayrollRule);
  v1::VerificationRequest request = Request();
  request.mutable_records()->mutable_checks(0)->add_id_numbers(kZhang);
  absl::StatusOr<v1::Decision> d = program->Evaluate(request, Registries());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome(), v1::MISSING_EVIDENCE);
  EXPECT_THAT(MissingFields(*d), ElementsAre("登记册.财政供养人员[成员[2]]"));

  // The loaded registry answers for the person the request did not check.
  Registries loaded;
  ASSERT_TRUE(loaded.AddId("财政供养人员", kZhang).ok());  // ignored: the request check wins for 张
  ASSERT_TRUE(loaded.MarkChecked("财政供养人员", {"2023-12-31", "年度名册", ""}).ok());
  d = program->Evaluate(request, loaded);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome(), v1::ELIGIBLE) << "张 is clean in the request's own check";
  ASSERT_EQ(d->checks_size(), 2);
  EXPECT_EQ(d->checks(0).origin(), v1::CheckUsed::REQUEST);
  EXPECT_THAT(d->checks(0).id_numbers(), ElementsAre(kZhang));
  EXPECT_EQ(d->checks(1).origin(), v1::CheckUsed::LOADED);
  EXPECT_EQ(d->checks(1).checked_on(), "2023-12-31");
  EXPECT_THAT(d->checks(1).id_numbers(), ElementsAre(kLi));
}

TEST(VerificationTest, InconsistentRecordsAreRejectedNamingTheField) {
  auto program = MustCompile(kPayrollRule);
  struct Case {
    std::string field;
    std::function<void(v1::VerificationRequest*)> spoil;
  };
  const std::vector<Case> cases = {
      {"records.checks[0].registry", [](v1::VerificationRequest* r) { r->mutable_records()->mutable_checks(0)->set_registry("工资单"); }},
      {"records.checks[0].checked_on", [](v1::VerificationRequest* r) { r->mutable_records()->mutable_checks(0)->clear_checked_on(); }},
      {"records.checks[0].checked_on", [](v1::VerificationRequest* r) { r->mutable_records()->mutable_checks(0)->set_checked_on("2024/03/01"); }},
      {"records.checks[0].reference", [](v1::VerificationRequest* r) { r->mutable_records()->mutable_checks(0)->clear_reference(); }},
      {"records.records.deaths[0].id_number",
       [](v1::VerificationRequest* r) { r->mutable_records()->mutable_records()->add_deaths()->set_id_number(kZhang); }},
      {"records.records.public_payroll_staff[0].id_number",
       [](v1::VerificationRequest* r) {
         r->mutable_records()->mutable_checks(0)->add_id_numbers(kZhang);
         r->mutable_records()->mutable_records()->add_public_payroll_staff()->set_id_number(kLi);
       }},
      {"as_of", [](v1::VerificationRequest* r) { r->set_as_of("2024-02-30"); }},
      {"application.application_date", [](v1::VerificationRequest* r) { r->mutable_application()->set_application_date("昨天"); }},
  };
  for (const Case& c : cases) {
    v1::VerificationRequest request = Request();
    c.spoil(&request);
    absl::StatusOr<v1::Decision> d = program->Evaluate(request, Registries());
    ASSERT_FALSE(d.ok()) << c.field;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(std::string(d.status().message()), ::testing::StartsWith(c.field + ":")) << d.status();
  }
}

TEST(VerificationTest, RequestAsOfChoosesTheDatedValue) {
  auto program = MustCompile(
      "参数 标准: 金额 自 2023-01-01 起 = 100元 自 2024-01-01 起 = 200元\n"
      "输出 用的标准: 金额 = 标准\n");
  v1::VerificationRequest request = Request();
  request.set_as_of("2023-06-30");
  absl::StatusOr<v1::Decision> d = program->Evaluate(request, Registries());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->as_of(), "2023-06-30");
  ASSERT_EQ(d->amounts_size(), 1);
  EXPECT_EQ(d->amounts(0).fen(), 10000);
  EvalOptions options;
  options.as_of = "2024-06-30";  // the option wins
  d = program->Evaluate(request, Registries(), options);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->amounts(0).fen(), 20000);
}

// ---- registry look-ups by a list of ID numbers, 去重 ------------------------------------

TEST(VerificationTest, HouseholdFiguresAreCountedOncePerHousehold) {
  // A poverty-registry figure is the household's, repeated on each person's record.
  auto program = MustCompile(
      "输出 按人重复: 金额 = 合计(成员: 合计(登记册.建档立卡[成员.身份证号]: 增收金额))\n"
      "输出 按户一次: 金额 = 合计(去重(登记册.建档立卡[成员.身份证号]: 户编号): 增收金额)\n"
      "输出 户数: 整数 = 计数(去重(登记册.建档立卡[成员.身份证号].户编号))\n");
  Registries registries;
  for (const char* id : {kZhang, kLi}) {
    v1::PovertyRegistryRecord r;
    r.set_id_number(id);
    r.set_household_number("HH-1");
    r.set_added_income_fen(240000);
    ASSERT_TRUE(registries.AddRecord("建档立卡", r).ok());
  }
  ASSERT_TRUE(registries.MarkChecked("建档立卡", {"2024-01-31", "扶贫办 2024-01", ""}).ok());
  absl::StatusOr<v1::Decision> d = program->Evaluate(TwoPeople(), registries);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->amounts_size(), 3);
  EXPECT_EQ(d->amounts(0).fen(), 480000);
  EXPECT_EQ(d->amounts(1).fen(), 240000);
  EXPECT_EQ(d->amounts(2).value(), "1");
}

// ---- no silent zeros: one case per audited field family ---------------------------------

struct AbsentField {
  const char* family;
  const char* rule_expression;  // reads the field; absent -> missing evidence
  const char* missing_field;    // the path the decision must name
  std::function<void(v1::Application*, Registries*)> setup;
};

class NoSilentZeroTest : public ::testing::TestWithParam<AbsentField> {};

TEST_P(NoSilentZeroTest, AbsentQuantityIsMissingEvidenceNotZero) {
  const AbsentField& p = GetParam();
  auto program = MustCompile(std::string("输出 读取: 布尔 = ") + p.rule_expression + "\n" +
                             "规则 R1 \"读取\" 当 并非 读取 则 不符合\n");
  v1::Application app = TwoPeople();
  Registries registries;
  p.setup(&app, &registries);
  for (const std::string& name : Registries::Names()) {
    ASSERT_TRUE(registries.MarkChecked(name, {"2024-02-29", "批次", ""}).ok());
  }
  absl::StatusOr<v1::Decision> d = program->Evaluate(app, registries);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome(), v1::MISSING_EVIDENCE) << p.family;
  ASSERT_GE(d->missing_evidence_size(), 1) << p.family;
  EXPECT_EQ(d->missing_evidence(0).field(), p.missing_field) << p.family;
}

v1::Income* Income(v1::Application* app) { return app->mutable_members(0)->add_incomes(); }

INSTANTIATE_TEST_SUITE_P(
    AuditedFields, NoSilentZeroTest,
    ::testing::Values(
        AbsentField{"income amount", "合计(成员.收入: 金额) < 1元", "成员[1].收入[1].金额",
                    [](v1::Application* a, Registries*) { Income(a)->set_period(v1::MONTHLY); }},
        AbsentField{"income period", "任一 成员.收入 满足 周期 = 每月", "成员[1].收入[1].周期",
                    [](v1::Application* a, Registries*) { Income(a)->set_amount_fen(100); }},
        AbsentField{"income tax", "合计(成员.收入: 金额 - 税费) < 1元", "成员[1].收入[1].税费",
                    [](v1::Application* a, Registries*) { Income(a)->set_amount_fen(100); }},
        AbsentField{"expenditure amount", "合计(成员.刚性支出: 金额) < 1元", "成员[1].刚性支出[1].金额",
                    [](v1::Application* a, Registries*) { a->mutable_members(0)->add_expenditures(); }},
        AbsentField{"years away", "任一 人 在 成员 满足 人.离家年数 < 3", "成员[1].离家年数",
                    [](v1::Application*, Registries*) {}},
        AbsentField{"vehicle value", "任一 车 在 资产.车辆 满足 车.价值 < 1元", "资产.车辆[1].价值",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->add_vehicles(); }},
        AbsentField{"vehicle size", "任一 车 在 资产.车辆 满足 车.车型大小 = 小型", "资产.车辆[1].车型大小",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->add_vehicles(); }},
        // No 资产 block at all: the household has not declared its assets (issue 12: decided
        // explicitly as missing evidence naming the block, not as "no assets").
        AbsentField{"assets block", "资产.金融资产.存款 < 1元", "资产", [](v1::Application*, Registries*) {}},
        AbsentField{"home count", "资产.住房.套数 < 3", "资产.住房.套数",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_homes(); }},
        AbsentField{"home area", "资产.住房.总面积 < 100", "资产.住房.总面积",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_homes()->set_count(1); }},
        AbsentField{"non-residential count", "资产.住房.非住宅套数 = 0", "资产.住房.非住宅套数",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_homes()->set_count(1); }},
        AbsentField{"cash", "资产.金融资产.现金 < 1元", "资产.金融资产.现金",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_financial(); }},
        AbsentField{"deposits", "资产.金融资产.存款 < 1元", "资产.金融资产.存款",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_financial(); }},
        AbsentField{"securities", "资产.金融资产.有价证券 < 1元", "资产.金融资产.有价证券",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_financial(); }},
        AbsentField{"insurance", "资产.金融资产.商业保险 < 1元", "资产.金融资产.商业保险",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->mutable_financial(); }},
        AbsentField{"machinery value", "任一 机 在 资产.农机具 满足 机.价值 < 1元", "资产.农机具[1].价值",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->add_machinery(); }},
        AbsentField{"enterprise capital", "合计(资产.企业: 认缴出资) < 1元", "资产.企业[1].认缴出资",
                    [](v1::Application* a, Registries*) { a->mutable_assets()->add_enterprises(); }},
        AbsentField{"subsidy amount", "合计(补贴: 金额) < 1元", "补贴[1].金额",
                    [](v1::Application* a, Registries*) { a->add_subsidies(); }},
        AbsentField{"farmland", "耕地面积 < 1", "耕地面积", [](v1::Application*, Registries*) {}},
        AbsentField{"supporter income", "合计(赡养扶养: 义务人家庭月收入) < 1元", "赡养扶养[1].义务人家庭月收入",
                    [](v1::Application* a, Registries*) { a->add_relative_support(); }},
        AbsentField{"payroll salary (ID list)", "合计(登记册.财政供养人员[成员.身份证号]: 月工资) < 1元",
                    "财政供养人员[1].月工资",
                    [](v1::Application*, Registries* r) { ASSERT_TRUE(r->AddId("财政供养人员", kZhang).ok()); }},
        AbsentField{"registered vehicle value", "合计(登记册.车辆登记[成员.身份证号]: 价值) < 1元",
                    "车辆登记[1].价值",
                    [](v1::Application*, Registries* r) {
                      v1::VehicleRegistrationRecord v;
                      v.set_id_number(kZhang);
                      ASSERT_TRUE(r->AddRecord("车辆登记", v).ok());
                    }},
        AbsentField{"business active", "任一 登记册.工商登记[成员.身份证号] 满足 存续", "工商登记[1].存续",
                    [](v1::Application*, Registries* r) {
                      v1::BusinessRegistrationRecord b;
                      b.set_id_number(kLi);
                      ASSERT_TRUE(r->AddRecord("工商登记", b).ok());
                    }},
        AbsentField{"poverty added income", "合计(登记册.建档立卡[成员.身份证号]: 增收金额) < 1元",
                    "建档立卡[1].增收金额",
                    [](v1::Application*, Registries* r) {
                      v1::PovertyRegistryRecord p;
                      p.set_id_number(kZhang);
                      ASSERT_TRUE(r->AddRecord("建档立卡", p).ok());
                    }},
        AbsentField{"disability grade", "任一 登记册.残疾人证[成员.身份证号] 满足 残疾等级 < 3",
                    "残疾人证[1].残疾等级",
                    [](v1::Application*, Registries* r) {
                      v1::DisabilityCertificateRecord c;
                      c.set_id_number(kZhang);
                      ASSERT_TRUE(r->AddRecord("残疾人证", c).ok());
                    }},
        AbsentField{"social insurance amount", "合计(登记册.社保[成员.身份证号]: 月金额) < 1元",
                    "社保[1].月金额",
                    [](v1::Application*, Registries* r) {
                      v1::SocialInsuranceRecord s;
                      s.set_id_number(kZhang);
                      ASSERT_TRUE(r->AddRecord("社保", s).ok());
                    }},
        AbsentField{"death date", "任一 登记册.死亡登记[成员.身份证号] 满足 死亡日期 < 2024-01-01",
                    "死亡登记[1].死亡日期",
                    [](v1::Application*, Registries* r) { ASSERT_TRUE(r->AddId("死亡登记", kLi).ok()); }}),
    [](const ::testing::TestParamInfo<AbsentField>& info) {
      std::string name;
      for (char c : std::string(info.param.family)) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

}  // namespace
}  // namespace heyan
