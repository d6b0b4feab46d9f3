// Tests of explanations: masking of personal data, the presence of every section, the
// three formats, and golden explanations of example cases (tests/explain/golden/*.baseline;
// HEYAN_UPDATE_GOLDEN=1 rewrites them).
#include "heyan/explain.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "explain/privacy.h"
#include "explain/render.h"
#include "explain_testing.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace heyan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using explain_internal::MaskIdNumber;
using explain_internal::MaskIdNumbersInText;
using explain_internal::MaskName;
using explain_internal::MaskNamesInText;
using explain_internal::MentionsPerson;

// ---- masking ------------------------------------------------------------------------------

TEST(MaskIdNumberTest, EighteenCharacters) {
  EXPECT_EQ(MaskIdNumber("410105198503071234"), "4101**********1234");
  EXPECT_EQ(MaskIdNumber("41010520120405301X"), "4101**********301X");
  EXPECT_EQ(MaskIdNumber("41010520120405301x"), "4101**********301x");
}

TEST(MaskIdNumberTest, FifteenCharacterOldIds) {
  EXPECT_EQ(MaskIdNumber("410105850307123"), "4101*******7123");
}

TEST(MaskIdNumberTest, ShortValuesRevealNothing) {
  EXPECT_EQ(MaskIdNumber(""), "");
  EXPECT_EQ(MaskIdNumber("1234"), "****");
  EXPECT_EQ(MaskIdNumber("12345678"), "********");
  EXPECT_EQ(MaskIdNumber("123456789"), "1234*6789");
}

TEST(MaskIdNumbersInTextTest, IdsInsideChineseText) {
  EXPECT_EQ(MaskIdNumbersInText("成员 410105198503071234 在财政供养人员名册中"),
            "成员 4101**********1234 在财政供养人员名册中");
  // Directly between Chinese characters, no spaces.
  EXPECT_EQ(MaskIdNumbersInText("身份证号410105198503071234已核对"), "身份证号4101**********1234已核对");
  EXPECT_EQ(MaskIdNumbersInText("旧证410105850307123，新证41010520120405301X。"),
            "旧证4101*******7123，新证4101**********301X。");
}

TEST(MaskIdNumbersInTextTest, SeveralIdsAndRenderedFields) {
  EXPECT_EQ(MaskIdNumbersInText("身份证号=410105198503071234，姓名=张伟；身份证号=41010520120405301x"),
            "身份证号=4101**********1234，姓名=张伟；身份证号=4101**********301x");
  EXPECT_EQ(MaskIdNumbersInText("[张伟 410105198503071234、李娜 410105198708152345]"),
            "[张伟 4101**********1234、李娜 4101**********2345]");
}

TEST(MaskIdNumbersInTextTest, IdAtStartAndEnd) {
  EXPECT_EQ(MaskIdNumbersInText("410105198503071234"), "4101**********1234");
  // 18 digits then X: the digit run is the ID; the X after it is ordinary text.
  EXPECT_EQ(MaskIdNumbersInText("410105198503071234X"), "4101**********1234X");
}

TEST(MaskIdNumbersInTextTest, LeavesOrdinaryNumbersAlone) {
  const std::string text = "家庭人均月收入 333.33元，标准 700.00元，2023-06-01 起，共 3 人，编号 ZZ-2023-0001，12345678901234";
  EXPECT_EQ(MaskIdNumbersInText(text), text);
}

TEST(MaskIdNumbersInTextTest, LongerDigitRunsAreMaskedWhole) {
  // A bank card number is not an ID, but it has no place in a letter either; a run is never
  // half-masked (which would reveal its middle).
  EXPECT_EQ(MaskIdNumbersInText("卡号6222021234567890123"), "卡号6222***********0123");
  EXPECT_EQ(MaskIdNumbersInText("1234567890123456"), "1234********3456");
}

TEST(MaskIdNumbersInTextTest, XOnlyAfterSeventeenDigits) {
  // 16 digits + X: the digits are masked as a run, the X is ordinary text.
  EXPECT_EQ(MaskIdNumbersInText("1234567890123456X"), "1234********3456X");
  EXPECT_EQ(MaskIdNumbersInText("12345678901234567XY"), "1234**********567XY");
}

TEST(MaskIdNumbersInTextTest, FullWidthDigits) {
  EXPECT_EQ(MaskIdNumbersInText("证号４１０１０５１９８５０３０７１２３４。"), "证号４１０１**********１２３４。");
}

