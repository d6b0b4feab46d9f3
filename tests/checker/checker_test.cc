// Check stage, through the public compiler API (heyan::CompileFile with in-memory sources):
// name resolution, typing, declarations, imports and overrides, cycles, decision tables.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/program.h"

namespace heyan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

struct Compiled {
  CompileResult result;

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : result.diagnostics) out.push_back(d.code);
    return out;
  }
  const Diagnostic* Find(const std::string& code) const {
    for (const auto& d : result.diagnostics) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }
  std::string Dump() const {
    std::string out;
    for (const auto& d : result.diagnostics) out += FormatDiagnostic(d);
    return out;
  }
  const DeclarationInfo* Decl(const std::string& name) const {
    if (!result.program) return nullptr;
    for (const auto& d : result.program->declarations()) {
      if (d.name == name) return &d;
    }
    return nullptr;
  }
};

// Compiles `files` (path -> text); the entry file is `entry`.
Compiled CompileFiles(const std::map<std::string, std::string>& files, const std::string& entry,
                      CompileOptions options = {}) {
  for (const auto& [path, text] : files) options.sources[path] = text;
  absl::StatusOr<CompileResult> r = CompileFile(entry, options);
  EXPECT_TRUE(r.ok()) << r.status();
  Compiled c;
  if (r.ok()) c.result = *std::move(r);
  // The snippets here cite nothing; citation warnings (W0214) have their own tests below.
  std::erase_if(c.result.diagnostics, [](const Diagnostic& d) { return d.code == "W0214"; });
  return c;
}

// The same, keeping every diagnostic (for the citation tests).
CompileResult CompileRaw(const std::string& body) {
  CompileOptions options;
  options.sources["main.heyan"] = "规则集 测试\n" + body;
  absl::StatusOr<CompileResult> r = CompileFile("main.heyan", options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : CompileResult{};
}

// Compiles `body` after a header line, as main.heyan.
Compiled Compile(const std::string& body, CompileOptions options = {}) {
  return CompileFiles({{"main.heyan", "规则集 测试\n" + body}}, "main.heyan", std::move(options));
}

// Expects the body to compile without any diagnostic.
void ExpectOk(const std::string& body) {
  Compiled c = Compile(body);
  EXPECT_TRUE(c.result.ok()) << body << "\n" << c.Dump();
  EXPECT_THAT(c.codes(), IsEmpty()) << body << "\n" << c.Dump();
}

// Expects exactly one diagnostic, with `code`; returns it for further checks.
Diagnostic ExpectError(const std::string& body, const std::string& code) {
  Compiled c = Compile(body);
  EXPECT_FALSE(c.result.ok()) << body;
  EXPECT_THAT(c.codes(), ElementsAre(code)) << body << "\n" << c.Dump();
  return c.result.diagnostics.empty() ? Diagnostic{} : c.result.diagnostics[0];
}

constexpr char kStandard[] = "参数 月低保标准: 金额 = 470元\n";

// ---- name resolution -------------------------------------------------------------------

TEST(CheckerTest, ResolvesChineseAndEnglishFieldNames) {
  ExpectOk(
      "计算 a = 计数(成员)\n"
      "let b = count(members)\n"
      "计算 c: 金额 = 资产.金融资产.存款 + assets.financial.deposits_fen + 资产.financial.现金\n"
      "计算 d = 成员.id_number\n"
      "计算 e: 日期 = 申请日期\n"
      "计算 f: 小数 = 耕地面积\n");
}

TEST(CheckerTest, ResolvesEnumValuesByNameAndQualified) {
  ExpectOk(
      "计算 a = 任一 资产.车辆 满足 类型 = 摩托车\n"
      "计算 b = 任一 资产.车辆 满足 类型 = 车辆类型.摩托车\n"
      "计算 c = 任一 资产.车辆 满足 类型 = MOTORCYCLE\n"
      "计算 d = 任一 资产.车辆 满足 类型 = VehicleKind.MOTORCYCLE\n"
      "计算 e = 任一 成员.收入 满足 来源 属于 [高龄津贴, 残疾人两项补贴]\n"
      "参数 f: 列表<车辆类型> = [摩托车, 残疾人代步车]\n"
      "参数 g: 收入来源 = 高龄津贴\n"
      "计算 h = 车辆类型.船舶\n");
}

TEST(CheckerTest, EnumValueNeedsContextOrQualification) {
  Diagnostic d = ExpectError("计算 a = 摩托车\n", "E0201");
  EXPECT_THAT(d.message_zh, HasSubstr("摩托车"));
}

TEST(CheckerTest, RejectsUnknownEnumValue) {
  Diagnostic d = ExpectError("计算 a = 任一 资产.车辆 满足 类型 = 轿车\n", "E0209");
  EXPECT_THAT(d.message_zh, HasSubstr("轿车"));
  EXPECT_THAT(d.message_zh, HasSubstr("小汽车"));  // lists the values that exist
  Diagnostic q = ExpectError("计算 a = 车辆类型.摩拖车\n", "E0209");
  EXPECT_EQ(q.suggestion, "摩托车");
  Diagnostic l = ExpectError("参数 L: 列表<收入来源> = [高龄津贴, 高领津贴]\n", "E0209");
  EXPECT_EQ(l.suggestion, "高龄津贴");
}

TEST(CheckerTest, ImplicitItemFields) {
  ExpectOk(
      "计算 a = 成员 其中 共同生活\n"
      "计算 b: 金额 = 合计(成员.收入 其中 来源 = 务工收入: 金额)\n"
      "计算 c = 任一 成员 满足 重病 并且 年龄(出生日期, 评估日期) > 60\n"
      "计算 d = 所有 资产.车辆 满足 价值 < 1000元\n"
      "计算 e = 计数(成员 其中 任一 收入 满足 金额 > 0元)\n");
}

TEST(CheckerTest, ItemFieldsShadowDeclaredNames) {
  // Inside 其中, 姓名 is the member's field even if a value named 姓名 exists (§9 order).
  ExpectOk(
      "计算 姓名 = 1\n"
      "计算 a = 成员 其中 姓名 = \"张三\"\n");
}

TEST(CheckerTest, BoundNames) {
  ExpectOk(
      "计算 a = 任一 人 在 成员 满足 人.重病\n"
      "计算 b = 所有 x 属于 成员 满足 x.重病\n"
      "规则 R1 \"t\" 每个 车 在 资产.车辆 当 车.价值 > 1元 则 标记 \"{车.号牌}\"\n");
  // A quantifier's name is not visible outside it.
  Diagnostic d = ExpectError("计算 a = 任一 人 在 成员 满足 人.重病\n计算 b = 人.重病\n", "E0201");
  EXPECT_EQ(d.line, 3);
}

TEST(CheckerTest, MessageSeesTopLevelAnyWitness) {
  ExpectOk("规则 R1 \"t\" 当 任一 人 在 成员 满足 人.重病 则 标记 \"{人.姓名}\"\n");
}

TEST(CheckerTest, BuiltinNames) {
  ExpectOk(
      "计算 a: 日期 = 评估日期\n"
      "计算 b: 日期 = as_of\n"
      "计算 c = 申请.成员\n"
      "计算 d = application.members\n"
      "计算 e: 日期 = 申请.评估日期\n"
      "输出 f: 布尔 = 符合条件\n");
}

TEST(CheckerTest, Registries) {
  ExpectOk(
      "计算 a = 任一 成员 满足 身份证号 属于 登记册.财政供养人员\n"
      "计算 b = 任一 members satisfies id_number in registry.public_payroll_staff\n"
      "计算 c = 任一 成员 满足 身份证号 不属于 登记册.死亡登记\n"
      "计算 d = 任一 成员 满足 (任一 r 在 登记册.车辆登记[身份证号] 满足 r.类型 = 小汽车)\n"
      "计算 e: 金额 = 合计(成员: 合计(登记册.社保[身份证号]: 月金额))\n"
      "计算 f = 计数(登记册.残疾人证[\"410100199001011234\"] 其中 残疾等级 <= 2)\n");
}

TEST(CheckerTest, RejectsUnknownRegistry) {
  Diagnostic d = ExpectError("计算 a = 任一 成员 满足 身份证号 属于 登记册.财政人员\n", "E0208");
  EXPECT_THAT(d.message_zh, HasSubstr("财政人员"));
  Diagnostic e = ExpectError("计算 a = 任一 成员 满足 身份证号 属于 登记册.死亡登纪\n", "E0208");
  EXPECT_EQ(e.suggestion, "死亡登记");
}

TEST(CheckerTest, RejectsUnknownName) {
  Diagnostic d = ExpectError(std::string(kStandard) + "规则 R1 \"t\" 当 1元 >= 低保标准 则 不符合\n", "E0201");
  EXPECT_EQ(d.suggestion, "月低保标准");
  EXPECT_EQ(d.message_zh, "未知的名称“低保标准”");
  EXPECT_EQ(d.message_en, "unknown name '低保标准'");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 19);
  EXPECT_EQ(d.length, 4);
}

