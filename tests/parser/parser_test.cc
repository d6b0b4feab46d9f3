// Parse stage (src/parser/parser.h): rule-file text -> AST, and syntax diagnostics.
#include "parser/parser.h"

#include <cmath>
#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "common/date.h"
#include "common/source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace heyan::internal {

// Readable failure messages for exact numbers; found by ADL.
void PrintTo(const Rational& r, std::ostream* os) { *os << r.num << "/" << r.den; }

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ast::ExprKind;
using ast::LiteralKind;
using ast::Op;

struct Parsed {
  std::unique_ptr<SourceSet> sources;
  std::unique_ptr<ast::RuleFile> file;
  std::vector<Diagnostic> diagnostics;

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diagnostics) out.push_back(d.code);
    return out;
  }
  const Diagnostic* Find(const std::string& code) const {
    for (const auto& d : diagnostics) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }
};

Parsed Parse(const std::string& text, ParseLimits limits = {}) {
  Parsed p;
  p.sources = std::make_unique<SourceSet>();
  int file = p.sources->Add("t.heyan", text);
  DiagnosticSink sink(p.sources.get());
  p.file = ParseRuleFile(*p.sources, file, limits, &sink);
  p.diagnostics = sink.Take();
  return p;
}

// Parses `body` after a standard header and returns the file; fails the test on diagnostics.
Parsed ParseOk(const std::string& body) {
  Parsed p = Parse("规则集 测试\n" + body);
  EXPECT_NE(p.file, nullptr);
  EXPECT_THAT(p.codes(), IsEmpty()) << (p.diagnostics.empty() ? "" : p.diagnostics[0].message_zh);
  return p;
}

// Parses one expression as the value of `计算 x = ...`.
struct ParsedExpr {
  Parsed parsed;
  const ast::Expr* expr = nullptr;
};
ParsedExpr Expr(const std::string& text) {
  ParsedExpr e;
  e.parsed = ParseOk("计算 x = " + text + "\n");
  if (e.parsed.file != nullptr && e.parsed.file->values.size() == 1) e.expr = e.parsed.file->values[0].expr.get();
  EXPECT_NE(e.expr, nullptr) << text;
  return e;
}

std::string SpanText(const Parsed& p, const Span& s) { return p.sources->file(s.file).Slice(s.begin, s.end); }

int32_t Day(const char* text) {
  int32_t d = 0;
  EXPECT_TRUE(ParseDate(text, &d));
  return d;
}

// ---- declarations ----------------------------------------------------------------------

TEST(ParserTest, ParsesHeaderAndImports) {
  Parsed p = Parse(
      "规则集 郑州市农村低保 版本 \"2018.1\" 依据 \"郑民文〔2018〕66号\"\n"
      "导入 \"../henan/henan.heyan\"\n"
      "导入 “city.heyan”\n");
  ASSERT_NE(p.file, nullptr);
  EXPECT_EQ(p.file->name, "郑州市农村低保");
  EXPECT_EQ(p.file->version, "2018.1");
  EXPECT_TRUE(p.file->basis.present);
  EXPECT_EQ(p.file->basis.text, "郑民文〔2018〕66号");
  ASSERT_EQ(p.file->imports.size(), 2u);
  EXPECT_EQ(p.file->imports[0].path, "../henan/henan.heyan");
  EXPECT_EQ(p.file->imports[1].path, "city.heyan");
  EXPECT_EQ(SpanText(p, p.file->name_span), "郑州市农村低保");
}

TEST(ParserTest, HeaderWithoutVersionOrBasis) {
  Parsed p = Parse("ruleset only_name\n");
  ASSERT_NE(p.file, nullptr);
  EXPECT_EQ(p.file->name, "only_name");
  EXPECT_EQ(p.file->version, "");
  EXPECT_FALSE(p.file->basis.present);
}

TEST(ParserTest, ParsesConstantParameter) {
  Parsed p = ParseOk("参数 月低保标准: 金额 单位 \"元/人/月\" = 470元 依据 \"文件\"\n");
  ASSERT_EQ(p.file->params.size(), 1u);
  const ast::ParamDecl& d = p.file->params[0];
  EXPECT_EQ(d.name, "月低保标准");
  EXPECT_EQ(d.type.name, "金额");
  EXPECT_EQ(d.unit, "元/人/月");
  EXPECT_FALSE(d.override_);
  EXPECT_FALSE(d.assumption);
  ASSERT_EQ(d.values.size(), 1u);
  EXPECT_FALSE(d.values[0].dated);
  ASSERT_EQ(d.values[0].value->kind, ExprKind::kLiteral);
  EXPECT_EQ(d.values[0].value->literal.kind, LiteralKind::kMoney);
  EXPECT_EQ(d.values[0].value->literal.rational, (Rational{47000, 1}));
  EXPECT_TRUE(d.values[0].basis.present);
  EXPECT_EQ(d.values[0].basis.text, "文件");
  EXPECT_EQ(SpanText(p, d.name_span), "月低保标准");
}

TEST(ParserTest, ParsesDatedParameter) {
  Parsed p = ParseOk(
      "参数 月低保标准: 金额\n"
      "  自 2017-07-01 起 = 380元 依据 \"a\"\n"
      "  自 2018年1月1日 = 470元\n");
  ASSERT_EQ(p.file->params.size(), 1u);
  const auto& values = p.file->params[0].values;
  ASSERT_EQ(values.size(), 2u);
  EXPECT_TRUE(values[0].dated);
  EXPECT_EQ(values[0].from, Day("2017-07-01"));
  EXPECT_EQ(values[0].value->literal.rational, (Rational{38000, 1}));
  EXPECT_EQ(values[0].basis.text, "a");
  EXPECT_EQ(values[1].from, Day("2018-01-01"));
  EXPECT_FALSE(values[1].basis.present);
  EXPECT_EQ(SpanText(p, values[1].from_span), "2018年1月1日");
}

TEST(ParserTest, ParsesAssumptionOverrideAndListType) {
  Parsed p = ParseOk(
      "覆盖 假设 参数 豁免: 列表<车辆类型> = [摩托车, 残疾人代步车] 依据 \"x\" 理由 \"待确认\"\n");
  ASSERT_EQ(p.file->params.size(), 1u);
  const ast::ParamDecl& d = p.file->params[0];
  EXPECT_TRUE(d.override_);
  EXPECT_TRUE(d.assumption);
  EXPECT_TRUE(d.because.present);
  EXPECT_EQ(d.because.text, "待确认");
  EXPECT_EQ(d.type.name, "列表");
  ASSERT_NE(d.type.arg, nullptr);
  EXPECT_EQ(d.type.arg->name, "车辆类型");
  const ast::Expr& list = *d.values[0].value;
  EXPECT_EQ(list.kind, ExprKind::kList);
  ASSERT_EQ(list.args.size(), 2u);
  EXPECT_EQ(list.args[0]->kind, ExprKind::kName);
  EXPECT_EQ(list.args[0]->text, "摩托车");
  EXPECT_EQ(list.args[1]->text, "残疾人代步车");
}