TEST(MaskIdNumbersInTextTest, MalformedUtf8DoesNotCrash) {
  // A truncated lead byte must not swallow the first digit of the ID after it.
  std::string bad = "\xE5\x90" "410105198503071234" "\xFF";
  EXPECT_EQ(MaskIdNumbersInText(bad), "\xE5\x90" "4101**********1234" "\xFF");
  EXPECT_EQ(MaskNamesInText("\xE5李娜\xFF", {"李娜"}), "\xE5李*\xFF");
}

TEST(MaskNameTest, KeepsTheFirstCharacter) {
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("张小明"), "张**");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskName("王"), "*");
  EXPECT_EQ(MaskName(""), "");
}

TEST(MaskNamesInTextTest, LongestNameFirst) {
  EXPECT_EQ(MaskNamesInText("张三丰和张三同住", {"张三", "张三丰"}), "张**和张*同住");
  EXPECT_EQ(MaskNamesInText("成员 李娜 在名册中", {"李娜"}), "成员 李* 在名册中");
  // One-character names are not searched for: they would garble ordinary words.
  EXPECT_EQ(MaskNamesInText("王家有一辆车", {"王"}), "王家有一辆车");
  EXPECT_EQ(MaskNamesInText("无人提及", {}), "无人提及");
}

TEST(MentionsPersonTest, ByNameOrId) {
  EXPECT_TRUE(MentionsPerson("成员 李娜 在名册中", "李娜", "410105198708152345"));
  EXPECT_TRUE(MentionsPerson("410105198708152345", "", "410105198708152345"));
  EXPECT_FALSE(MentionsPerson("成员 张伟 在名册中", "李娜", "410105198708152345"));
  EXPECT_FALSE(MentionsPerson("王家", "王", ""));
}

TEST(HtmlEscapeTest, EscapesMarkup) {
  EXPECT_EQ(explain_internal::HtmlEscape("<b>\"a\" & 'b'</b>"), "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;");
}

// ---- explanations of example cases ----------------------------------------------------------

struct Case {
  std::string name;         // golden file stem
  std::string application;  // tests/explain/cases/<application>.textproto
  std::string as_of;
  testing::RegistryIds registries;
  std::map<std::string, std::string> overrides;
  std::string rules = "rules/examples/city.heyan";
};

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      // policy-facts §9 example 3: 700 × 3 − 1000 = 1100.
      {"eligible_urban", "household_urban", "", {}, {}},
      // §9 example 2: standard 600 (as of 2020): 600 × 3 − 1000 = 800.
      {"eligible_urban_2020", "household_urban", "2020-03-01", {}, {}},
      // §9 example 1: standard 500, 3 persons, income 700: 500 × 3 − 700 = 800.
      {"worked_example_standard_500", "household_700", "", {}, {{"月低保标准", "500元"}}},
      // §9 example 8: 632 × 3 − 1894 = 2 (computed on totals, rounded up to whole yuan).
      {"worked_example_standard_632", "household_632", "", {}, {{"月低保标准", "632元"}}},
      // The spouse is on the public payroll, the applicant on the close-relatives register.
      {"review_registry_matches", "household_urban", "",
       {{"财政供养人员", "410105198708152345"}, {"近亲属备案", "410105198503071234"}}, {}},
      {"ineligible_income_car", "household_rural_car", "", {}, {}},
      {"missing_evidence", "household_missing", "", {}, {}},
      // The Henan rule sets (rules/henan): §9 example 3 under the Zhengzhou rules.
      {"henan_zhengzhou_urban", "household_urban", "", {{"财政供养人员", "410105198708152345"}}, {},
       "rules/henan/zhengzhou/zhengzhou.heyan"},
      // §9 example 6 under the Zhengzhou rules: 70% standard 518元, tier B 414.40元 × 5 = 2072元.
      {"henan_example6_tier_b", "household_z10_tier_b", "", {}, {}, "rules/henan/zhengzhou/zhengzhou.heyan"},
      // §9 example 7: 2015 rural standard 290元, tier A 232元 × 2 = 464元.
      {"henan_example7_2015_tier_a", "household_z03_2015_tier_a", "", {}, {}, "rules/henan/zhengzhou/zhengzhou.heyan"},
      // Issue 13 item 3: a spouse's salary and a parent's income period in rule messages
      // that do not name the member (rules R207, R202 of the Henan rules).
      {"other_members_items", "household_other_members_items", "", {}, {}, "rules/henan/zhengzhou/zhengzhou.heyan"},
  };
  return *cases;
}