TEST(CheckerTest, RejectsUnknownField) {
  Diagnostic d = ExpectError("计算 a = 成员.身份证\n", "E0202");
  EXPECT_EQ(d.suggestion, "身份证号");
  EXPECT_THAT(d.message_zh, HasSubstr("成员"));
  EXPECT_EQ(d.column, 11);
  EXPECT_EQ(d.length, 3);
  Diagnostic e = ExpectError("计算 a = members.id_numbr\n", "E0202");
  EXPECT_EQ(e.suggestion, "id_number");
}

// ---- types -----------------------------------------------------------------------------

TEST(CheckerTest, MoneyArithmetic) {
  ExpectOk(
      "计算 a: 金额 = 1元 + 2元 - 50分\n"
      "计算 b: 金额 = 470元 * 3\n"
      "计算 c: 金额 = 3 × 470元\n"
      "计算 d: 金额 = 470元 * 70%\n"
      "计算 e: 金额 = 1000元 / 3\n"
      "计算 f: 小数 = 1000元 / 3元\n"
      "计算 g: 金额 = -a\n"
      "计算 h: 小数 = 1 / 2\n"
      "计算 i: 整数 = 7 - 2 * 3\n"
      "计算 j: 小数 = 1 + 0.5\n");
}

TEST(CheckerTest, MoneyPlusDateIsE0301) {
  Diagnostic d = ExpectError(std::string(kStandard) + "计算 a = 月低保标准 + 申请日期\n", "E0301");
  EXPECT_EQ(d.message_zh, "金额和日期不能做“+”运算");
}

TEST(CheckerTest, MoneyPlusIntIsE0301WithHint) {
  Diagnostic d = ExpectError(std::string(kStandard) + "计算 a = 月低保标准 + 100\n", "E0301");
  EXPECT_EQ(d.message_zh, "金额和整数不能做“+”运算（金额只能和金额相加减；数字要写单位：写成 100元）");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 8);
}

TEST(CheckerTest, OtherInvalidArithmeticIsE0301) {
  ExpectError(std::string(kStandard) + "计算 a = 月低保标准 * 月低保标准\n", "E0301");
  ExpectError("计算 a = 申请日期 - 申请日期\n", "E0301");
  ExpectError("计算 a = \"A\" + \"B\"\n", "E0301");
  ExpectError("计算 a = 3 / 1元\n", "E0301");
  ExpectError("计算 a = -真\n", "E0301");
  ExpectError("计算 a = 12个月 - 申请日期\n", "E0301");
}

TEST(CheckerTest, DateArithmetic) {
  ExpectOk(
      "计算 a: 日期 = 申请日期 - 12个月\n"
      "计算 b: 日期 = 申请日期 + 30天\n"
      "计算 c: 日期 = 3年 + 申请日期\n"
      "计算 d: 期间 = 1年 + 6个月\n"
      "计算 e: 布尔 = 申请日期 < 2018-01-01\n");
}

