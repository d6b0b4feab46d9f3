// Whose data a decision's values show (Decision `subjects`, runtime/subjects.h): per-item
// rules, witnesses of 任一, household sums and counts, one person's sum, lists of members,
// registry records, plain values drawn from persons' data, and the trace.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/registry.pb.h"

namespace heyan {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kZhang[] = "410100195001011234";  // member 1: incomes 600元 and 300元
constexpr char kLi[] = "410100198002022345";     // member 2: no income
constexpr char kWang[] = "41010020100303345X";   // member 3: scholarship 100元

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

v1::Member* AddMember(v1::Application* app, const std::string& id, const std::string& name, const std::string& birth) {
  v1::Member* m = app->add_members();
  m->set_id_number(id);
  m->set_name(name);
  m->set_birth_date(birth);
  m->set_lives_together(true);
  return m;
}

void AddIncome(v1::Member* m, v1::IncomeSource source, int64_t fen) {
  v1::Income* i = m->add_incomes();
  i->set_kind(v1::WAGES);
  i->set_source(source);
  i->set_amount_fen(fen);
}

v1::Application Household() {
  v1::Application app;
  app.set_id("A-001");
  app.set_application_date("2023-06-01");
  v1::Member* a = AddMember(&app, kZhang, "张三", "1950-06-01");
  AddIncome(a, v1::CASUAL_LABOUR, 60000);
  AddIncome(a, v1::ELDERLY_ALLOWANCE, 30000);
  AddMember(&app, kLi, "李四", "1980-02-02");
  v1::Member* c = AddMember(&app, kWang, "王五", "2010-03-03");
  AddIncome(c, v1::SCHOLARSHIP, 10000);
  return app;
}

v1::Decision Eval(const std::shared_ptr<const Program>& program, const v1::Application& app,
                  const Registries& registries = Registries(), bool trace = false) {
  if (program == nullptr) return v1::Decision();
  EvalOptions options;
  options.trace = trace;
  absl::StatusOr<v1::Decision> d = program->Evaluate(app, registries, options);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : v1::Decision();
}

std::vector<std::string> Subjects(const google::protobuf::RepeatedPtrField<std::string>& s) {
  return std::vector<std::string>(s.begin(), s.end());
}

// The subjects of the one reason of a rule whose message is `message`.
std::vector<std::string> MessageSubjects(const std::string& message, const v1::Application& app = Household()) {
  v1::Decision d = Eval(MustCompile(absl::StrCat("规则 R1 \"测试\"\n  当 真\n  则 需复核 \"", message, "\"\n")), app);
  EXPECT_THAT(d.reasons(), SizeIs(1));
  return d.reasons_size() == 1 ? Subjects(d.reasons(0).subjects()) : std::vector<std::string>{"<no reason>"};
}

TEST(SubjectsTest, PerItemRuleBelongsToTheOwnerOfItsItem) {
  // The message names nobody, yet shows member 1's income: the reason is member 1's.
  v1::Decision d = Eval(MustCompile("规则 R1 \"收入\"\n  每个 收入 在 成员.收入\n  当 收入.金额 > 500元\n"
                                    "  则 需复核 \"有一项收入 {收入.金额}\"\n"),
                        Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_EQ(d.reasons(0).message(), "有一项收入 600.00元");
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), ElementsAre(kZhang));
  ASSERT_THAT(d.reasons(0).values(), SizeIs(1));
  EXPECT_THAT(Subjects(d.reasons(0).values(0).subjects()), ElementsAre(kZhang));
  // Without a placeholder the per-item rule is still about that item's owner.
  d = Eval(MustCompile("规则 R1 \"收入\"\n  每个 收入 在 成员.收入\n  当 收入.来源 = 奖学金\n  则 需复核 \"有一项奖学金\"\n"),
           Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), ElementsAre(kWang));
}

TEST(SubjectsTest, WitnessOfAnyBelongsToItsOwner) {
  v1::Decision d = Eval(MustCompile("规则 R1 \"无收入\"\n  当 任一 成员 满足 计数(成员.收入) = 0\n"
                                    "  则 需复核 \"出生于 {成员.出生日期}\"\n"),
                        Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_EQ(d.reasons(0).message(), "出生于 1980-02-02");
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), ElementsAre(kLi));
}

TEST(SubjectsTest, HouseholdFiguresBelongToNobody) {
  // Sums and counts over several persons, named values, household fields and constants.
  EXPECT_THAT(MessageSubjects("{合计(成员.收入: 金额)} {计数(成员.收入)} {计数(成员)} {申请日期} {任一 成员 满足 计数(成员.收入) = 0}"),
              IsEmpty());
  v1::Decision d = Eval(MustCompile("计算 全家收入: 金额 = 合计(成员.收入 其中 来源 = 奖学金: 金额)\n"
                                    "规则 R1 \"测试\"\n  当 全家收入 > 0元\n  则 需复核 \"{全家收入}\"\n"),
                        Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), IsEmpty());
}