const Case& FindCase(const std::string& name) {
  for (const Case& c : Cases()) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "no case " << name;
  return Cases().front();
}

struct Decided {
  std::shared_ptr<const Program> program;
  v1::Application application;
  v1::Decision decision;
};

Decided Decide(const Case& c, bool trace = true) {
  Decided d;
  std::string errors;
  d.program = testing::CompileRules(c.rules, c.overrides, &errors);
  EXPECT_NE(d.program, nullptr) << errors;
  EXPECT_TRUE(testing::ReadCase(c.application, &d.application)) << c.application;
  if (d.program == nullptr) return d;
  Registries registries = testing::MakeRegistries(c.registries);
  EvalOptions eval;
  eval.trace = trace;
  eval.as_of = c.as_of;
  EXPECT_TRUE(d.program->Evaluate(d.application, registries, eval, &d.decision).ok());
  return d;
}

std::string ExplainCase(const Case& c, ExplainOptions options, bool trace = true) {
  Decided d = Decide(c, trace);
  if (d.program == nullptr) return "";
  options.program = d.program.get();
  absl::StatusOr<std::string> s = Explain(d.decision, d.application, options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "";
}

ExplainOptions Options(ExplainOptions::Audience audience,
                       ExplainOptions::Format format = ExplainOptions::Format::kText,
                       Language language = Language::kChinese) {
  ExplainOptions o;
  o.audience = audience;
  o.format = format;
  o.language = language;
  return o;
}

constexpr auto kStaff = ExplainOptions::Audience::kStaff;
constexpr auto kApplicant = ExplainOptions::Audience::kApplicant;

TEST(ExplainTest, StaffTextHasEverySection) {
  std::string text = ExplainCase(FindCase("eligible_urban"), Options(kStaff));
  for (const char* heading : {"入户核查/审核说明", "一、审核结论", "二、适用的规则", "三、因例外而不适用的规则", "四、收入核算",
                              "五、保障金计算", "六、家庭成员与保障人员", "七、缺少的材料", "八、计算出错",
                              "九、参数（评估日期有效的值）", "十、其他计算值", "十一、其他已核查的规则"}) {
    EXPECT_THAT(text, HasSubstr(heading));
  }
  // The decision.
  EXPECT_THAT(text, HasSubstr("审核结论：符合条件\n"));
  EXPECT_THAT(text, HasSubstr("评估日期：2023-06-01"));
  EXPECT_THAT(text, HasSubstr("规则集：郑州市区低保"));
  EXPECT_THAT(text, HasSubstr("月保障金：1100.00元"));
  // The flag that applied, with its citation.
  EXPECT_THAT(text, HasSubstr("R14 家庭中有未成年人【标记】"));
  EXPECT_THAT(text, HasSubstr("依据：豫民〔2022〕4号：未成年子女为共同生活家庭成员"));
  // The vehicle rule set aside by the motorcycle exception, with its title from the Program.
  EXPECT_THAT(text, HasSubstr("R03 拥有机动车辆"));
  EXPECT_THAT(text, HasSubstr("例外：普通摩托车"));
  // Income item by item: counted and not counted, attributed to members.
  EXPECT_THAT(text, HasSubstr("收入[1]（成员[1] 张伟）"));
  EXPECT_THAT(text, HasSubstr("来源=计划生育奖励扶助金"));
  EXPECT_THAT(text, HasSubstr("→ 不计入"));
  EXPECT_THAT(text, HasSubstr("→ 计入"));
  EXPECT_THAT(text, HasSubstr("周期=每月"));
  EXPECT_THAT(text, HasSubstr("家庭月收入 = 1000.00元"));
  EXPECT_THAT(text, HasSubstr("人均月收入 = 333.33元"));
  // The benefit with its inputs, the dated parameter.
  EXPECT_THAT(text, HasSubstr("月保障金 = 1100.00元"));
  EXPECT_THAT(text, HasSubstr("适用月标准 = 700.00元"));
  EXPECT_THAT(text, HasSubstr("（自 2022-10-27 起）"));
  // Members with full IDs (staff see everything).
  EXPECT_THAT(text, HasSubstr("李娜  410105198708152345  配偶  保障"));
}

TEST(ExplainTest, ApplicantLetterHidesOtherPeople) {
  const Case& c = FindCase("review_registry_matches");
  std::string staff = ExplainCase(c, Options(kStaff));
  EXPECT_THAT(staff, HasSubstr("李娜 在财政供养人员名册中"));
  std::string letter = ExplainCase(c, Options(kApplicant));
  EXPECT_THAT(letter, HasSubstr("尊敬的申请人 张伟："));
  EXPECT_THAT(letter, HasSubstr("家庭成员中有一人的情况需要工作人员进一步核实"));
  // The applicant's own register match is theirs to know.
  EXPECT_THAT(letter, HasSubstr("张伟 在近亲属备案名册中"));
  // Nobody else's name; no full ID number anywhere.
  EXPECT_THAT(letter, Not(HasSubstr("李娜")));
  EXPECT_THAT(letter, Not(HasSubstr("张小明")));
  for (const char* id : {"410105198503071234", "410105198708152345", "41010520120405301X"}) {
    EXPECT_THAT(letter, Not(HasSubstr(id)));
  }
  EXPECT_THAT(letter, HasSubstr("李*"));
  // Flags (minors in the household) are for staff only.
  EXPECT_THAT(letter, Not(HasSubstr("未成年")));
  // Citations, and how to object.
  EXPECT_THAT(letter, HasSubstr("依据：郑民文〔2018〕66号"));
  EXPECT_THAT(letter, HasSubstr("公示期（7天）内"));
  EXPECT_THAT(letter, HasSubstr("复核申请或申诉"));
}

TEST(ExplainTest, ApplicantJsonAndHtmlDiscloseNoMore) {
  const Case& c = FindCase("review_registry_matches");
  for (auto format : {ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
    std::string out = ExplainCase(c, Options(kApplicant, format));
    EXPECT_THAT(out, Not(HasSubstr("李娜")));
    EXPECT_THAT(out, Not(HasSubstr("410105198708152345")));
    EXPECT_THAT(out, Not(HasSubstr("410105198503071234")));
    EXPECT_THAT(out, Not(HasSubstr("收入[1]"))) << "no item-level data for applicants";
  }
}

// Issue 13 item 3: the letter used to show the spouse's salary ("有一项收入（工资薪金，4500.00元，
// 每月）…") and the parent's income period, because the rule messages do not name them and
// the letter looked for names. Whose data a message shows now comes from the decision.
TEST(ExplainTest, ApplicantLetterHidesOtherMembersItemsInUnnamedMessages) {
  const Case& c = FindCase("other_members_items");
  std::string staff = ExplainCase(c, Options(kStaff));
  EXPECT_THAT(staff, HasSubstr("有一项收入（工资薪金，4500.00元，每月）"));
  EXPECT_THAT(staff, HasSubstr("租金利息 收入的期间 2020-01-01 至 2020-12-31"));
  for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
    std::string letter = ExplainCase(c, Options(kApplicant, format));
    for (const char* value : {"4500.00元", "1234.56元", "2020-01-01", "2020-12-31", "工资薪金", "租金利息"}) {
      EXPECT_THAT(letter, Not(HasSubstr(value))) << "format " << static_cast<int>(format);
    }
    // The reasons are still told, by their titles, with a neutral statement.
    EXPECT_THAT(letter, HasSubstr("收入未注明类别"));
    EXPECT_THAT(letter, HasSubstr("期间合计收入超出申请前12个月"));
    EXPECT_THAT(letter, HasSubstr("涉及其他家庭成员的信息，已隐去；详情请向经办人员查询"));
  }
}

// The same messages about the applicant's own income stay in the letter: it is theirs.
TEST(ExplainTest, ApplicantLetterShowsTheApplicantsOwnItems) {
  std::string errors;
  std::shared_ptr<const Program> program = testing::CompileRules("rules/henan/zhengzhou/zhengzhou.heyan", {}, &errors);
  ASSERT_NE(program, nullptr) << errors;
  v1::Application a;
  ASSERT_TRUE(testing::ReadCase("household_other_members_items", &a));
  a.mutable_members(0)->mutable_incomes(0)->clear_kind();
  v1::Decision d;
  EvalOptions eval;
  eval.trace = true;
  ASSERT_TRUE(program->Evaluate(a, Registries(), eval, &d).ok());
  ExplainOptions o = Options(kApplicant);
  o.program = program.get();
  absl::StatusOr<std::string> letter = Explain(d, a, o);
  ASSERT_TRUE(letter.ok()) << letter.status();
  EXPECT_THAT(*letter, HasSubstr("有一项收入（务工收入，800.00元，每月）"));
  EXPECT_THAT(*letter, Not(HasSubstr("4500.00元")));
}

// A letter addressed to another member (ExplainOptions.addressee_id_number) shows them
// their own items and hides everyone else's, the applicant's included.
TEST(ExplainTest, LetterToAnotherMemberShowsTheirItemsOnly) {
  const Case& c = FindCase("other_members_items");
  for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
    ExplainOptions o = Options(kApplicant, format);
    o.addressee_id_number = "410105198708152345";
    std::string letter = ExplainCase(c, o);
    EXPECT_THAT(letter, HasSubstr("李娜"));
    EXPECT_THAT(letter, HasSubstr("有一项收入（工资薪金，4500.00元，每月）"));
    EXPECT_THAT(letter, Not(HasSubstr("2020-01-01")));
    EXPECT_THAT(letter, Not(HasSubstr("张伟")));
    EXPECT_THAT(letter, Not(HasSubstr("王秀英")));
    for (const char* id : {"410105198503071234", "4101**********1234", "410105195501016789", "4101**********6789",
                           "410105198708152345"}) {
      EXPECT_THAT(letter, Not(HasSubstr(id)));
    }
  }
  Decided d = Decide(c);
  ExplainOptions o = Options(kApplicant);
  o.addressee_id_number = "410105000000000000";
  EXPECT_EQ(Explain(d.decision, d.application, o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ExplainTest, ApplicantCitationsWithoutWebAddresses) {
  const Case& c = FindCase("henan_zhengzhou_urban");
  std::string staff = ExplainCase(c, Options(kStaff));
  std::string letter = ExplainCase(c, Options(kApplicant));
  EXPECT_THAT(staff, HasSubstr("https://"));
  EXPECT_THAT(letter, Not(HasSubstr("http")));
  EXPECT_THAT(letter, HasSubstr("依据：郑民文〔2018〕66号"));
}

TEST(ExplainTest, MissingEvidenceSaysWhatToBring) {
  const Case& c = FindCase("missing_evidence");
  std::string staff = ExplainCase(c, Options(kStaff));
  EXPECT_THAT(staff, HasSubstr("审核结论：缺少材料\n"));
  EXPECT_THAT(staff, HasSubstr("家庭成员陈建国（第2人）的出生日期"));
  std::string letter = ExplainCase(c, Options(kApplicant));
  EXPECT_THAT(letter, HasSubstr("需要补充的材料"));
  EXPECT_THAT(letter, HasSubstr("家庭成员陈**（第2人）的出生日期"));
  EXPECT_THAT(letter, Not(HasSubstr("陈建国")));
}

TEST(ExplainTest, WithoutTraceSaysDetailsNeedOne) {
  std::string text = ExplainCase(FindCase("eligible_urban"), Options(kStaff), /*trace=*/false);
  EXPECT_THAT(text, HasSubstr("审核结论：符合条件"));
  EXPECT_THAT(text, HasSubstr("月保障金：1100.00元"));
  EXPECT_THAT(text, HasSubstr("EvalOptions.trace = true"));
  EXPECT_THAT(text, Not(HasSubstr("收入[1]")));
}

// Chinese explanations name the outcome in Chinese only (the English code is for --lang=en).
TEST(ExplainTest, ChineseOutcomeWithoutEnglishCode) {
  for (const char* name : {"eligible_urban", "missing_evidence"}) {
    for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kHtml}) {
      std::string staff = ExplainCase(FindCase(name), Options(kStaff, format));
      for (const char* code : {"（ELIGIBLE）", "（INELIGIBLE）", "（NEEDS_REVIEW）", "（MISSING_EVIDENCE）"}) {
        EXPECT_THAT(staff, Not(HasSubstr(code))) << name;
      }
    }
  }
}