TEST(ParserTest, ParsesLetAndOutput) {
  Parsed p = ParseOk(
      "计算 人数 = 计数(成员)\n"
      "计算 家庭月收入: 金额 = 0元 依据 \"b\"\n"
      "输出 人均 = 向下取整到分(家庭月收入 / 人数) 记为 per_capita_income\n"
      "覆盖 输出 档次: 文本 = \"A\" 记为 tier 依据 \"c\"\n");
  ASSERT_EQ(p.file->values.size(), 4u);
  const auto& v = p.file->values;
  EXPECT_FALSE(v[0].output);
  EXPECT_FALSE(v[0].has_type);
  EXPECT_EQ(v[0].name, "人数");
  EXPECT_EQ(v[0].expr->kind, ExprKind::kAggregate);
  EXPECT_EQ(v[0].expr->op, Op::kCount);
  EXPECT_TRUE(v[1].has_type);
  EXPECT_EQ(v[1].type.name, "金额");
  EXPECT_EQ(v[1].basis.text, "b");
  EXPECT_TRUE(v[2].output);
  EXPECT_EQ(v[2].key, "per_capita_income");
  EXPECT_EQ(SpanText(p, v[2].key_span), "per_capita_income");
  EXPECT_EQ(v[2].expr->kind, ExprKind::kCall);
  EXPECT_EQ(v[2].expr->text, "向下取整到分");
  EXPECT_TRUE(v[3].override_);
  EXPECT_TRUE(v[3].output);
  EXPECT_EQ(v[3].key, "tier");
  EXPECT_EQ(v[3].basis.text, "c");
}

TEST(ParserTest, ParsesPerItemRuleWithExceptionsAndMessage) {
  Parsed p = ParseOk(
      "规则 R03 \"拥有机动车辆\" 依据 \"豫民〔2021〕5号\"\n"
      "  每个 车辆 在 资产.车辆\n"
      "  当 真\n"
      "  例外 \"普通摩托车\" 依据 \"p\": 车辆.类型 = 摩托车\n"
      "  例外: 车辆.类型 = 车辆类型.残疾人代步车\n"
      "  则 不符合 \"拥有{车辆.类型}，价值 {车辆.价值} 元\"\n");
  ASSERT_EQ(p.file->rules.size(), 1u);
  const ast::RuleDecl& r = p.file->rules[0];
  EXPECT_EQ(r.id, "R03");
  EXPECT_EQ(r.title, "拥有机动车辆");
  EXPECT_EQ(r.basis.text, "豫民〔2021〕5号");
  EXPECT_EQ(r.each_var, "车辆");
  ASSERT_NE(r.each, nullptr);
  EXPECT_EQ(r.each->kind, ExprKind::kField);
  EXPECT_EQ(r.each->text, "车辆");
  EXPECT_EQ(r.each->args[0]->text, "资产");
  EXPECT_EQ(r.condition->literal.kind, LiteralKind::kBool);
  EXPECT_TRUE(r.condition->literal.bool_value);
  ASSERT_EQ(r.exceptions.size(), 2u);
  EXPECT_EQ(r.exceptions[0].title, "普通摩托车");
  EXPECT_EQ(r.exceptions[0].basis.text, "p");
  EXPECT_EQ(r.exceptions[0].condition->op, Op::kEq);
  EXPECT_EQ(r.exceptions[1].title, "");
  EXPECT_FALSE(r.exceptions[1].basis.present);
  EXPECT_EQ(r.outcome, ast::Outcome::kIneligible);
  ASSERT_TRUE(r.message.present);
  ASSERT_EQ(r.message.parts.size(), 5u);
  EXPECT_EQ(r.message.parts[0].text, "拥有");
  ASSERT_NE(r.message.parts[1].expr, nullptr);
  EXPECT_EQ(r.message.parts[1].expr->kind, ExprKind::kField);
  EXPECT_EQ(r.message.parts[1].expr->text, "类型");
  EXPECT_EQ(r.message.parts[2].text, "，价值 ");
  EXPECT_EQ(r.message.parts[3].expr->text, "价值");
  EXPECT_EQ(r.message.parts[4].text, " 元");
  // Interpolated expressions carry spans into the rule file.
  EXPECT_EQ(SpanText(p, r.message.parts[3].expr->span), "车辆.价值");
}

TEST(ParserTest, ParsesEveryOutcomeAndIntegerRuleIds) {
  Parsed p = ParseOk(
      "规则 1 \"a\" 当 真 则 不符合\n"
      "规则 R2 \"b\" 当 真 则 需复核 \"m\"\n"
      "规则 R3 \"c\" 当 真 则 标记\n"
      "规则 R4 \"d\" 当 真 则 缺少材料\n"
      "rule R5 \"e\" when true then missing\n");
  ASSERT_EQ(p.file->rules.size(), 5u);
  EXPECT_EQ(p.file->rules[0].id, "1");
  EXPECT_EQ(p.file->rules[0].outcome, ast::Outcome::kIneligible);
  EXPECT_FALSE(p.file->rules[0].message.present);
  EXPECT_EQ(p.file->rules[1].outcome, ast::Outcome::kReview);
  EXPECT_TRUE(p.file->rules[1].message.present);
  EXPECT_EQ(p.file->rules[2].outcome, ast::Outcome::kFlag);
  EXPECT_EQ(p.file->rules[3].outcome, ast::Outcome::kMissing);
  EXPECT_EQ(p.file->rules[4].outcome, ast::Outcome::kMissing);
}

TEST(ParserTest, MessageBracesEscapesAndQuotes) {
  Parsed p = ParseOk(
      "规则 R1 \"t\" 当 真 则 标记 \"集合 {{a}} 与 \\\"引号\\\" 第{1 + 1}项\"\n"
      "规则 R2 \"t\" 当 真 则 标记 “全角{人数}引号”\n");
  const ast::Message& m = p.file->rules[0].message;
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[0].text, "集合 {a} 与 \"引号\" 第");
  EXPECT_EQ(m.parts[1].expr->op, Op::kAdd);
  EXPECT_EQ(m.parts[2].text, "项");
  const ast::Message& m2 = p.file->rules[1].message;
  ASSERT_EQ(m2.parts.size(), 3u);
  EXPECT_EQ(m2.parts[0].text, "全角");
  EXPECT_EQ(m2.parts[1].expr->text, "人数");
}