TEST(CheckerTest, DeclaredTypeMismatchIsE0303) {
  Diagnostic d = ExpectError("参数 月低保标准: 金额 = 380\n", "E0303");
  EXPECT_THAT(d.message_zh, HasSubstr("整数"));
  EXPECT_THAT(d.message_zh, HasSubstr("金额"));
  ExpectError("计算 a: 金额 = 1元 / 2元\n", "E0303");
  ExpectError("计算 a: 整数 = 1 / 2\n", "E0303");
  ExpectError("计算 a: 文本 = 1\n", "E0303");
  // 整数 fits 小数.
  ExpectOk("计算 a: 小数 = 1\n参数 b: 小数 = 2\n");
}

TEST(CheckerTest, ComparisonsOfIncompatibleTypesAreE0306) {
  Diagnostic d = ExpectError("计算 a = 1元 < 300\n", "E0306");
  EXPECT_EQ(d.message_zh, "金额不能和整数用“<”比较（金额要写单位：写成 300元）");
  Diagnostic n = ExpectError("计算 人数 = 计数(成员)\n计算 a = 1元 < 人数\n", "E0306");
  EXPECT_THAT(n.message_zh, HasSubstr("金额只能和金额比较"));
  ExpectError("计算 a = 申请日期 = \"2018-01-01\"\n", "E0306");
  ExpectError("计算 a = 任一 成员.收入 满足 来源 = 车辆类型.摩托车\n", "E0306");
  ExpectError("计算 a = 1 < 2 < 3\n", "E0306");
  ExpectError("计算 a = 真 < 假\n", "E0306");
  ExpectError("计算 a = \"a\" < \"b\"\n", "E0306");
  ExpectOk("计算 a = 1 < 2.5\n计算 b = \"a\" = \"b\"\n计算 c = 12个月 = 1年\n计算 d = 真 ≠ 假\n");
}

TEST(CheckerTest, ConditionsMustBeBoolE0302) {
  ExpectError("计算 人数 = 计数(成员)\n规则 R1 \"t\" 当 人数 则 不符合\n", "E0302");
  ExpectError("计算 a = 成员 其中 姓名\n", "E0302");
  ExpectError("计算 a = 真 并且 1\n", "E0302");
  ExpectError("计算 a = 并非 \"x\"\n", "E0302");
  ExpectError("规则 R1 \"t\" 当 真 例外: 1元 则 不符合\n", "E0302");
  ExpectError("计算 a = 任一 成员 满足 姓名\n", "E0302");
  ExpectError("计算 a = 如果 1 则 1 否则 2\n", "E0302");
}

TEST(CheckerTest, MixedListIsE0304) {
  ExpectError("参数 L: 列表<车辆类型> = [摩托车, 380元]\n", "E0304");
  ExpectError("计算 a = [1元, \"a\"]\n", "E0304");
  ExpectOk("计算 a: 列表<小数> = [1, 0.5]\n");
}

TEST(CheckerTest, AggregatingNonListsIsE0305) {
  ExpectError(std::string(kStandard) + "计算 a = 合计(月低保标准)\n", "E0305");
  ExpectError("计算 人数 = 计数(成员)\n规则 R1 \"t\" 每个 x 在 人数 当 真 则 标记\n", "E0305");
  ExpectError("计算 a = 合计(成员)\n", "E0305");
  ExpectError("计算 a = 最大(成员.姓名)\n", "E0305");
  ExpectError("计算 a = 计数([])\n", "E0305");
  ExpectError("计算 a = 任一 申请日期 满足 真\n", "E0305");
  ExpectOk("计算 a = 最大(成员: 出生日期)\n计算 b: 整数 = 合计([1, 2, 3])\n");
}

TEST(CheckerTest, MembershipNeedsListOrRegistryE0307) {
  ExpectError("计算 a = 任一 成员.收入 满足 来源 属于 高龄津贴\n", "E0307");
  ExpectError("计算 人数 = 计数(成员)\n计算 a = 人数 属于 登记册.死亡登记\n", "E0307");
  ExpectError("计算 a = 1 属于 [\"a\"]\n", "E0307");
}

TEST(CheckerTest, EffectiveDatesMustIncreaseE0308) {
  ExpectError("参数 X: 金额\n  自 2018-01-01 起 = 1元\n  自 2017-07-01 起 = 2元\n", "E0308");
  ExpectError("参数 X: 金额\n  自 2018-01-01 起 = 1元\n  自 2018-01-01 起 = 2元\n", "E0308");
}

TEST(CheckerTest, ParameterMustBeConstantE0309) {
  ExpectError("参数 X: 整数 = 计数(成员)\n", "E0309");
  ExpectError("参数 X: 日期 = 申请日期\n", "E0309");
  ExpectOk("参数 X: 金额 = 470元 * 3 - 10元\n参数 Y: 整数 = -5\n");
}

TEST(CheckerTest, OutputKeys) {
  ExpectOk(
      "输出 a = 1元 记为 counted_income\n"
      "输出 b = 2元 记为 人均收入\n"
      "输出 c = 3元 记为 benefit\n"
      "输出 d = \"A\" 记为 tier\n"
      "输出 e = 成员 记为 covered_members\n");
  Diagnostic d = ExpectError("输出 a = 1元 记为 benefits\n", "E0310");
  EXPECT_EQ(d.suggestion, "benefit");
  Diagnostic t = ExpectError("输出 档次 = \"A\" 记为 benefit\n", "E0311");
  EXPECT_THAT(t.message_zh, HasSubstr("文本"));
  ExpectError("输出 a = 成员.收入 记为 covered_members\n", "E0311");
  ExpectError("输出 a = 1 记为 per_capita_income\n", "E0311");
}

TEST(CheckerTest, FieldOfNonMessageIsE0312) {
  Diagnostic d = ExpectError(std::string(kStandard) + "计算 a = 月低保标准.金额\n", "E0312");
  EXPECT_THAT(d.message_zh, HasSubstr("月低保标准"));
  ExpectError("计算 a = 申请日期.年\n", "E0312");
}

TEST(CheckerTest, IndexIsOnlyForRegistriesE0313) {
  ExpectError("计算 a = 成员[1]\n", "E0313");
  ExpectError("计算 人数 = 计数(成员)\n计算 a = 登记册.社保[人数]\n", "E0313");
}