TEST(ExplainTest, EnglishWords) {
  std::string text = ExplainCase(FindCase("eligible_urban"), Options(kStaff, ExplainOptions::Format::kText, Language::kEnglish));
  EXPECT_THAT(text, HasSubstr("Outcome: eligible (ELIGIBLE)"));
  EXPECT_THAT(text, HasSubstr("Monthly benefit: 1100.00 yuan"));
  EXPECT_THAT(text, HasSubstr("(from 2022-10-27)"));
  EXPECT_THAT(text, HasSubstr("→ not counted"));
}

// Explanations are built from the trace's typed fields: with every rendered result and
// value in the trace and the amounts replaced by nonsense, they read the same, in both
// languages and every format.
TEST(ExplainTest, ReadsTheTypedTraceNotItsText) {
  for (const char* name : {"eligible_urban", "henan_example6_tier_b", "missing_evidence"}) {
    Decided d = Decide(FindCase(name));
    ASSERT_NE(d.program, nullptr);
    v1::Decision scrambled = d.decision;
    for (v1::TraceStep& t : *scrambled.mutable_trace()) {
      if (t.step_kind() != v1::TraceStep::STEP_FILTER && t.step_kind() != v1::TraceStep::STEP_ITEM) {
        t.set_result("（乱码）");
        for (v1::NamedValue& v : *t.mutable_inputs()) v.set_value("（乱码）");
      } else {
        t.set_result("（乱码）");
        t.mutable_inputs(0)->set_value("（乱码）");
      }
    }
    for (v1::Amount& a : *scrambled.mutable_amounts()) a.set_value("（乱码）");
    for (v1::Reason& r : *scrambled.mutable_reasons()) {
      for (v1::NamedValue& v : *r.mutable_values()) v.set_value("（乱码）");
    }
    for (Language language : {Language::kChinese, Language::kEnglish}) {
      for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kJson, ExplainOptions::Format::kHtml}) {
        ExplainOptions o = Options(kStaff, format, language);
        o.program = d.program.get();
        absl::StatusOr<std::string> want = Explain(d.decision, d.application, o);
        absl::StatusOr<std::string> got = Explain(scrambled, d.application, o);
        ASSERT_TRUE(want.ok() && got.ok());
        EXPECT_THAT(*got, Not(HasSubstr("乱码"))) << name;
        EXPECT_EQ(*got, *want) << name;
      }
    }
  }
}