TEST(ParserTest, ParsesDisable) {
  Parsed p = ParseOk("停用 规则 R05 依据 \"登封\"\ndisable rule 7\n");
  ASSERT_EQ(p.file->disables.size(), 2u);
  EXPECT_EQ(p.file->disables[0].rule_id, "R05");
  EXPECT_TRUE(p.file->disables[0].basis.present);
  EXPECT_EQ(p.file->disables[1].rule_id, "7");
  EXPECT_FALSE(p.file->disables[1].basis.present);
}

TEST(ParserTest, ParsesDecisionTableCells) {
  Parsed p = ParseOk(
      "决策表 档次: 文本 命中 唯一 依据 \"办法\"\n"
      "  条件 人均, 人数, 来源\n"
      "  行 < 100元, -, 属于 [高龄津贴]          => \"A\"\n"
      "  行 [100元, 200元), >= 3, 不属于 [奖学金] => \"B\" 依据 \"r\"\n"
      "  行 (100元, 200元], ≠ 3, 高龄津贴        → \"C\"\n"
      "  行 [1元, 2元], == 1, = 奖学金           => \"D\"\n"
      "  行 (1元, 2元), != 2, -                  => \"E\"\n"
      "  否则 => \"无\" 依据 \"o\"\n");
  ASSERT_EQ(p.file->tables.size(), 1u);
  const ast::TableDecl& t = p.file->tables[0];
  EXPECT_EQ(t.name, "档次");
  EXPECT_TRUE(t.has_type);
  EXPECT_EQ(t.hit, ast::HitPolicy::kUnique);
  EXPECT_EQ(t.basis.text, "办法");
  ASSERT_EQ(t.inputs.size(), 3u);
  ASSERT_EQ(t.rows.size(), 5u);
  const auto& r0 = t.rows[0].cells;
  ASSERT_EQ(r0.size(), 3u);
  EXPECT_EQ(r0[0].kind, ast::CellKind::kCompare);
  EXPECT_EQ(r0[0].op, Op::kLt);
  EXPECT_EQ(r0[0].a->literal.rational, (Rational{10000, 1}));
  EXPECT_EQ(r0[1].kind, ast::CellKind::kAny);
  EXPECT_EQ(r0[2].kind, ast::CellKind::kIn);
  const auto& r1 = t.rows[1].cells;
  EXPECT_EQ(r1[0].kind, ast::CellKind::kRange);
  EXPECT_TRUE(r1[0].lo_closed);
  EXPECT_FALSE(r1[0].hi_closed);
  EXPECT_EQ(r1[0].b->literal.rational, (Rational{20000, 1}));
  EXPECT_EQ(r1[1].op, Op::kGe);
  EXPECT_EQ(r1[2].kind, ast::CellKind::kNotIn);
  EXPECT_EQ(t.rows[1].basis.text, "r");
  const auto& r2 = t.rows[2].cells;
  EXPECT_FALSE(r2[0].lo_closed);
  EXPECT_TRUE(r2[0].hi_closed);
  EXPECT_EQ(r2[1].op, Op::kNe);
  EXPECT_EQ(r2[2].kind, ast::CellKind::kEqual);
  const auto& r3 = t.rows[3].cells;
  EXPECT_TRUE(r3[0].lo_closed);
  EXPECT_TRUE(r3[0].hi_closed);
  EXPECT_EQ(r3[1].op, Op::kEq);
  EXPECT_EQ(r3[2].kind, ast::CellKind::kCompare);
  EXPECT_EQ(r3[2].op, Op::kEq);
  const auto& r4 = t.rows[4].cells;
  EXPECT_FALSE(r4[0].lo_closed);
  EXPECT_FALSE(r4[0].hi_closed);
  EXPECT_EQ(r4[1].op, Op::kNe);
  ASSERT_NE(t.otherwise, nullptr);
  EXPECT_EQ(t.otherwise->literal.text, "无");
  EXPECT_EQ(t.otherwise_basis.text, "o");
  EXPECT_EQ(t.rows[4].result->literal.text, "E");
}

TEST(ParserTest, ParsesFirstHitTableWithoutTypeOrOtherwise) {
  Parsed p = ParseOk("table t hit first inputs a\n  row - => 1\n");
  ASSERT_EQ(p.file->tables.size(), 1u);
  EXPECT_EQ(p.file->tables[0].hit, ast::HitPolicy::kFirst);
  EXPECT_FALSE(p.file->tables[0].has_type);
  EXPECT_EQ(p.file->tables[0].otherwise, nullptr);
  EXPECT_FALSE(p.file->tables[0].basis.present);
}

TEST(ParserTest, DeclarationsKeepFileOrderAcrossLines) {
  // Line breaks have no meaning: one declaration may span lines, several may share one.
  Parsed p = ParseOk("计算 a = 1 计算 b =\n\n  2\n输出 c = a\n");
  ASSERT_EQ(p.file->values.size(), 3u);
  EXPECT_EQ(p.file->values[0].name, "a");
  EXPECT_EQ(p.file->values[1].name, "b");
  EXPECT_EQ(p.file->values[1].expr->literal.int_value, 2);
  EXPECT_EQ(p.file->values[2].name, "c");
}

// ---- literals --------------------------------------------------------------------------

TEST(ParserTest, MoneyLiteralsAreFen) {
  struct Case {
    const char* text;
    int64_t fen;
  } cases[] = {{"470元", 47000}, {"470.00元", 47000}, {"470.5元", 47050}, {"0.01元", 1},
               {"50分", 50},     {"470yuan", 47000},  {"3.25yuan", 325}, {"50fen", 50},
               // Issue 14: whole yuan from 9.22e14元 up were rejected (a false overflow when
               // scaling to fen in place).
               {"1000000000000000元", 100000000000000000},
               {"92233720368547758元", 9223372036854775800},
               {"92233720368547758.07元", 9223372036854775807},
               {"9223372036854775807分", 9223372036854775807}};
  for (const auto& c : cases) {
    ParsedExpr e = Expr(c.text);
    ASSERT_NE(e.expr, nullptr);
    EXPECT_EQ(e.expr->literal.kind, LiteralKind::kMoney) << c.text;
    EXPECT_EQ(e.expr->literal.rational, (Rational{c.fen, 1})) << c.text;
  }
  // One fen more than the largest amount is an invalid literal, not a wrapped one.
  Parsed p = Parse("规则集 测试\n计算 x = 92233720368547758.08元\n");
  EXPECT_NE(p.Find("E0104"), nullptr);
}

TEST(ParserTest, DecimalAndPercentLiteralsAreExact) {
  struct Case {
    const char* text;
    Rational value;
  } cases[] = {{"70%", {7, 10}}, {"12.5％", {1, 8}}, {"0.3", {3, 10}}, {"1.50", {3, 2}}, {"100%", {1, 1}}};
  for (const auto& c : cases) {
    ParsedExpr e = Expr(c.text);
    ASSERT_NE(e.expr, nullptr);
    EXPECT_EQ(e.expr->literal.kind, LiteralKind::kDecimal) << c.text;
    EXPECT_EQ(e.expr->literal.rational, c.value) << c.text;
  }
  ParsedExpr i = Expr("24");
  EXPECT_EQ(i.expr->literal.kind, LiteralKind::kInt);
  EXPECT_EQ(i.expr->literal.int_value, 24);
}