TEST(CheckerTest, IfBranchesMustAgreeE0314) {
  ExpectError("计算 a = 如果 真 则 1元 否则 \"无\"\n", "E0314");
  ExpectOk("计算 a: 小数 = 如果 真 则 1 否则 0.5\n");
}

TEST(CheckerTest, DivisionByConstantZeroIsE0315) {
  ExpectError("计算 a = 1元 / 0\n", "E0315");
  ExpectError("计算 a = 1 / (2 - 2)\n", "E0315");
  ExpectError("计算 a = 1元 / 0元\n", "E0315");
  ExpectError("计算 a = 1.5 / 0.0\n", "E0315");
}

TEST(CheckerTest, FunctionsE0210) {
  Diagnostic d = ExpectError("计算 a = 四舍五入到角(1元)\n", "E0210");
  EXPECT_THAT(d.suggestion, HasSubstr("四舍五入到"));
  Diagnostic n = ExpectError("计算 a = 年龄(申请日期)\n", "E0210");
  EXPECT_THAT(n.message_zh, HasSubstr("2"));
  ExpectError("计算 a = 年龄(\"1960-01-01\", 评估日期)\n", "E0210");
  ExpectError("计算 a = 存在(1)\n", "E0210");
  // A field through a list is a field of every item, not one field that may be unset.
  Diagnostic p = ExpectError("计算 a = 存在(成员.出生日期)\n", "E0210");
  EXPECT_THAT(p.message_zh, HasSubstr("所有"));
  ExpectOk("计算 a = 所有 成员 满足 存在(出生日期)\n计算 b = 存在(成员)\n计算 c = 存在(资产.金融资产)\n");
  ExpectError("计算 a = 向上取整到倍数(1元, 1)\n", "E0210");
  ExpectError("计算 a = 四舍五入到分(1)\n", "E0210");
  ExpectError("计算 a = 向下取整(1元)\n", "E0210");
  ExpectError("计算 a = 较大值(1元, 1)\n", "E0210");
  ExpectError("计算 a = 之前期间内(申请日期, 申请日期, 3)\n", "E0210");
  ExpectOk(
      "计算 a: 金额 = 四舍五入到分(1元 / 3) + 向上取整到分(1元 / 3) + 向下取整到分(1元 / 3)\n"
      "计算 b: 金额 = round_half_up_yuan(1元) + round_up_yuan(1元) + round_down_yuan(1元)\n"
      "计算 c: 金额 = 向上取整到倍数(1元, 5元) + 向下取整到倍数(1元, 5元) + 四舍五入到倍数(1元, 5元)\n"
      "计算 d: 整数 = 向下取整(1.5) + 向上取整(1.5) + 四舍五入(1.5) + floor(2) + ceil(0.5) + round(0.5)\n"
      "计算 e: 金额 = 较大值(1元, 2元) + 较小值(1元, 2元)\n"
      "计算 f: 整数 = 年龄(申请日期, 评估日期) + 相差月数(申请日期, 评估日期) + 相差天数(申请日期, 评估日期)\n"
      "计算 g: 布尔 = 之前期间内(申请日期, 评估日期, 12个月) 并且 存在(耕地面积)\n"
      "计算 h: 小数 = 较大值(1, 0.5)\n"
      "计算 i: 整数 = round_up_to(7, 5)\n");
}

// ---- declarations ----------------------------------------------------------------------

TEST(CheckerTest, DuplicateNameIsE0203) {
  Diagnostic d = ExpectError("计算 a = 1\n计算 a = 2\n", "E0203");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.message_zh, "名称“a”在本文件第 2 行已经定义过；一个名称只能定义一次，请删去其中一个或改名");
  ExpectError("参数 a: 整数 = 1\n决策表 a 命中 首个 条件 1 行 - => 1\n", "E0203");
}

TEST(CheckerTest, DuplicateRuleIdIsE0211) {
  Diagnostic d = ExpectError("规则 R03 \"a\" 当 真 则 标记\n规则 R03 \"b\" 当 真 则 标记\n", "E0211");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.message_zh, "规则编号“R03”在本文件第 2 行已经用过；每条规则的编号必须不同");
}

TEST(CheckerTest, AssumptionNeedsReasonE0212) {
  ExpectError("假设 参数 存款倍数: 整数 = 24 依据 \"待确认\"\n", "E0212");
  ExpectOk("假设 参数 存款倍数: 整数 = 24 依据 \"待确认\" 理由 \"未查到\"\n");
}

TEST(CheckerTest, UnknownTypeIsE0207) {
  Diagnostic d = ExpectError("参数 X: 钱 = 1元\n", "E0207");
  EXPECT_THAT(d.message_zh, HasSubstr("钱"));
  ExpectError("参数 X: 列表 = [1]\n", "E0207");
  Diagnostic s = ExpectError("参数 X: 列表<车辆类形> = []\n", "E0207");
  EXPECT_EQ(s.suggestion, "车辆类型");
}

TEST(CheckerTest, CycleIsE0206) {
  Compiled c = Compile("计算 A = B + 1元\n计算 B = A - 1元\n");
  EXPECT_FALSE(c.result.ok());
  ASSERT_THAT(c.codes(), ElementsAre("E0206")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("A"));
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("B"));
  ExpectError("计算 A = A + 1\n", "E0206");
  ExpectError("计算 A = B\n计算 B = C\n计算 C = A\n", "E0206");
}

TEST(CheckerTest, IneligibleRuleUsingEligibleIsE0206) {
  Diagnostic d = ExpectError("规则 R1 \"t\" 当 并非 符合条件 则 不符合\n", "E0206");
  EXPECT_THAT(d.message_zh, HasSubstr("符合条件"));
  EXPECT_THAT(d.message_zh, HasSubstr("R1"));
  // Through a value.
  Diagnostic v = ExpectError(
      "计算 金额差 = 如果 符合条件 则 1元 否则 0元\n"
      "规则 R2 \"t\" 当 金额差 > 0元 则 不符合\n",
      "E0206");
  EXPECT_THAT(v.message_zh, HasSubstr("金额差"));
  EXPECT_THAT(v.message_zh, HasSubstr("符合条件"));
  // Other rules, values and outputs may use it.
  ExpectOk(
      "规则 R1 \"t\" 当 符合条件 则 标记\n"
      "规则 R2 \"t\" 当 并非 符合条件 则 需复核\n"
      "输出 保障 = 如果 符合条件 则 1元 否则 0元 记为 benefit\n"
      "规则 R3 \"t\" 当 保障 > 0元 则 缺少材料\n");
}