TEST(SubjectsTest, SumOverOnePersonsItemsIsTheirs) {
  // What selected the items (the filter's condition read everyone's sources) does not make
  // the sum a household figure: only member 3's scholarship was added.
  EXPECT_THAT(MessageSubjects("{合计(成员.收入 其中 来源 = 奖学金: 金额)}"), ElementsAre(kWang));
  // A count says how many, not whose: selecting member 2 alone is still a household count.
  EXPECT_THAT(MessageSubjects("{计数(成员 其中 计数(收入) = 0)}"), IsEmpty());
}

TEST(SubjectsTest, MinimumAndMaximumStayTheirOwners) {
  EXPECT_THAT(MessageSubjects("{最大(成员.收入: 金额)}"), ElementsAre(kZhang, kWang));
}

TEST(SubjectsTest, ListsNameEachPersonListed) {
  EXPECT_THAT(MessageSubjects("{(成员 其中 计数(收入) = 0).姓名}"), ElementsAre(kLi));
  v1::Decision d = Eval(MustCompile("输出 有收入成员 = 成员 其中 计数(收入) > 0\n输出 人数 = 计数(成员)\n"), Household());
  ASSERT_THAT(d.amounts(), SizeIs(2));
  EXPECT_THAT(Subjects(d.amounts(0).subjects()), ElementsAre(kZhang, kWang));
  EXPECT_THAT(Subjects(d.amounts(1).subjects()), IsEmpty());
}

TEST(SubjectsTest, RegistryRecordsBelongToTheirPerson) {
  Registries registries;
  v1::PayrollStaffRecord r;
  r.set_id_number(kLi);
  r.set_employer("某局");
  r.set_monthly_salary_fen(450000);
  ASSERT_TRUE(registries.AddRecord("财政供养人员", r).ok());
  ASSERT_TRUE(registries.MarkChecked("财政供养人员", {"2023-05-31", "名册", ""}).ok());
  v1::Decision d = Eval(MustCompile("规则 R1 \"财政供养\"\n  每个 人 在 成员\n  当 人.身份证号 属于 登记册.财政供养人员\n"
                                    "  则 需复核 \"月工资 {合计(登记册.财政供养人员[人.身份证号]: 月工资)}\"\n"),
                        Household(), registries);
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_EQ(d.reasons(0).message(), "月工资 4500.00元");
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), ElementsAre(kLi));
}

TEST(SubjectsTest, PlainValuesFromPersonsAreUnknown) {
  // The item is an amount, not an income: whose it is cannot be told, so it is "*".
  v1::Decision d = Eval(MustCompile("规则 R1 \"收入\"\n  每个 额 在 成员.收入.金额\n  当 额 > 500元\n  则 需复核 \"{额}\"\n"),
                        Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), ElementsAre("*"));
  // A plain list the rule builds itself is household data.
  d = Eval(MustCompile("规则 R1 \"常量\"\n  每个 额 在 [1, 2]\n  当 额 > 1\n  则 需复核 \"{额}\"\n"), Household());
  ASSERT_THAT(d.reasons(), SizeIs(1));
  EXPECT_THAT(Subjects(d.reasons(0).subjects()), IsEmpty());
}

TEST(SubjectsTest, PersonsWithoutIdNumbersAreNamedByPlace) {
  v1::Application app = Household();
  app.mutable_members(1)->clear_id_number();
  v1::RelativeSupport* s = app.add_relative_support();
  s->set_supporter_name("赵六");
  s->set_agreed_monthly_fen(20000);
  EXPECT_THAT(MessageSubjects("{(成员 其中 计数(收入) = 0).姓名}", app), ElementsAre("成员[2]"));
  EXPECT_THAT(MessageSubjects("{赡养扶养.约定月金额}", app), ElementsAre("赡养扶养[1]"));
  s->set_supporter_id_number("410100196001010000");
  EXPECT_THAT(MessageSubjects("{赡养扶养.约定月金额}", app), ElementsAre("410100196001010000"));
}

TEST(SubjectsTest, TraceItemsAndRulesNameTheirOwners) {
  v1::Decision d = Eval(MustCompile("输出 m: 金额 = 合计(成员.收入: 金额)\n"
                                    "规则 R1 \"收入\"\n  每个 收入 在 成员.收入\n  当 收入.金额 > 500元\n  则 需复核 \"有一项收入\"\n"),
                        Household(), Registries(), /*trace=*/true);
  std::vector<std::vector<std::string>> items;
  for (const v1::TraceStep& t : d.trace()) {
    if (t.kind() == "item") items.push_back(Subjects(t.subjects()));
    if (t.kind() == "rule") EXPECT_THAT(Subjects(t.subjects()), ElementsAre(kZhang)) << t.name();
    if (t.kind() == "value") EXPECT_THAT(Subjects(t.subjects()), IsEmpty()) << t.name();
  }
  EXPECT_THAT(items, ElementsAre(ElementsAre(kZhang), ElementsAre(kZhang), ElementsAre(kWang)));
}

}  // namespace
}  // namespace heyan