TEST(ParserTest, DateLiterals) {
  EXPECT_EQ(Expr("2017-07-01").expr->literal.date, Day("2017-07-01"));
  EXPECT_EQ(Expr("2017-07-01").expr->literal.kind, LiteralKind::kDate);
  EXPECT_EQ(Expr("2017年7月1日").expr->literal.date, Day("2017-07-01"));
  EXPECT_EQ(Expr("2020年12月31日").expr->literal.date, Day("2020-12-31"));
}

TEST(ParserTest, DurationLiterals) {
  struct Case {
    const char* text;
    int months, days;
  } cases[] = {{"12个月", 12, 0}, {"3年", 36, 0},      {"30天", 0, 30},   {"5日", 0, 5},
               {"12 months", 12, 0}, {"1 month", 1, 0}, {"1 year", 12, 0}, {"2 years", 24, 0},
               {"7 days", 0, 7},  {"1 day", 0, 1}};
  for (const auto& c : cases) {
    ParsedExpr e = Expr(c.text);
    ASSERT_NE(e.expr, nullptr);
    EXPECT_EQ(e.expr->literal.kind, LiteralKind::kDuration) << c.text;
    EXPECT_EQ(e.expr->literal.duration.months, c.months) << c.text;
    EXPECT_EQ(e.expr->literal.duration.days, c.days) << c.text;
  }
}

TEST(ParserTest, TextAndBooleanLiterals) {
  EXPECT_EQ(Expr("\"a\\\"b\\\\c\\nd\"").expr->literal.text, "a\"b\\c\nd");
  EXPECT_EQ(Expr("“普通摩托车”").expr->literal.text, "普通摩托车");
  EXPECT_EQ(Expr("“a\\b”").expr->literal.text, "a\\b") << "curly quotes have no escapes";
  for (const char* t : {"真", "是", "true"}) {
    ParsedExpr e = Expr(t);
    EXPECT_EQ(e.expr->literal.kind, LiteralKind::kBool) << t;
    EXPECT_TRUE(e.expr->literal.bool_value) << t;
  }
  for (const char* t : {"假", "否", "false"}) {
    ParsedExpr e = Expr(t);
    EXPECT_EQ(e.expr->literal.kind, LiteralKind::kBool) << t;
    EXPECT_FALSE(e.expr->literal.bool_value) << t;
  }
}

// ---- expressions -----------------------------------------------------------------------

TEST(ParserTest, ArithmeticPrecedenceAndAssociativity) {
  ParsedExpr e = Expr("1 + 2 * 3 - 4");
  // (1 + (2 * 3)) - 4
  ASSERT_EQ(e.expr->kind, ExprKind::kBinary);
  EXPECT_EQ(e.expr->op, Op::kSub);
  const ast::Expr& add = *e.expr->args[0];
  EXPECT_EQ(add.op, Op::kAdd);
  EXPECT_EQ(add.args[1]->op, Op::kMul);
  EXPECT_EQ(e.expr->args[1]->literal.int_value, 4);

  ParsedExpr f = Expr("a ÷ b × c");
  EXPECT_EQ(f.expr->op, Op::kMul);
  EXPECT_EQ(f.expr->args[0]->op, Op::kDiv);

  ParsedExpr g = Expr("(1 + 2) * 3");
  EXPECT_EQ(g.expr->op, Op::kMul);
  EXPECT_EQ(g.expr->args[0]->op, Op::kAdd);
}

TEST(ParserTest, UnaryMinusBindsTighterThanMultiplication) {
  ParsedExpr e = Expr("-a * b");
  EXPECT_EQ(e.expr->op, Op::kMul);
  EXPECT_EQ(e.expr->args[0]->kind, ExprKind::kUnary);
  EXPECT_EQ(e.expr->args[0]->op, Op::kNeg);
  ParsedExpr f = Expr("-5元");
  EXPECT_EQ(f.expr->kind, ExprKind::kUnary);
  EXPECT_EQ(f.expr->args[0]->literal.rational, (Rational{500, 1}));
}

TEST(ParserTest, ComparisonOperators) {
  struct Case {
    const char* op;
    Op expected;
  } cases[] = {{"=", Op::kEq},  {"==", Op::kEq}, {"≠", Op::kNe}, {"!=", Op::kNe},
               {"<", Op::kLt},  {"<=", Op::kLe}, {"≤", Op::kLe}, {">", Op::kGt},
               {">=", Op::kGe}, {"≥", Op::kGe}};
  for (const auto& c : cases) {
    ParsedExpr e = Expr(std::string("a + 1 ") + c.op + " b");
    ASSERT_NE(e.expr, nullptr);
    EXPECT_EQ(e.expr->op, c.expected) << c.op;
    EXPECT_EQ(e.expr->args[0]->op, Op::kAdd) << c.op;
  }
}

TEST(ParserTest, MembershipOperators) {
  EXPECT_EQ(Expr("来源 属于 [高龄津贴]").expr->op, Op::kIn);
  EXPECT_EQ(Expr("来源 in [高龄津贴]").expr->op, Op::kIn);
  EXPECT_EQ(Expr("来源 不属于 列表").expr->op, Op::kNotIn);
  EXPECT_EQ(Expr("来源 not in 列表").expr->op, Op::kNotIn);
  EXPECT_EQ(Expr("来源 并非 属于 列表").expr->op, Op::kNotIn);
  // Membership is looser than comparison: (a = b) 属于 L.
  ParsedExpr e = Expr("a = b 属于 L");
  EXPECT_EQ(e.expr->op, Op::kIn);
  EXPECT_EQ(e.expr->args[0]->op, Op::kEq);
}

TEST(ParserTest, LogicPrecedence) {
  ParsedExpr a = Expr("并非 a 并且 b");
  EXPECT_EQ(a.expr->op, Op::kAnd);
  EXPECT_EQ(a.expr->args[0]->op, Op::kNot);
  ParsedExpr b = Expr("并非 a = b");
  EXPECT_EQ(b.expr->op, Op::kNot);
  EXPECT_EQ(b.expr->args[0]->op, Op::kEq);
  ParsedExpr c = Expr("a 或者 b 并且 c");
  EXPECT_EQ(c.expr->op, Op::kOr);
  EXPECT_EQ(c.expr->args[1]->op, Op::kAnd);
  ParsedExpr d = Expr("a 或 b 且 c");
  EXPECT_EQ(d.expr->op, Op::kOr);
  EXPECT_EQ(d.expr->args[1]->op, Op::kAnd);
  ParsedExpr e = Expr("not a and b or c");
  EXPECT_EQ(e.expr->op, Op::kOr);
  EXPECT_EQ(e.expr->args[0]->op, Op::kAnd);
  EXPECT_EQ(e.expr->args[0]->args[0]->op, Op::kNot);
}