TEST(ExplainTest, JsonIsValidAndStructured) {
  std::string json = ExplainCase(FindCase("eligible_urban"), Options(kStaff, ExplainOptions::Format::kJson));
  google::protobuf::Struct s;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok()) << json;
  const auto& f = s.fields();
  EXPECT_EQ(f.at("schema").string_value(), "heyan.explanation/v1");
  EXPECT_EQ(f.at("audience").string_value(), "staff");
  const auto& decision = f.at("decision").struct_value().fields();
  EXPECT_EQ(decision.at("outcome").string_value(), "ELIGIBLE");
  EXPECT_EQ(decision.at("benefit_fen").number_value(), 110000);
  EXPECT_GT(f.at("income").list_value().values_size(), 3);
  EXPECT_GT(f.at("benefit").list_value().values_size(), 0);
  for (const char* key : {"reasons", "other_rules", "parameters", "other_values", "members", "missing_evidence", "faults",
                          "notes", "bases", "letter", "objection", "trace_available"}) {
    EXPECT_TRUE(f.contains(key)) << key;
  }
}

TEST(ExplainTest, HtmlEscapesApplicationText) {
  Decided d = Decide(FindCase("eligible_urban"));
  d.application.mutable_members(0)->set_name("<script>alert(1)</script>");
  ExplainOptions o = Options(kStaff, ExplainOptions::Format::kHtml);
  absl::StatusOr<std::string> html = Explain(d.decision, d.application, o);
  ASSERT_TRUE(html.ok());
  EXPECT_THAT(*html, Not(HasSubstr("<script>")));
  EXPECT_THAT(*html, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(*html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(*html, HasSubstr("@page { size: A4"));
  // Self-contained: no scripts, links, images, fonts or style sheets from elsewhere.
  for (const char* external : {"<script", "<link", "<img", "src=", "href=", "url(", "@import"}) {
    EXPECT_THAT(*html, Not(HasSubstr(external))) << external;
  }
}

TEST(ExplainTest, RejectsMismatchedInputs) {
  Decided d = Decide(FindCase("eligible_urban"));
  v1::Application other = d.application;
  other.set_id("ZZ-OTHER");
  EXPECT_EQ(Explain(d.decision, other, {}).status().code(), absl::StatusCode::kInvalidArgument);
  std::shared_ptr<const Program> different = testing::CompileRules("rules/examples/city.heyan", {{"月低保标准", "1元"}});
  ASSERT_NE(different, nullptr);
  ExplainOptions o;
  o.program = different.get();
  EXPECT_EQ(Explain(d.decision, d.application, o).status().code(), absl::StatusCode::kInvalidArgument);
  o.program = nullptr;
  o.format = static_cast<ExplainOptions::Format>(7);
  EXPECT_EQ(Explain(d.decision, d.application, o).status().code(), absl::StatusCode::kInvalidArgument);
}

// Issue 12: case workers read no file paths or rule expressions unless they ask.
TEST(ExplainTest, StaffReportShowsRuleSourcesOnlyWhenAsked) {
  const Case& c = FindCase("eligible_urban");
  for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kHtml, ExplainOptions::Format::kJson}) {
    std::string plain = ExplainCase(c, Options(kStaff, format));
    EXPECT_THAT(plain, Not(HasSubstr("city.heyan:"))) << static_cast<int>(format);
    EXPECT_THAT(plain, Not(HasSubstr("来源 不属于"))) << static_cast<int>(format);
    ExplainOptions o = Options(kStaff, format);
    o.show_rule_sources = true;
    std::string sources = ExplainCase(c, o);
    EXPECT_THAT(sources, HasSubstr("rules/examples/city.heyan:")) << static_cast<int>(format);
    EXPECT_THAT(sources, HasSubstr("来源 不属于")) << static_cast<int>(format);
  }
  // Without the sources the items are still there, counted or not.
  std::string plain = ExplainCase(c, Options(kStaff));
  EXPECT_THAT(plain, HasSubstr("逐项筛选："));
  EXPECT_THAT(plain, HasSubstr("→ 不计入"));
}