TEST(CheckerTest, ReportsAllProblemsSortedByPosition) {
  Compiled c = Compile(
      "计算 a = 未知1\n"
      "计算 b = 1元 + 1\n"
      "计算 c = 成员.不存在\n");
  EXPECT_THAT(c.codes(), ElementsAre("E0201", "E0301", "E0202")) << c.Dump();
  ASSERT_EQ(c.result.diagnostics.size(), 3u);
  EXPECT_EQ(c.result.diagnostics[0].line, 2);
  EXPECT_EQ(c.result.diagnostics[1].line, 3);
  EXPECT_EQ(c.result.diagnostics[2].line, 4);
}

TEST(CheckerTest, DeclarationInfo) {
  Compiled c = Compile(
      "参数 标准: 金额\n  自 2017-07-01 起 = 380元 依据 \"a\"\n  自 2018-01-01 起 = 470元 依据 \"b\"\n"
      "假设 参数 倍数: 整数 = 24 依据 \"c\" 理由 \"未查到\"\n"
      "输出 o: 金额 = 标准 * 倍数\n"
      "规则 R1 \"标题\" 依据 \"d\" 当 真 例外: 假 则 标记\n");
  ASSERT_TRUE(c.result.ok()) << c.Dump();
  const DeclarationInfo* p = c.Decl("标准");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, "parameter");
  EXPECT_EQ(p->branches, 2);
  EXPECT_EQ(p->file, "main.heyan");
  EXPECT_EQ(p->line, 2);
  EXPECT_THAT(p->value, HasSubstr("380.00元"));
  EXPECT_THAT(p->value, HasSubstr("2018-01-01"));
  const DeclarationInfo* a = c.Decl("倍数");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->assumption);
  EXPECT_EQ(a->assumption_reason, "未查到");
  EXPECT_EQ(a->value, "24");
  const DeclarationInfo* r = c.Decl("R1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, "rule");
  EXPECT_EQ(r->title, "标题");
  EXPECT_EQ(r->citation, "d");
  EXPECT_EQ(r->branches, 1);
  EXPECT_EQ(c.result.program->name(), "测试");
}

// ---- limits and files ------------------------------------------------------------------

TEST(CheckerTest, MissingEntryFileIsE0001) {
  absl::StatusOr<CompileResult> r = CompileFile("/nonexistent/dir/x.heyan");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok());
  ASSERT_EQ(r->diagnostics.size(), 1u);
  EXPECT_EQ(r->diagnostics[0].code, "E0001");
  EXPECT_EQ(r->diagnostics[0].file, "/nonexistent/dir/x.heyan");
}

TEST(CheckerTest, InvalidOptionsAreAStatus) {
  CompileOptions options;
  options.max_files = 0;
  EXPECT_FALSE(CompileFile("x.heyan", options).ok());
}

TEST(CheckerTest, MissingImportIsE0002) {
  // (An import above the rule tree would be E0007 instead: see tests/compiler.)
  Compiled c = CompileFiles({{"dir/main.heyan", "规则集 m\n导入 \"lib/henan.heyan\"\n"}}, "dir/main.heyan");
  ASSERT_THAT(c.codes(), ElementsAre("E0002"));
  const Diagnostic& d = c.result.diagnostics[0];
  EXPECT_EQ(d.file, "dir/main.heyan");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 4);
  EXPECT_THAT(d.message_zh, HasSubstr("henan.heyan"));
}

TEST(CheckerTest, ImportCycleIsE0006) {
  Compiled c = CompileFiles(
      {{"a.heyan", "规则集 a\n导入 \"b.heyan\"\n"}, {"b.heyan", "规则集 b\n导入 \"a.heyan\"\n"}}, "a.heyan");
  ASSERT_THAT(c.codes(), ElementsAre("E0006"));
  EXPECT_EQ(c.result.diagnostics[0].file, "b.heyan");
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("a.heyan → b.heyan → a.heyan"));
}

TEST(CheckerTest, TooManyFilesIsE0005) {
  std::map<std::string, std::string> files;
  for (int i = 0; i < 5; ++i) {
    files["f" + std::to_string(i) + ".heyan"] =
        "规则集 f" + std::to_string(i) + "\n" + (i < 4 ? "导入 \"f" + std::to_string(i + 1) + ".heyan\"\n" : "");
  }
  CompileOptions options;
  options.max_files = 4;
  Compiled c = CompileFiles(files, "f0.heyan", options);
  ASSERT_THAT(c.codes(), ElementsAre("E0005"));
  EXPECT_EQ(c.result.diagnostics[0].file, "f3.heyan");
  options.max_files = 5;
  EXPECT_TRUE(CompileFiles(files, "f0.heyan", options).result.ok());
}

TEST(CheckerTest, SharedImportIsLoadedOnce) {
  Compiled c = CompileFiles({{"top.heyan", "规则集 t\n导入 \"a.heyan\"\n导入 \"b.heyan\"\n"},
                             {"a.heyan", "规则集 a\n导入 \"base.heyan\"\n"},
                             {"b.heyan", "规则集 b\n导入 \"./base.heyan\"\n"},
                             {"base.heyan", "规则集 base\n参数 p: 整数 = 1\n"}},
                            "top.heyan");
  EXPECT_TRUE(c.result.ok()) << c.Dump();
}