TEST(ParserTest, QuantifierTakesInTheWholeCondition) {
  ParsedExpr e = Expr("任一 成员 满足 a 并且 b");
  ASSERT_EQ(e.expr->kind, ExprKind::kQuantifier);
  EXPECT_EQ(e.expr->op, Op::kAny);
  EXPECT_EQ(e.expr->var, "");
  EXPECT_EQ(e.expr->args[0]->text, "成员");
  EXPECT_EQ(e.expr->args[1]->op, Op::kAnd);

  ParsedExpr f = Expr("所有 人 在 成员 其中 共同生活 满足 人.重病");
  EXPECT_EQ(f.expr->op, Op::kAll);
  EXPECT_EQ(f.expr->var, "人");
  EXPECT_EQ(SpanText(f.parsed, f.expr->var_span), "人");
  EXPECT_EQ(f.expr->args[0]->kind, ExprKind::kWhere);
  EXPECT_EQ(f.expr->args[1]->kind, ExprKind::kField);

  ParsedExpr g = Expr("any p in members satisfies p.major_illness");
  EXPECT_EQ(g.expr->op, Op::kAny);
  EXPECT_EQ(g.expr->var, "p");

  ParsedExpr h = Expr("(任一 成员 满足 a) 并且 b");
  EXPECT_EQ(h.expr->op, Op::kAnd);
  EXPECT_EQ(h.expr->args[0]->kind, ExprKind::kQuantifier);
}

TEST(ParserTest, WhereBindsLoosest) {
  ParsedExpr e = Expr("成员.收入 其中 来源 = 务工收入 并且 金额 > 0元");
  ASSERT_EQ(e.expr->kind, ExprKind::kWhere);
  EXPECT_EQ(e.expr->args[0]->kind, ExprKind::kField);
  EXPECT_EQ(e.expr->args[1]->op, Op::kAnd);
  ParsedExpr f = Expr("合计(成员.收入 其中 来源 = 务工收入: 金额)");
  ASSERT_EQ(f.expr->kind, ExprKind::kAggregate);
  EXPECT_EQ(f.expr->op, Op::kSum);
  ASSERT_EQ(f.expr->args.size(), 2u);
  EXPECT_EQ(f.expr->args[0]->kind, ExprKind::kWhere);
  EXPECT_EQ(f.expr->args[1]->text, "金额");
}

TEST(ParserTest, IfThenElse) {
  ParsedExpr e = Expr("如果 c 则 1元 否则 如果 d 则 2元 否则 3元");
  ASSERT_EQ(e.expr->kind, ExprKind::kIf);
  ASSERT_EQ(e.expr->args.size(), 3u);
  EXPECT_EQ(e.expr->args[0]->text, "c");
  EXPECT_EQ(e.expr->args[2]->kind, ExprKind::kIf);
  ParsedExpr f = Expr("if a then 1 else 2");
  EXPECT_EQ(f.expr->kind, ExprKind::kIf);
}

TEST(ParserTest, AggregatesCallsFieldsAndIndex) {
  ParsedExpr s = Expr("合计(L)");
  EXPECT_EQ(s.expr->op, Op::kSum);
  EXPECT_EQ(s.expr->args.size(), 1u);
  EXPECT_EQ(Expr("最小(L: x)").expr->op, Op::kMin);
  EXPECT_EQ(Expr("最大(L)").expr->op, Op::kMax);
  EXPECT_EQ(Expr("sum(L: x)").expr->op, Op::kSum);
  EXPECT_EQ(Expr("count(L)").expr->op, Op::kCount);
  EXPECT_EQ(Expr("计数(L)").expr->op, Op::kCount);

  ParsedExpr c = Expr("年龄(出生日期, 评估日期)");
  ASSERT_EQ(c.expr->kind, ExprKind::kCall);
  EXPECT_EQ(c.expr->text, "年龄");
  EXPECT_EQ(c.expr->args.size(), 2u);
  EXPECT_EQ(SpanText(c.parsed, c.expr->var_span), "年龄");
  EXPECT_EQ(Expr("f()").expr->args.size(), 0u);

  ParsedExpr x = Expr("登记册.车辆登记[成员.身份证号].价值");
  ASSERT_EQ(x.expr->kind, ExprKind::kField);
  EXPECT_EQ(x.expr->text, "价值");
  const ast::Expr& index = *x.expr->args[0];
  ASSERT_EQ(index.kind, ExprKind::kIndex);
  EXPECT_EQ(index.args[0]->kind, ExprKind::kField);
  EXPECT_EQ(index.args[0]->text, "车辆登记");
  EXPECT_EQ(index.args[0]->args[0]->text, "登记册");
  EXPECT_EQ(index.args[1]->text, "身份证号");
}

TEST(ParserTest, ListsIncludingEmptyAndFullWidth) {
  EXPECT_EQ(Expr("[]").expr->args.size(), 0u);
  ParsedExpr e = Expr("【1、2，3】");
  ASSERT_EQ(e.expr->kind, ExprKind::kList);
  ASSERT_EQ(e.expr->args.size(), 3u);
  EXPECT_EQ(e.expr->args[2]->literal.int_value, 3);
}

TEST(ParserTest, FullWidthPunctuation) {
  Parsed p = ParseOk(
      "参数 X：整数 = 1\n"
      "计算 Y：金额 = 四舍五入到分（月低保标准 × 70％） 依据 “全角”\n"
      "规则 R1 “标题” 当 X ≥ 1 则 标记 “好”\n");
  ASSERT_EQ(p.file->values.size(), 1u);
  const ast::Expr& call = *p.file->values[0].expr;
  EXPECT_EQ(call.kind, ExprKind::kCall);
  ASSERT_EQ(call.args.size(), 1u);
  EXPECT_EQ(call.args[0]->op, Op::kMul);
  EXPECT_EQ(call.args[0]->args[1]->literal.rational, (Rational{7, 10}));
  EXPECT_EQ(p.file->values[0].basis.text, "全角");
  EXPECT_EQ(p.file->rules[0].title, "标题");
  EXPECT_EQ(p.file->rules[0].condition->op, Op::kGe);
  // The ideographic space U+3000 is white space.
  Parsed q = ParseOk("计算\xE3\x80\x80z = 1\n");
  EXPECT_EQ(q.file->values[0].name, "z");
}