// Issue 12: the issuing office, its telephone and the publicity period come from the
// options, not from fixed text.
TEST(ExplainTest, LetterNamesTheIssuerAndThePublicityPeriod) {
  const Case& c = FindCase("missing_evidence");
  std::string plain = ExplainCase(c, Options(kApplicant));
  EXPECT_THAT(plain, HasSubstr("公示期（7天）"));
  EXPECT_THAT(plain, HasSubstr("到乡镇人民政府（街道办事处）补充"));
  EXPECT_THAT(plain, Not(HasSubstr("联系电话")));
  for (auto format : {ExplainOptions::Format::kText, ExplainOptions::Format::kHtml, ExplainOptions::Format::kJson}) {
    ExplainOptions o = Options(kApplicant, format);
    o.issuing_office = "郑州市金水区经八路街道办事处";
    o.contact_phone = "0371-65550000";
    o.publicity_days = 5;
    std::string letter = ExplainCase(c, o);
    EXPECT_THAT(letter, HasSubstr("公示期（5天）")) << static_cast<int>(format);
    EXPECT_THAT(letter, Not(HasSubstr("7天"))) << static_cast<int>(format);
    EXPECT_THAT(letter, HasSubstr("向郑州市金水区经八路街道办事处或县级民政部门")) << static_cast<int>(format);
    EXPECT_THAT(letter, HasSubstr("到郑州市金水区经八路街道办事处补充")) << static_cast<int>(format);
    EXPECT_THAT(letter, HasSubstr("联系电话：0371-65550000")) << static_cast<int>(format);
    EXPECT_THAT(letter, Not(HasSubstr("乡镇人民政府（街道办事处）"))) << static_cast<int>(format);
  }
  ExplainOptions o = Options(kApplicant);
  o.issuing_office = "郑州市金水区经八路街道办事处";
  EXPECT_THAT(ExplainCase(c, o), HasSubstr("经办单位（盖章）：郑州市金水区经八路街道办事处"));
  Decided d = Decide(c);
  for (int days : {0, -1, 91}) {
    o.publicity_days = days;
    EXPECT_EQ(Explain(d.decision, d.application, o).status().code(), absl::StatusCode::kInvalidArgument) << days;
  }
}