TEST(CheckerTest, LimitsFromOptions) {
  CompileOptions options;
  options.max_source_bytes = 20;
  EXPECT_THAT(Compile("计算 a = 1\n", options).codes(), ElementsAre("E0003"));
  CompileOptions nesting;
  nesting.max_nesting_depth = 2;
  EXPECT_THAT(Compile("计算 a = ((1))\n", nesting).codes(), IsEmpty());
  EXPECT_THAT(Compile("计算 a = (((1)))\n", nesting).codes(), ElementsAre("E0004"));
}

// ---- imports and overrides -------------------------------------------------------------

const std::map<std::string, std::string> kProvince = {
    {"province.heyan",
     "规则集 省\n"
     "参数 标准: 金额\n  自 2017-01-01 起 = 300元 依据 \"省1\"\n  自 2018-01-01 起 = 400元 依据 \"省2\"\n"
     "计算 人数 = 计数(成员)\n"
     "输出 保障: 金额 = 标准 * 人数 记为 benefit\n"
     "规则 R05 \"省规则\" 依据 \"省\" 当 人数 > 10 则 需复核\n"}};

Compiled CompileCity(const std::string& city) {
  auto files = kProvince;
  files["city.heyan"] = "规则集 市\n导入 \"province.heyan\"\n" + city;
  return CompileFiles(files, "city.heyan");
}

TEST(CheckerTest, OverrideReplacesImportedDefinition) {
  Compiled c = CompileCity("覆盖 参数 标准: 金额 = 520元 依据 \"市\"\n停用 规则 R05 依据 \"市停用\"\n");
  ASSERT_TRUE(c.result.ok()) << c.Dump();
  int count = 0;
  for (const auto& d : c.result.program->declarations()) count += d.name == "标准";
  EXPECT_EQ(count, 1);
  ASSERT_NE(c.Decl("标准"), nullptr);
  EXPECT_EQ(c.Decl("标准")->value, "520.00元");
  EXPECT_EQ(c.Decl("标准")->file, "city.heyan");
  EXPECT_EQ(c.Decl("R05"), nullptr) << "disabled rules are gone";
  EXPECT_EQ(c.result.program->name(), "市");
}

TEST(CheckerTest, OverrideRuleAndValue) {
  Compiled c = CompileCity(
      "覆盖 规则 R05 \"市规则\" 依据 \"市\" 当 人数 > 5 则 需复核\n"
      "覆盖 计算 人数 = 计数(成员 其中 共同生活) 依据 \"市\"\n");
  ASSERT_TRUE(c.result.ok()) << c.Dump();
  ASSERT_NE(c.Decl("R05"), nullptr);
  EXPECT_EQ(c.Decl("R05")->title, "市规则");
}

TEST(CheckerTest, RedefiningWithoutOverrideIsE0203) {
  Compiled c = CompileCity("参数 标准: 金额 = 520元\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0203"));
  EXPECT_EQ(c.result.diagnostics[0].file, "city.heyan");
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("province.heyan:2"));
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("覆盖"));
}

TEST(CheckerTest, OverrideWithDifferentKindIsE0203) {
  Compiled c = CompileCity("覆盖 计算 标准 = 520元 依据 \"市\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0203"));
  EXPECT_EQ(c.result.diagnostics[0].message_zh,
            "“标准”在 province.heyan:2 定义为“参数”，不能用“覆盖 计算”改写；请写“覆盖 参数”");
}

TEST(CheckerTest, OverrideOfUnknownNameIsE0204) {
  Compiled c = CompileCity("覆盖 参数 标注: 金额 = 520元 依据 \"市\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0204"));
  EXPECT_EQ(c.result.diagnostics[0].suggestion, "标准");
  Compiled r = CompileCity("覆盖 规则 R06 \"x\" 依据 \"市\" 当 真 则 标记\n");
  ASSERT_THAT(r.codes(), ElementsAre("E0204"));
  EXPECT_EQ(r.result.diagnostics[0].suggestion, "R05");
}

TEST(CheckerTest, OverrideAndDisableNeedBasisE0205) {
  EXPECT_THAT(CompileCity("覆盖 参数 标准: 金额 = 520元\n").codes(), ElementsAre("E0205"));
  EXPECT_THAT(CompileCity("覆盖 参数 标准: 金额\n 自 2018-01-01 起 = 5元 依据 \"x\"\n 自 2019-01-01 起 = 6元\n").codes(),
              ElementsAre("E0205"));
  EXPECT_THAT(CompileCity("覆盖 计算 人数 = 1\n").codes(), ElementsAre("E0205"));
  EXPECT_THAT(CompileCity("覆盖 规则 R05 \"x\" 当 真 则 标记\n").codes(), ElementsAre("E0205"));
  EXPECT_THAT(CompileCity("停用 规则 R05\n").codes(), ElementsAre("E0205"));
}

TEST(CheckerTest, DisablingUnknownRuleIsE0213) {
  Compiled c = CompileCity("停用 规则 R5 依据 \"x\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0213"));
  EXPECT_EQ(c.result.diagnostics[0].suggestion, "R05");
}

TEST(CheckerTest, RuleIdUsedTwiceAcrossFilesIsE0211) {
  EXPECT_THAT(CompileCity("规则 R05 \"x\" 当 真 则 标记\n").codes(), ElementsAre("E0211"));
}

// ---- parameter overrides ---------------------------------------------------------------

TEST(CheckerTest, ParameterOverridesReplaceValues) {
  CompileOptions options;
  options.parameter_overrides["标准"] = "450元";
  options.parameter_overrides["豁免"] = "[摩托车, 农用三轮车]";
  const std::string body =
      "参数 标准: 金额 自 2017-01-01 起 = 300元 自 2018-01-01 = 400元\n"
      "参数 豁免: 列表<车辆类型> = [摩托车]\n";
  Compiled c = Compile(body, options);
  ASSERT_TRUE(c.result.ok()) << c.Dump();
  EXPECT_EQ(c.Decl("标准")->value, "450.00元");
  EXPECT_EQ(c.Decl("标准")->branches, 1);
  EXPECT_EQ(c.Decl("豁免")->value, "[摩托车、农用三轮车]");
  Compiled plain = Compile(body);
  ASSERT_TRUE(plain.result.ok());
  EXPECT_NE(plain.result.program->fingerprint(), c.result.program->fingerprint());
}