TEST(ParserTest, EnglishKeywords) {
  Parsed p = Parse(
      "ruleset en version \"1\" basis \"b\"\n"
      "import \"x.heyan\"\n"
      "parameter s: money unit \"yuan\" from 2022-01-01 onwards = 420yuan basis \"a\"\n"
      "assumption parameter k: int = 2 because \"r\"\n"
      "override let h = members where lives_together basis \"o\"\n"
      "output o: money = round_down_fen(s) as benefit\n"
      "rule R1 \"t\" basis \"c\" each v in assets.vehicles when true except \"e\" basis \"d\": v.kind = MOTORCYCLE then ineligible \"m\"\n"
      "table tt: text hit unique inputs s row < 1yuan => \"A\" otherwise => \"B\"\n");
  ASSERT_NE(p.file, nullptr);
  EXPECT_THAT(p.codes(), IsEmpty());
  EXPECT_EQ(p.file->name, "en");
  EXPECT_EQ(p.file->imports.size(), 1u);
  ASSERT_EQ(p.file->params.size(), 2u);
  EXPECT_EQ(p.file->params[0].values[0].from, Day("2022-01-01"));
  EXPECT_TRUE(p.file->params[1].assumption);
  ASSERT_EQ(p.file->values.size(), 2u);
  EXPECT_TRUE(p.file->values[0].override_);
  EXPECT_EQ(p.file->values[0].expr->kind, ExprKind::kWhere);
  EXPECT_EQ(p.file->values[1].key, "benefit");
  ASSERT_EQ(p.file->rules.size(), 1u);
  EXPECT_EQ(p.file->rules[0].each_var, "v");
  EXPECT_EQ(p.file->rules[0].exceptions.size(), 1u);
  ASSERT_EQ(p.file->tables.size(), 1u);
  EXPECT_NE(p.file->tables[0].otherwise, nullptr);
}

TEST(ParserTest, NamesThatStartWithKeywordsAreNames) {
  ParsedExpr e = Expr("行政村 + 在校情况 + 是否残疾 + as_of + rules + Rule");
  ASSERT_NE(e.expr, nullptr);
  const ast::Expr* x = e.expr;
  std::vector<std::string> names;
  while (x->kind == ExprKind::kBinary) {
    names.insert(names.begin(), x->args[1]->text);
    x = x->args[0].get();
  }
  names.insert(names.begin(), x->text);
  EXPECT_THAT(names, ElementsAre("行政村", "在校情况", "是否残疾", "as_of", "rules", "Rule"));
}

TEST(ParserTest, CommentsAndByteOrderMark) {
  Parsed p = ParseOk(
      "# 注释\n"
      "计算 a = 1 // 行尾注释 \"不是字符串\n"
      "计算 b = \"# 不是注释 // 也不是\"\n");
  ASSERT_EQ(p.file->values.size(), 2u);
  EXPECT_EQ(p.file->values[1].expr->literal.text, "# 不是注释 // 也不是");
  Parsed bom = Parse("\xEF\xBB\xBF规则集 有BOM\n");
  ASSERT_NE(bom.file, nullptr);
  EXPECT_EQ(bom.file->name, "有BOM");
}

TEST(ParserTest, ExprSpansCountCharacters) {
  Parsed p = ParseOk("计算 人均月收入 = 家庭月收入 / 人数\n");
  const ast::Expr& e = *p.file->values[0].expr;
  // "规则集 测试\n" is line 1; the expression starts after "计算 人均月收入 = ".
  int line, column;
  p.sources->file(0).Locate(e.span.begin, &line, &column);
  EXPECT_EQ(line, 2);
  EXPECT_EQ(column, 12);
  EXPECT_EQ(SpanText(p, e.span), "家庭月收入 / 人数");
  EXPECT_EQ(SpanText(p, e.args[1]->span), "人数");
}

// ---- syntax errors ---------------------------------------------------------------------

TEST(ParserTest, SyntaxErrorHasLineAndCharacterColumn) {
  // Missing title: the error is at 当 (line 2, column 8: 规 则 _ R 0 1 _ 当).
  Parsed p = Parse("规则集 测试\n规则 R01 当 真 则 不符合\n");
  // The broken rule is left out; the file is kept (incomplete) so that the rest can be
  // checked in the same run, and R01 is known to be defined there.
  ASSERT_NE(p.file, nullptr);
  EXPECT_TRUE(p.file->incomplete);
  EXPECT_TRUE(p.file->rules.empty());
  EXPECT_THAT(p.file->unparsed_rule_ids, ElementsAre("R01"));
  const Diagnostic* d = p.Find("E0101");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 8);
  EXPECT_EQ(d->length, 1);
  EXPECT_EQ(d->file, "t.heyan");
  EXPECT_EQ(d->source_line, "规则 R01 当 真 则 不符合");
  EXPECT_THAT(d->message_zh, HasSubstr("“当”"));
  EXPECT_THAT(d->message_zh, HasSubstr("带引号的文字"));
  EXPECT_THAT(d->message_en, HasSubstr("'当'"));
}

TEST(ParserTest, MissingHeaderIsSyntaxError) {
  Parsed p = Parse("参数 X: 整数 = 1\n");
  EXPECT_EQ(p.file, nullptr);
  const Diagnostic* d = p.Find("E0101");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 1);
  EXPECT_EQ(d->column, 1);
  EXPECT_THAT(d->message_zh, HasSubstr("规则集"));
}

TEST(ParserTest, ErrorAtEndOfFile) {
  Parsed p = Parse("规则集 测试\n计算 a =");
  ASSERT_NE(p.Find("E0101"), nullptr);
  EXPECT_THAT(p.Find("E0101")->message_zh, HasSubstr("文件结尾"));
  EXPECT_EQ(p.Find("E0101")->line, 2);
}

TEST(ParserTest, MisspeltKeywordGetsSuggestion) {
  Parsed p = Parse("规则集 测试\n规责 R01 \"标题\" 当 真 则 不符合\n");
  const Diagnostic* d = p.Find("E0101");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 1);
  EXPECT_EQ(d->length, 2);
  EXPECT_EQ(d->suggestion, "规则");
}

TEST(ParserTest, GluedKeywordGetsSuggestion) {
  Parsed p = Parse("规则集 测试\n规则R02 \"标题\" 当 真 则 不符合\n");
  const Diagnostic* d = p.Find("E0101");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->column, 1);
  EXPECT_EQ(d->length, 5);
  EXPECT_EQ(d->suggestion, "规则 R02");
}

TEST(ParserTest, ReportsSeveralSyntaxErrorsButStops) {
  std::string text = "规则集 测试\n";
  for (int i = 0; i < 100; ++i) text += "计算 = 1\n";
  Parsed p = Parse(text);
  EXPECT_EQ(p.file, nullptr);
  EXPECT_GE(p.diagnostics.size(), 2u);
  EXPECT_LE(p.diagnostics.size(), 30u);
}