// Issue 12: the letter says which standard applied and which document set it: the dated
// value in force (not the parameter's first value), or how a derived standard is derived.
TEST(ExplainTest, LetterShowsTheStandardAppliedAndItsBasis) {
  std::string urban = ExplainCase(FindCase("eligible_urban"), Options(kApplicant));
  EXPECT_THAT(urban, HasSubstr("适用的低保标准为每人每月 700.00元"));
  EXPECT_THAT(urban, HasSubstr("低保标准（每人每月 700.00元）：郑州市民政局公开页面（2022-10-27发布）：城市700元/人/月"));
  // The same rules in 2020: the 2017 value was in force, and its own basis is cited.
  std::string y2020 = ExplainCase(FindCase("eligible_urban_2020"), Options(kApplicant));
  EXPECT_THAT(y2020, HasSubstr("低保标准（每人每月 600.00元）：郑州市2017年7月1日起调整城乡低保标准：城市600元/人/月"));
  EXPECT_THAT(y2020, Not(HasSubstr("2022-10-27")));
  // 70% of the urban standard (518元): the derivation and the urban standard's basis.
  std::string derived = ExplainCase(FindCase("henan_example6_tier_b"), Options(kApplicant));
  EXPECT_THAT(derived, HasSubstr("适用的低保标准为每人每月 518.00元"));
  EXPECT_THAT(derived, HasSubstr("执行城市标准的70%"));
  // The staff report cites the dated value in force as well (九、参数).
  std::string staff = ExplainCase(FindCase("eligible_urban_2020"), Options(kStaff));
  EXPECT_THAT(staff, HasSubstr("依据：郑州市2017年7月1日起调整城乡低保标准"));
}