TEST(CheckerTest, ParameterOverrideErrors) {
  const std::string body = "参数 月低保标准: 金额 = 470元\n";
  CompileOptions unknown;
  unknown.parameter_overrides["低保标准"] = "450元";
  Compiled u = Compile(body, unknown);
  ASSERT_THAT(u.codes(), ElementsAre("E0201"));
  EXPECT_EQ(u.result.diagnostics[0].suggestion, "月低保标准");

  CompileOptions type;
  type.parameter_overrides["月低保标准"] = "450";
  EXPECT_THAT(Compile(body, type).codes(), ElementsAre("E0303"));

  CompileOptions syntax;
  syntax.parameter_overrides["月低保标准"] = "450元 +";
  EXPECT_THAT(Compile(body, syntax).codes(), ElementsAre("E0101"));

  CompileOptions not_constant;
  not_constant.parameter_overrides["月低保标准"] = "合计(成员.收入: 金额)";
  EXPECT_THAT(Compile(body, not_constant).codes(), ElementsAre("E0309"));

  CompileOptions not_parameter;
  not_parameter.parameter_overrides["x"] = "1";
  EXPECT_THAT(Compile(body + "计算 x = 2\n", not_parameter).codes(), ElementsAre("E0201"));
}

// ---- decision tables -------------------------------------------------------------------

TEST(CheckerTest, CompleteUniqueTableCompiles) {
  ExpectOk(
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次: 文本 命中 唯一\n"
      "  条件 收入, 计数(成员)\n"
      "  行 < 100元, -              => \"A\"\n"
      "  行 [100元, 200元), >= 3    => \"B\"\n"
      "  行 [100元, 200元), < 3     => \"C\"\n"
      "  行 >= 200元, -             => \"D\"\n");
}

TEST(CheckerTest, TableGapIsE0404) {
  Compiled c = Compile(
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次 命中 唯一 条件 收入\n  行 < 100元 => \"A\"\n  行 > 100元 => \"B\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0404")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("收入 = 100.00元"));
  EXPECT_EQ(c.result.diagnostics[0].line, 3);
  // A first-hit table is checked for gaps too.
  Compiled f = Compile(
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次 命中 首个 条件 收入\n  行 < 100元 => \"A\"\n");
  // 100元 and the values above it are both gaps: one E0404 for the table, the first gap.
  ASSERT_THAT(f.codes(), ElementsAre("E0404")) << f.Dump();
  EXPECT_THAT(f.result.diagnostics[0].message_zh, HasSubstr("收入 = 100.00元"));
}

TEST(CheckerTest, TableOverlapIsE0403) {
  Compiled c = Compile(
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次 命中 唯一 条件 收入\n  行 <= 100元 => \"A\"\n  行 >= 100元 => \"B\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0403")) << c.Dump();
  EXPECT_EQ(c.result.diagnostics[0].message_zh,
            "决策表“档次”（命中 唯一）第 1 行和第 2 行重叠：收入 = 100.00元 时两行都适用");
  EXPECT_EQ(c.result.diagnostics[0].line, 5);
}

TEST(CheckerTest, TableGapIsReportedOncePerTable) {
  // Gaps at 0, 2, 4, 6, 8 and above 9: one E0404, naming the first.
  Compiled c = Compile(
      "决策表 t 命中 唯一 条件 计数(成员)\n"
      "  行 = 1 => 1\n  行 = 3 => 1\n  行 = 5 => 1\n  行 = 7 => 1\n  行 = 9 => 1\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0404")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("计数(成员) = 0 时"));
  // Two tables with gaps: one E0404 each.
  Compiled two = Compile(
      "决策表 t 命中 唯一 条件 计数(成员)\n  行 = 1 => 1\n  行 = 3 => 1\n"
      "决策表 u 命中 唯一 条件 计数(成员)\n  行 = 2 => 1\n  行 = 4 => 1\n");
  EXPECT_THAT(two.codes(), ElementsAre("E0404", "E0404")) << two.Dump();
}

TEST(CheckerTest, TableGapOfRatioIsShownAsPercentage) {
  // A decimal input compared with percentages is a ratio: the gap is named as 50%, not 0.5.
  Compiled c = Compile(
      "计算 比 = 计数(成员) / 4\n"
      "决策表 t 命中 唯一 条件 比\n  行 < 30% => 1\n  行 [30%, 50%) => 2\n  行 > 60% => 3\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0404")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("比 = 50% 时"));
  EXPECT_THAT(c.result.diagnostics[0].message_en, HasSubstr("50%"));
}

TEST(CheckerTest, EnumAndBoolTableInputsAreEnumerated) {
  Compiled c = Compile(
      "决策表 t 命中 唯一 条件 户籍类型, 申报近亲属\n"
      "  行 农村户籍, 真 => 1\n  行 城镇户籍, - => 2\n  行 未说明户籍, - => 3\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0404")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("农村户籍"));
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("否"));
  ExpectOk(
      "决策表 t 命中 唯一 条件 户籍类型\n"
      "  行 属于 [农村户籍, 城镇户籍] => 1\n  行 未说明户籍 => 2\n");
}

TEST(CheckerTest, TextTableInputNeedsOtherwise) {
  Compiled c = Compile("决策表 t 命中 唯一 条件 申请.县区\n  行 \"登封市\" => 1\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0404")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("其他值"));
  ExpectOk("决策表 t 命中 唯一 条件 申请.县区\n  行 \"登封市\" => 1\n  否则 => 0\n");
}

TEST(CheckerTest, ShadowedRowIsWarningW0401) {
  Compiled c = Compile(
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次 命中 首个 条件 收入\n  行 - => \"C\"\n  行 < 100元 => \"A\"\n");
  ASSERT_TRUE(c.result.ok()) << c.Dump();
  ASSERT_THAT(c.codes(), ElementsAre("W0401"));
  EXPECT_EQ(c.result.diagnostics[0].severity, Severity::kWarning);
  EXPECT_EQ(c.result.diagnostics[0].line, 5);
  ASSERT_EQ(c.result.program->warnings().size(), 1u);
  EXPECT_EQ(c.result.program->warnings()[0].code, "W0401");
}