TEST(ParserTest, DisallowedCharacterIsE0102) {
  Parsed p = Parse("规则集 测试\n参数 X: 金额 ＝ 380元\n");
  ASSERT_NE(p.file, nullptr);
  EXPECT_TRUE(p.file->incomplete);
  EXPECT_TRUE(p.file->params.empty()) << "the declaration with the bad character is left out";
  EXPECT_THAT(p.file->unparsed_names, ElementsAre("X"));
  const Diagnostic* d = p.Find("E0102");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 10);
  EXPECT_THAT(d->message_zh, HasSubstr("＝"));
  EXPECT_EQ(d->suggestion, "=") << "full-width forms name the character to use";
  Parsed q = Parse("规则集 测试\n计算 a = 1；\n");
  ASSERT_NE(q.Find("E0102"), nullptr);
  EXPECT_EQ(q.Find("E0102")->column, 9);
}

TEST(ParserTest, UnterminatedStringIsE0103) {
  Parsed p = Parse("规则集 测试\n规则 R1 \"t\" 当 真 则 不符合 \"收入超标\n计算 a = 1\n");
  // The rule with the open quote is left out; the next line's declaration is still whole.
  ASSERT_NE(p.file, nullptr);
  EXPECT_TRUE(p.file->incomplete);
  EXPECT_TRUE(p.file->rules.empty());
  ASSERT_EQ(p.file->values.size(), 1u);
  EXPECT_EQ(p.file->values[0].name, "a");
  const Diagnostic* d = p.Find("E0103");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 21);
  Parsed q = Parse("规则集 测试 版本 “1.0\n");
  ASSERT_NE(q.Find("E0103"), nullptr);
}

TEST(ParserTest, InvalidLiteralsAreE0104) {
  Parsed p = Parse("规则集 测试\n参数 X: 金额 自 2017-13-40 起 = 1元\n");
  const Diagnostic* d = p.Find("E0104");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 12);
  EXPECT_EQ(d->length, 10);

  Parsed q = Parse("规则集 测试\n计算 d = 2017年2月30日\n");
  ASSERT_NE(q.Find("E0104"), nullptr);
  EXPECT_THAT(q.Find("E0104")->message_zh, HasSubstr("2017年2月30日"));

  Parsed r = Parse("规则集 测试\n计算 m = 333.335元\n");
  ASSERT_NE(r.Find("E0104"), nullptr);
  EXPECT_THAT(r.Find("E0104")->message_zh, HasSubstr("整分"));

  Parsed s = Parse("规则集 测试\n计算 i = 99999999999999999999\n");
  ASSERT_NE(s.Find("E0104"), nullptr);
}

TEST(ParserTest, BadPlaceholderIsE0105) {
  Parsed p = Parse("规则集 测试\n规则 R1 \"t\" 当 真 则 不符合 \"价值 {车辆.价值 +} 元\"\n");
  const Diagnostic* d = p.Find("E0105");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  // The error points into the message, at the closing brace after '+'.
  EXPECT_EQ(d->column, 33);
  EXPECT_THAT(d->message_zh, HasSubstr("占位符"));
  EXPECT_THAT(d->message_zh, HasSubstr("“}”"));
  Parsed q = Parse("规则集 测试\n规则 R1 \"t\" 当 真 则 不符合 \"价值 {车辆.价值\"\n");
  ASSERT_NE(q.Find("E0105"), nullptr);
  EXPECT_EQ(q.Find("E0105")->column, 25);
  EXPECT_EQ(q.Find("E0101"), nullptr);
}

TEST(ParserTest, NestingLimitIsE0004) {
  auto nested = [](int depth) {
    return "规则集 测试\n计算 a = " + std::string(depth, '(') + "1" + std::string(depth, ')') + "\n";
  };
  EXPECT_THAT(Parse(nested(64)).codes(), IsEmpty());
  Parsed p = Parse(nested(65));
  EXPECT_EQ(p.file, nullptr);
  const Diagnostic* d = p.Find("E0004");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 7 + 65);
  ParseLimits limits;
  limits.max_nesting_depth = 3;
  EXPECT_NE(Parse(nested(4), limits).Find("E0004"), nullptr);
  EXPECT_THAT(Parse(nested(3), limits).codes(), IsEmpty());
}

TEST(ParserTest, TenThousandNestedBracketsDoNotCrash) {
  Parsed p = Parse("规则集 测试\n计算 a = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n");
  EXPECT_EQ(p.file, nullptr);
  EXPECT_NE(p.Find("E0004"), nullptr);
  Parsed q = Parse("规则集 测试\n计算 a = " + std::string(10000, '[') + "\n");
  EXPECT_NE(q.Find("E0004"), nullptr);
}

TEST(ParserTest, DeeplyNestedOperatorsWithoutBracketsDoNotCrash) {
  // Sub-expressions nest without brackets too: unary operators and conditionals. A file of
  // one million "-" (just under 1 MiB) used to overflow the parser's stack.
  Parsed deep = Parse("规则集 测试\n计算 a = " + std::string(1000000, '-') + "1\n");
  EXPECT_EQ(deep.file, nullptr);
  EXPECT_NE(deep.Find("E0004"), nullptr);

  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "并非 ";
  Parsed p = Parse("规则集 测试\n计算 a = " + nots + "真\n");
  EXPECT_EQ(p.file, nullptr);
  EXPECT_NE(p.Find("E0004"), nullptr);

  std::string minus(10000, '-');
  Parsed q = Parse("规则集 测试\n计算 a = " + minus + "1\n");
  EXPECT_EQ(q.file, nullptr);
  EXPECT_NE(q.Find("E0004"), nullptr);

  std::string ifs;
  for (int i = 0; i < 40000; ++i) ifs += "如果 c 则 1 否则 ";  // 880 KB
  Parsed r = Parse("规则集 测试\n计算 a = " + ifs + "0\n");
  EXPECT_EQ(r.file, nullptr);
  EXPECT_NE(r.Find("E0004"), nullptr);
}

// Depth and leaf count of a binary-operator tree, without recursion.
struct TreeShape {
  int depth = 0;
  int leaves = 0;
};
TreeShape Shape(const ast::Expr& root, ast::Op op) {
  TreeShape shape;
  std::vector<std::pair<const ast::Expr*, int>> stack = {{&root, 1}};
  while (!stack.empty()) {
    auto [e, d] = stack.back();
    stack.pop_back();
    shape.depth = std::max(shape.depth, d);
    if (e->kind == ExprKind::kBinary && e->op == op) {
      for (const auto& a : e->args) stack.push_back({a.get(), d + 1});
    } else {
      ++shape.leaves;
    }
  }
  return shape;
}