// ---- golden explanations ----------------------------------------------------------------

// Paths and the fingerprint change with the checkout and with every rule edit; neither is
// what a golden explanation is about.
std::string Normalize(std::string text, const std::string& fingerprint) {
  text = absl::StrReplaceAll(text, {{testing::SourceDir() + "/", ""}});
  if (!fingerprint.empty()) {
    text = absl::StrReplaceAll(text, {{fingerprint, "<fingerprint>"}, {fingerprint.substr(0, 12), "<fingerprint>"}});
  }
  return text;
}

struct Golden {
  std::string case_name;
  ExplainOptions::Audience audience;
  ExplainOptions::Format format;
  Language language;
  std::string file;
};

std::vector<Golden> Goldens() {
  std::vector<Golden> out;
  for (const Case& c : Cases()) {
    out.push_back({c.name, kStaff, ExplainOptions::Format::kText, Language::kChinese, c.name + ".staff.txt"});
    out.push_back({c.name, kApplicant, ExplainOptions::Format::kText, Language::kChinese, c.name + ".applicant.txt"});
  }
  out.push_back({"eligible_urban", kStaff, ExplainOptions::Format::kText, Language::kEnglish, "eligible_urban.staff.en.txt"});
  out.push_back({"eligible_urban", kApplicant, ExplainOptions::Format::kText, Language::kEnglish, "eligible_urban.applicant.en.txt"});
  out.push_back({"review_registry_matches", kApplicant, ExplainOptions::Format::kJson, Language::kChinese,
                 "review_registry_matches.applicant.json"});
  return out;
}

// gtest prints a parameter that fails; the file name says which one.
void PrintTo(const Golden& g, std::ostream* os) { *os << g.file; }

class GoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenTest, MatchesBaseline) {
  const Golden& g = GetParam();
  const Case& c = FindCase(g.case_name);
  Decided d = Decide(c);
  ASSERT_NE(d.program, nullptr);
  ExplainOptions o = Options(g.audience, g.format, g.language);
  o.program = d.program.get();
  absl::StatusOr<std::string> s = Explain(d.decision, d.application, o);
  ASSERT_TRUE(s.ok()) << s.status();
  const std::string actual = Normalize(*s, d.decision.rules_fingerprint());
  const std::string path = testing::SourceDir() + "/tests/explain/golden/" + g.file + ".baseline";
  const char* update = std::getenv("HEYAN_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  const std::string expected = testing::ReadFileOrEmpty(path);
  ASSERT_FALSE(expected.empty()) << "missing " << path << " (run with HEYAN_UPDATE_GOLDEN=1)";
  if (actual == expected) return;
  // Whole explanations are long: report the first line that differs, and leave the
  // actual text beside the test binary for a diff.
  std::vector<std::string> a = absl::StrSplit(actual, '\n'), x = absl::StrSplit(expected, '\n');
  size_t line = 0;
  while (line < a.size() && line < x.size() && a[line] == x[line]) ++line;
  const std::string actual_path = ::testing::TempDir() + g.file + ".actual";
  std::ofstream(actual_path, std::ios::binary | std::ios::trunc) << actual;
  ADD_FAILURE() << "explanation differs from " << path << " at line " << line + 1 << ":\n  expected: "
                << (line < x.size() ? x[line] : "(end)") << "\n  actual:   " << (line < a.size() ? a[line] : "(end)")
                << "\nactual text written to " << actual_path
                << "; if the change is intended (e.g. the rules changed), rerun with HEYAN_UPDATE_GOLDEN=1 and review the diff";
}

std::string GoldenName(const ::testing::TestParamInfo<Golden>& info) {
  std::string name = info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Examples, GoldenTest, ::testing::ValuesIn(Goldens()), GoldenName);

}  // namespace
}  // namespace heyan