TEST(CheckerTest, TableCellTypeIsE0401) {
  Compiled c = Compile(
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次 命中 唯一 条件 收入\n  行 < 100 => \"A\"\n  否则 => \"B\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0401")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("收入"));
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("金额"));
  ExpectError("决策表 t 命中 唯一 条件 申请.县区\n  行 < \"a\" => 1\n  否则 => 0\n", "E0401");
  ExpectError("决策表 t 命中 唯一 条件 户籍类型\n  行 属于 [1, 2] => 1\n  否则 => 0\n", "E0401");
}

TEST(CheckerTest, TableRowCellCountIsE0402) {
  Compiled c = Compile(
      "决策表 档次 命中 唯一 条件 计数(成员), 申请日期\n  行 < 100 => \"A\"\n  否则 => \"B\"\n");
  ASSERT_THAT(c.codes(), ElementsAre("E0402")) << c.Dump();
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("1 个条件"));
  EXPECT_THAT(c.result.diagnostics[0].message_zh, HasSubstr("2 个输入"));
}

TEST(CheckerTest, TableResultsOfDifferentTypesAreE0405) {
  ExpectError("决策表 t 命中 唯一 条件 计数(成员)\n  行 < 1 => \"A\"\n  否则 => 80%\n", "E0405");
  ExpectError("决策表 t: 文本 命中 唯一 条件 计数(成员)\n  行 < 1 => 1\n  否则 => \"A\"\n", "E0303");
  ExpectOk("决策表 t: 小数 命中 唯一 条件 计数(成员)\n  行 < 1 => 1\n  否则 => 70%\n");
}

TEST(CheckerTest, TableWithParameterBoundsIsCheckedAtRunTime) {
  // The analysis needs constant bounds; with a parameter it is skipped, not an error.
  ExpectOk(
      "参数 界: 金额 = 100元\n"
      "计算 收入 = 合计(成员.收入: 金额)\n"
      "决策表 档次 命中 唯一 条件 收入\n  行 <= 界 => \"A\"\n  行 >= 界 => \"B\"\n");
}

TEST(CheckerTest, TableIntegerInputGapsOnlyAtIntegers) {
  // (1, 2) holds no integer, so rows "<= 1" and ">= 2" cover every 整数.
  ExpectOk("决策表 t 命中 唯一 条件 计数(成员)\n  行 <= 1 => 1\n  行 >= 2 => 2\n");
  Compiled c = Compile("决策表 t 命中 唯一 条件 耕地面积\n  行 <= 1 => 1\n  行 >= 2 => 2\n");
  EXPECT_THAT(c.codes(), ElementsAre("E0404")) << c.Dump();
}

TEST(CheckerTest, ExampleRuleSetsCompile) {
  for (const char* name : {"province.heyan", "city.heyan", "english.heyan"}) {
    absl::StatusOr<CompileResult> r = CompileFile(std::string(HEYAN_SOURCE_DIR) + "/rules/examples/" + name);
    ASSERT_TRUE(r.ok()) << name;
    std::string dump;
    for (const auto& d : r->diagnostics) dump += FormatDiagnostic(d);
    EXPECT_TRUE(r->ok()) << name << "\n" << dump;
    EXPECT_FALSE(HasErrors(r->diagnostics)) << name << "\n" << dump;
  }
}

}  // namespace
}  // namespace heyan

namespace heyan {
namespace {

// ---- citations (W0214) -----------------------------------------------------------------

std::vector<std::string> Messages(const CompileResult& r, const std::string& code) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) {
    if (d.code == code) out.push_back(absl::StrCat(d.line, ":", d.message_zh));
  }
  return out;
}

TEST(CitationTest, RuleAndDatedValueWithoutBasisAreWarnings) {
  CompileResult r = CompileRaw(
      "参数 标准: 金额\n  自 2020-01-01 起 = 400元\n  自 2021-01-01 起 = 420元 依据 \"民发〔2021〕57号\"\n"
      "规则 R1 \"收入超标\" 当 合计(成员.收入: 金额) > 标准 则 不符合\n");
  ASSERT_TRUE(r.ok()) << "citation problems are warnings, not errors";
  EXPECT_THAT(Messages(r, "W0214"), ElementsAre(HasSubstr("3:参数“标准”的这个取值没有写依据"),
                                                 HasSubstr("5:规则“R1”没有写依据")));
}

TEST(CitationTest, InternalNotesAndNonDocumentsAreWarnings) {
  CompileResult r = CompileRaw(
      "参数 甲: 整数 = 1 依据 \"policy-facts §3：未查到\"\n"
      "参数 乙: 整数 = 2 依据 \"见 /work/shared/domain/notes.md\"\n"
      "参数 丙: 整数 = 3 依据 \"年标准按12个月折算\"\n"
      "参数 丁: 整数 = 4 依据 \"民发〔2021〕57号 第二十三条\"\n"
      "参数 戊: 整数 = 5 依据 \"https://zdxq.jiceng.zhengzhou.gov.cn/005002002/4937774.jhtml\"\n"
      "参数 己: 整数 = 6 依据 \"社会救助暂行办法 第九条\"\n"
      "假设 参数 庚: 整数 = 7 理由 \"未查到\"\n");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(r, "W0214"), ElementsAre(HasSubstr("2:依据引用了内部资料（policy-facts）"),
                                                 HasSubstr("3:依据引用了内部资料（.md）"),
                                                 HasSubstr("4:依据没有写出文件或公开网页")));
}

TEST(CitationTest, ShippedRulesCiteDocuments) {
  for (const char* entry : {"rules/henan/zhengzhou/zhengzhou.heyan", "rules/examples/city.heyan",
                            "rules/examples/english.heyan"}) {
    absl::StatusOr<CompileResult> r = CompileFile(std::string(HEYAN_SOURCE_DIR) + "/" + entry);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_THAT(Messages(*r, "W0214"), IsEmpty()) << entry;
  }
}

}  // namespace
}  // namespace heyan