TEST(ParserTest, LongFlatChainsAreRegroupedIntoBalancedTrees) {
  // Issue 14: a 600-term sum was a 600-deep tree that crashed later stages. Chains of one
  // associative operator longer than 8 are regrouped; 1,000 and 20,000 operands are fine.
  for (int n : {1000, 20000}) {
    std::string sum = "1元";
    for (int i = 1; i < n; ++i) sum += " + 1元";
    Parsed p = Parse("规则集 测试\n计算 a = " + sum + "\n");
    ASSERT_NE(p.file, nullptr) << n;
    EXPECT_THAT(p.codes(), IsEmpty());
    const ast::Expr& root = *p.file->values[0].expr;
    TreeShape shape = Shape(root, Op::kAdd);
    EXPECT_EQ(shape.leaves, n);
    EXPECT_LE(shape.depth, 1 + static_cast<int>(std::ceil(std::log2(n)))) << n;
    EXPECT_TRUE(root.regrouped);
    EXPECT_EQ(root.chain_operands, n);
    EXPECT_EQ(SpanText(p, root.span), sum) << "the root covers the whole chain";
  }
  for (const char* op : {" * ", " 并且 ", " 或者 "}) {
    std::string chain = "x";
    for (int i = 1; i < 600; ++i) chain += op + std::string("x");
    Parsed p = Parse("规则集 测试\n计算 a = " + chain + "\n");
    ASSERT_NE(p.file, nullptr) << op;
    EXPECT_THAT(p.codes(), IsEmpty()) << op;
    EXPECT_EQ(p.file->values[0].expr->chain_operands, 600) << op;
  }
}

TEST(ParserTest, ShortChainsKeepTheirShapeAndRegroupedSpansKeepBrackets) {
  // Eight operands: left to right as written, nothing regrouped.
  ParsedExpr e = Expr("a + b + c + d + e + f + g + h");
  ASSERT_NE(e.expr, nullptr);
  EXPECT_FALSE(e.expr->regrouped);
  EXPECT_EQ(e.expr->chain_operands, 0);
  EXPECT_EQ(SpanText(e.parsed, e.expr->args[0]->span), "a + b + c + d + e + f + g");
  EXPECT_EQ(e.expr->args[1]->text, "h");
  // Nine: balanced, (a..e) + (f..i), and a regrouped part's span includes the brackets
  // around its first and last operands.
  ParsedExpr nine = Expr("(a) + b + c + d + e + f + g + h + (i)");
  ASSERT_NE(nine.expr, nullptr);
  EXPECT_EQ(nine.expr->chain_operands, 9);
  ASSERT_EQ(nine.expr->args.size(), 2u);
  EXPECT_EQ(SpanText(nine.parsed, nine.expr->args[0]->span), "(a) + b + c + d + e");
  EXPECT_EQ(SpanText(nine.parsed, nine.expr->args[1]->span), "f + g + h + (i)");
  EXPECT_TRUE(nine.expr->args[1]->regrouped);
  EXPECT_EQ(nine.expr->args[1]->chain_operands, 0);
  // Subtraction is not associative: left as written.
  ParsedExpr minus = Expr("a - b - c - d - e - f - g - h - i - j");
  ASSERT_NE(minus.expr, nullptr);
  EXPECT_FALSE(minus.expr->regrouped);
  EXPECT_EQ(Shape(*minus.expr, Op::kSub).depth, 10);
}

TEST(ParserTest, DeepNonAssociativeChainsAreE0004) {
  // 64 levels is the limit: "1 - 1 - …" with 63 operators nests 64 deep.
  auto minus = [](int operators) {
    std::string e = "1";
    for (int i = 0; i < operators; ++i) e += " - 1";
    return "规则集 测试\n计算 a = " + e + "\n";
  };
  EXPECT_THAT(Parse(minus(63)).codes(), IsEmpty());
  Parsed p = Parse(minus(64));
  const Diagnostic* d = p.Find("E0004");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_THAT(d->message_zh, HasSubstr("表达式嵌套超过 64 层"));
  // 20,000 operators: E0004, not a crash; and field chains likewise.
  EXPECT_NE(Parse(minus(20000)).Find("E0004"), nullptr);
  std::string fields = "申请";
  for (int i = 0; i < 5000; ++i) fields += ".成员";
  EXPECT_NE(Parse("规则集 测试\n计算 a = " + fields + "\n").Find("E0004"), nullptr);
  ParseLimits limits;
  limits.max_nesting_depth = 3;
  EXPECT_NE(Parse("规则集 测试\n计算 a = 1 - 2 - 3 - 4\n", limits).Find("E0004"), nullptr);
  EXPECT_THAT(Parse("规则集 测试\n计算 a = 1 - 2 - 3\n", limits).codes(), IsEmpty());
}

TEST(ParserTest, FileSizeLimitIsE0003) {
  std::string text = "规则集 测试\n# " + std::string(2000, 'x') + "\n";
  ParseLimits limits;
  limits.max_source_bytes = 1000;
  Parsed p = Parse(text, limits);
  EXPECT_EQ(p.file, nullptr);
  const Diagnostic* d = p.Find("E0003");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 1);
  EXPECT_THAT(d->message_zh, HasSubstr("1000"));
  limits.max_source_bytes = text.size();
  EXPECT_THAT(Parse(text, limits).codes(), IsEmpty());
}

TEST(ParserTest, DefaultFileSizeLimitIsOneMebibyte) {
  std::string text = "规则集 测试\n";
  text += std::string((1 << 20) - text.size() - 1, ' ') + "\n";
  EXPECT_EQ(text.size(), 1u << 20);
  EXPECT_THAT(Parse(text).codes(), IsEmpty());
  text += " ";
  EXPECT_NE(Parse(text).Find("E0003"), nullptr);
}

TEST(ParserTest, InvalidUtf8IsRejectedWithPosition) {
  Parsed p = Parse("规则集 测试\n计算 a = \"\xFF\xFE\"\n");
  EXPECT_EQ(p.file, nullptr);
  const Diagnostic* d = p.Find("E0102");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2);
  EXPECT_EQ(d->column, 9);
  EXPECT_THAT(d->message_zh, HasSubstr("UTF-8"));
  // A truncated multi-byte sequence at the very end.
  Parsed q = Parse("规则集 测试\n\xE5\x85");
  EXPECT_NE(q.Find("E0102"), nullptr);
}

TEST(ParserTest, StandaloneExpression) {
  SourceSet sources;
  int file = sources.Add("<参数>", "[摩托车, 农用三轮车]");
  DiagnosticSink sink(&sources);
  int next_id = 1;
  auto e = ParseStandaloneExpression(sources, file, {}, &next_id, &sink);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kList);
  EXPECT_EQ(e->args.size(), 2u);
  EXPECT_GT(next_id, 1);

  int bad = sources.Add("<参数>", "450元 元");
  EXPECT_EQ(ParseStandaloneExpression(sources, bad, {}, &next_id, &sink), nullptr);
  EXPECT_TRUE(sink.has_errors());
}

}  // namespace
}  // namespace heyan::internal
