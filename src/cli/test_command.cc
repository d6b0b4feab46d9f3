// heyan test: runs the test cases (测试案例) that sit beside rule files.
//
//   heyan test DIR|FILE... [--coverage] [--lang=en] [--verbose]
//
// A case is one file in protobuf text format (*.textproto, *.txtpb, *.pbtxt) holding a
// heyan.v1.TestCase (proto/heyan/v1/testcase.proto): the rule file it tests, an
// application, registry records and the expected decision. Field names and enum values may
// be written in Chinese (their `zh` / `zh_value` options); before protobuf parses the text,
// a small translator replaces them by the proto names and turns money and area values with
// units (1000元, 50分, 1.5亩) into the stored integers. Line numbers are kept, so every
// message names `file:line`.
//
// Each rule set (entry file + parameter overrides) is compiled once. Every case is
// evaluated with a trace; a failing case prints its checks side by side (expected vs
// actual) and the decision it got. `--coverage` lists every rule, rule exception, dated
// parameter value and decision-table row that no case exercised. The last line is always
// "通过 N 个，失败 N 个" ("N passed, N failed" with --lang=en); the exit status is 1 when a
// case fails or cannot be read.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/test_case.h"
#include "cli/test_coverage.h"
#include "common/text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/decision.pb.h"
#include "heyan/v1/options.pb.h"
#include "heyan/v1/testcase.pb.h"
#include "io/input_file.h"

namespace heyan::cli {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;

bool g_en = false;
const char* L(const char* zh, const char* en) { return g_en ? en : zh; }

// ---- display helpers --------------------------------------------------------------------

// Terminal columns of a UTF-8 string: East Asian wide characters take two.
int DisplayWidth(std::string_view s) {
  int w = 0;
  for (char32_t c : internal::DecodeUtf8(s)) {
    const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
                      (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                      (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                      (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
    w += wide ? 2 : 1;
  }
  return w;
}

std::string Pad(std::string_view s, int width) {
  std::string out(s);
  for (int w = DisplayWidth(s); w < width; ++w) out += ' ';
  return out;
}

std::string Yuan(int64_t fen) {
  const bool neg = fen < 0;
  const uint64_t a = neg ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string cents = absl::StrCat(a % 100);
  if (cents.size() < 2) cents = "0" + cents;
  return absl::StrCat(neg ? "-" : "", a / 100, ".", cents, "元");
}

// ---- loading cases ----------------------------------------------------------------------

struct Case {
  std::string path;  // as found (relative to the working directory when given so)
  v1::TestCase test;
  std::unique_ptr<TextFormat::ParseInfoTree> locations = std::make_unique<TextFormat::ParseInfoTree>();
  std::vector<LineError> errors;
};

bool IsCaseFile(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt";
}

void LoadCase(Case* c) { ReadTestCase(c->path, g_en, &c->test, c->locations.get(), &c->errors); }

// Line (1-based) of `field` (index `index` if repeated) inside `tree`, or 0.
int LineOf(const TextFormat::ParseInfoTree* tree, const Descriptor* d, const char* field, int index = -1) {
  if (tree == nullptr) return 0;
  const FieldDescriptor* f = d->FindFieldByName(field);
  if (f == nullptr) return 0;
  auto loc = tree->GetLocation(f, f->is_repeated() ? std::max(index, 0) : -1);
  return loc.line >= 0 ? loc.line + 1 : 0;
}

// ---- rule sets ----------------------------------------------------------------------------

struct RuleSet {
  std::string key;
  std::string entry;  // path of the entry rule file
  std::shared_ptr<const Program> program;
  std::vector<Diagnostic> diagnostics;
  std::string status;  // compiler could not run
  std::set<std::string> overridden;  // parameter names replaced for this compile
};

// ---- checking one case ------------------------------------------------------------------

struct Row {
  int line = 0;
  std::string item, expected, actual;
};

const char* OutcomeText(v1::Outcome o) {
  switch (o) {
    case v1::ELIGIBLE: return L("符合", "eligible");
    case v1::INELIGIBLE: return L("不符合", "ineligible");
    case v1::NEEDS_REVIEW: return L("需复核", "needs review");
    case v1::MISSING_EVIDENCE: return L("缺少材料", "missing evidence");
    default: return L("（无）", "(none)");
  }
}

const char* KindText(v1::ReasonKind k) {
  switch (k) {
    case v1::REASON_INELIGIBLE: return L("不符合", "ineligible");
    case v1::REASON_NEEDS_REVIEW: return L("需复核", "review");
    case v1::REASON_FLAG: return L("标记", "flag");
    case v1::REASON_MISSING_EVIDENCE: return L("缺少材料", "missing");
    default: return "?";
  }
}

v1::Outcome ToOutcome(v1::ExpectedOutcome o) {
  switch (o) {
    case v1::EXPECT_ELIGIBLE: return v1::ELIGIBLE;
    case v1::EXPECT_INELIGIBLE: return v1::INELIGIBLE;
    case v1::EXPECT_NEEDS_REVIEW: return v1::NEEDS_REVIEW;
    case v1::EXPECT_MISSING_EVIDENCE: return v1::MISSING_EVIDENCE;
    default: return v1::OUTCOME_UNSPECIFIED;
  }
}

std::vector<Row> Check(const Case& c, const v1::Decision& decision) {
  std::vector<Row> rows;
  const v1::Expectation& e = c.test.expect();
  const TextFormat::ParseInfoTree* root = c.locations.get();
  const FieldDescriptor* expect_field = v1::TestCase::descriptor()->FindFieldByName("expect");
  const TextFormat::ParseInfoTree* tree = root->GetTreeForNested(expect_field, -1);
  const Descriptor* ed = v1::Expectation::descriptor();
  auto line = [&](const char* field, int index = -1) { return LineOf(tree, ed, field, index); };

  std::map<std::string, const v1::Reason*> reasons;
  for (const v1::Reason& r : decision.reasons()) reasons.emplace(r.rule_id(), &r);
  std::map<std::string, std::string> traced;  // rule id -> trace result
  for (const v1::TraceStep& s : decision.trace()) {
    if (s.kind() == "rule") traced.emplace(s.name(), s.result());
  }
  auto rule_state = [&](const std::string& id) -> std::string {
    auto r = reasons.find(id);
    if (r != reasons.end()) return absl::StrCat(L("适用（", "applies ("), KindText(r->second->kind()), L("）", ")"));
    auto t = traced.find(id);
    if (t == traced.end()) return L("（规则集中没有这条规则）", "(no such rule in the rule set)");
    return t->second == "不适用" ? std::string(L("不适用", "does not apply")) : t->second;
  };

  if (e.outcome() != v1::EXPECT_OUTCOME_UNSPECIFIED && ToOutcome(e.outcome()) != decision.outcome()) {
    rows.push_back({line("outcome"), L("结论", "outcome"), OutcomeText(ToOutcome(e.outcome())), OutcomeText(decision.outcome())});
  }
  for (int i = 0; i < e.applies_size(); ++i) {
    if (!reasons.count(e.applies(i))) {
      rows.push_back({line("applies", i), absl::StrCat(L("规则 ", "rule "), e.applies(i)), L("适用", "applies"), rule_state(e.applies(i))});
    }
  }
  for (int i = 0; i < e.not_applies_size(); ++i) {
    if (reasons.count(e.not_applies(i))) {
      rows.push_back({line("not_applies", i), absl::StrCat(L("规则 ", "rule "), e.not_applies(i)), L("不适用", "does not apply"), rule_state(e.not_applies(i))});
    }
  }
  if (e.only_listed()) {
    std::set<std::string> listed(e.applies().begin(), e.applies().end());
    for (const v1::Reason& r : decision.reasons()) {
      if (!listed.count(r.rule_id())) {
        rows.push_back({line("only_listed"), absl::StrCat(L("规则 ", "rule "), r.rule_id()), L("不适用（未列出）", "does not apply (not listed)"), rule_state(r.rule_id())});
      }
    }
  }
  std::map<std::string, const v1::Amount*> amounts;
  for (const v1::Amount& a : decision.amounts()) amounts.emplace(a.name(), &a);
  for (int i = 0; i < e.amounts_size(); ++i) {
    const v1::ExpectedAmount& x = e.amounts(i);
    auto it = amounts.find(x.name());
    std::string actual;
    bool same = false;
    if (it == amounts.end()) {
      actual = L("（没有这项输出，或无法计算）", "(no such output, or it could not be computed)");
    } else {
      actual = it->second->value();
      int64_t fen;
      if (ParseMoneyText(x.value(), &fen)) {
        int64_t got;
        same = ParseMoneyText(actual, &got) ? got == fen : it->second->fen() == fen && !actual.empty();
        if (!same) actual = ParseMoneyText(actual, &got) ? Yuan(got) : actual;
      } else {
        same = actual == x.value();
      }
    }
    if (!same) {
      int64_t fen;
      std::string expected = ParseMoneyText(x.value(), &fen) ? Yuan(fen) : x.value();
      rows.push_back({line("amounts", i), absl::StrCat(L("输出 ", "output "), x.name()), expected, actual});
    }
  }
  auto money_row = [&](bool has, int64_t want, int64_t got, const char* field, const char* label) {
    if (has && want != got) rows.push_back({line(field), label, Yuan(want), Yuan(got)});
  };
  money_row(e.has_benefit_fen(), e.benefit_fen(), decision.benefit_fen(), "benefit_fen", L("保障金额", "benefit"));
  money_row(e.has_counted_income_fen(), e.counted_income_fen(), decision.counted_income_fen(), "counted_income_fen", L("家庭收入", "counted income"));
  money_row(e.has_per_capita_income_fen(), e.per_capita_income_fen(), decision.per_capita_income_fen(), "per_capita_income_fen", L("人均收入", "per-capita income"));
  if (e.has_tier() && e.tier() != decision.tier()) {
    rows.push_back({line("tier"), L("保障档次", "tier"), e.tier(), decision.tier().empty() ? L("（空）", "(empty)") : decision.tier()});
  }

  // Covered members: names or ID numbers, compared as sets of ID numbers.
  std::map<std::string, std::string> name_of, id_of;
  for (const v1::Member& m : c.test.application().members()) {
    name_of[m.id_number()] = m.name();
    id_of.emplace(m.name(), m.id_number());
  }
  auto show = [&](const std::set<std::string>& ids) {
    std::vector<std::string> parts;
    for (const std::string& id : ids) {
      auto n = name_of.find(id);
      parts.push_back(n != name_of.end() && !n->second.empty() ? n->second : id);
    }
    return parts.empty() ? std::string(L("（无）", "(none)")) : absl::StrJoin(parts, "、");
  };
  std::set<std::string> got_members(decision.covered_members().begin(), decision.covered_members().end());
  if (e.covered_members_size() > 0) {
    std::set<std::string> want;
    for (const std::string& m : e.covered_members()) {
      auto it = id_of.find(m);
      want.insert(it != id_of.end() ? it->second : m);
    }
    if (want != got_members) rows.push_back({line("covered_members"), L("保障成员", "covered members"), show(want), show(got_members)});
  }
  if (e.has_covered_count() && e.covered_count() != decision.covered_members_size()) {
    rows.push_back({line("covered_count"), L("保障人数", "covered count"), absl::StrCat(e.covered_count()), absl::StrCat(decision.covered_members_size())});
  }
  for (int i = 0; i < e.missing_size(); ++i) {
    bool found = false;
    for (const v1::MissingEvidence& m : decision.missing_evidence()) {
      if (absl::StrContains(m.field(), e.missing(i)) || absl::StrContains(m.message(), e.missing(i))) found = true;
    }
    if (!found) {
      std::vector<std::string> fields;
      for (const v1::MissingEvidence& m : decision.missing_evidence()) fields.push_back(m.field());
      rows.push_back({line("missing", i), L("缺少材料", "missing evidence"), e.missing(i),
                      fields.empty() ? std::string(L("（无）", "(none)")) : absl::StrJoin(fields, "、")});
    }
  }
  for (int i = 0; i < e.messages_size(); ++i) {
    const v1::ExpectedMessage& x = e.messages(i);
    auto it = reasons.find(x.rule());
    for (const std::string& want : x.contains()) {
      if (it == reasons.end()) {
        rows.push_back({line("messages", i), absl::StrCat(L("规则 ", "rule "), x.rule(), L(" 的说明", " message")),
                        absl::StrCat(L("包含“", "contains '"), want, L("”", "'")), rule_state(x.rule())});
      } else if (!absl::StrContains(it->second->message(), want)) {
        rows.push_back({line("messages", i), absl::StrCat(L("规则 ", "rule "), x.rule(), L(" 的说明", " message")),
                        absl::StrCat(L("包含“", "contains '"), want, L("”", "'")), it->second->message()});
      }
    }
  }
  for (int i = 0; i < e.checks_used_size(); ++i) {
    const int registry = Registries::IndexOf(e.checks_used(i));
    bool found = false;
    std::vector<std::string> used;
    for (const v1::CheckUsed& u : decision.checks()) {
      used.push_back(u.registry_zh());
      found = found || Registries::IndexOf(u.registry()) == registry;
    }
    if (!found) {
      rows.push_back({line("checks_used", i), L("使用核对", "checks used"), e.checks_used(i),
                      used.empty() ? std::string(L("（无）", "(none)")) : absl::StrJoin(used, "、")});
    }
  }
  std::set<std::string> expected_faults(e.faults().begin(), e.faults().end());
  for (const v1::RuleFault& f : decision.faults()) {
    if (!expected_faults.count(f.rule_id())) {
      rows.push_back({0, absl::StrCat(L("计算故障 ", "fault "), f.rule_id()), L("（无）", "(none)"), f.message()});
    }
  }
  return rows;
}


void PrintDecision(const v1::Decision& d, std::ostream& out) {
  out << "    " << L("实际结论：", "actual outcome: ") << OutcomeText(d.outcome()) << L("（评估日期 ", " (as of ") << d.as_of()
      << L("）", ")") << "\n";
  for (const v1::Reason& r : d.reasons()) {
    out << "      " << r.rule_id() << " [" << KindText(r.kind()) << "] " << r.title() << L("：", ": ") << r.message() << "\n";
  }
  for (const v1::MissingEvidence& m : d.missing_evidence()) {
    out << "      " << L("缺少材料 ", "missing ") << m.field() << L("（", " (") << m.needed_by() << L("）", ")") << "\n";
  }
  for (const v1::RuleFault& f : d.faults()) out << "      " << L("计算故障 ", "fault ") << f.rule_id() << L("：", ": ") << f.message() << "\n";
  std::vector<std::string> amounts;
  for (const v1::Amount& a : d.amounts()) amounts.push_back(absl::StrCat(a.name(), " = ", a.value()));
  if (!amounts.empty()) out << "      " << L("输出：", "outputs: ") << absl::StrJoin(amounts, L("；", "; ")) << "\n";
}

// A trace step's kind ("rule", "parameter", ...: stable tags for tools) as a reader's word.
std::string TraceKindText(const std::string& kind) {
  if (g_en) return kind;
  static const std::pair<const char*, const char*> kKinds[] = {
      {"rule", "规则"},   {"parameter", "参数"}, {"value", "计算"},   {"output", "输出"},
      {"table", "决策表"}, {"item", "逐项"},     {"filter", "筛选"}, {"rule_items", "逐项规则"},
      {"items_omitted", "未列出"}};
  for (const auto& [en, zh] : kKinds) {
    if (kind == en) return zh;
  }
  return kind;
}

void PrintTrace(const v1::Decision& d, std::ostream& out) {
  out << "    " << L("核验过程：", "trace:") << "\n";
  for (const v1::TraceStep& s : d.trace()) {
    out << "      [" << TraceKindText(s.kind()) << "] " << s.name() << " = " << s.result();
    std::vector<std::string> inputs;
    for (const v1::NamedValue& v : s.inputs()) inputs.push_back(absl::StrCat(v.name(), "=", v.value()));
    if (!inputs.empty()) out << L("  （", "  (") << absl::StrJoin(inputs, L("；", "; ")) << L("）", ")");
    out << "\n";
  }
}

void PrintRows(const std::vector<Row>& rows, std::ostream& out) {
  const std::string h_line = L("行", "line"), h_item = L("项目", "check"), h_exp = L("预期", "expected"), h_act = L("实际", "actual");
  int w_line = DisplayWidth(h_line), w_item = DisplayWidth(h_item), w_exp = DisplayWidth(h_exp);
  for (const Row& r : rows) {
    w_line = std::max(w_line, DisplayWidth(r.line > 0 ? absl::StrCat(r.line) : "-"));
    w_item = std::max(w_item, DisplayWidth(r.item));
    w_exp = std::max(w_exp, std::min(DisplayWidth(r.expected), 40));
  }
  out << "    " << Pad(h_line, w_line) << "  " << Pad(h_item, w_item) << "  " << Pad(h_exp, w_exp) << "  " << h_act << "\n";
  for (const Row& r : rows) {
    out << "    " << Pad(r.line > 0 ? absl::StrCat(r.line) : "-", w_line) << "  " << Pad(r.item, w_item) << "  "
        << Pad(r.expected, w_exp) << "  " << r.actual << "\n";
  }
}

// The test cases at `path` (a case file, a pipe, or a directory searched recursively). On a
// problem, *problem says what the path is or what could not be read.
std::vector<std::string> FindCases(const std::string& path, std::string* problem) {
  std::vector<std::string> out;
  switch (io::KindOfPath(path)) {
    case io::PathKind::kReadable:
      out.push_back(path);
      return out;
    case io::PathKind::kDirectory:
      break;
    case io::PathKind::kMissing:
      *problem = L("找不到文件或目录", "no such file or directory");
      return out;
    case io::PathKind::kOther: {
      std::string m(io::CheckInputPath(path, io::kTestCaseFile, g_en).message());
      *problem = absl::StartsWith(m, path + ": ") ? m.substr(path.size() + 2) : m;
      return out;
    }
  }
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(path, ec);
  std::string last = path;  // the entry before an error: the directory that could not be read
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    last = it->path().generic_string();
    if (it->is_regular_file() && IsCaseFile(it->path())) out.push_back(last);
  }
  // An unreadable subdirectory must not drop its cases unnoticed.
  if (ec) *problem = absl::StrCat(L("读取目录时出错：", "cannot read directory "), last, ": ", ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int Test(const std::vector<std::string>& args) {
  bool coverage = false, verbose = false, show_trace = false;
  std::vector<std::string> paths;
  g_en = LanguageOf(args) == Language::kEnglish;
  for (const std::string& a : args) {
    if (a == "--coverage") {
      coverage = true;
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a == "--trace") {
      show_trace = true;
    } else if (a == "--lang=en") {
      g_en = true;
    } else if (a == "--lang=zh") {
      g_en = false;
    } else if (absl::StartsWith(a, "-")) {
      return UsageError("test", absl::StrCat(L("未知的选项 ", "unknown option "), a), LanguageOf(args));
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    return UsageError("test", Text{"请给出测试案例文件或目录", "give a test case file or directory"}, LanguageOf(args));
  }
  std::ostream& out = std::cout;
  int passed = 0, failed = 0, failed_empty = 0;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::string problem;
    std::vector<std::string> found = FindCases(p, &problem);
    if (!problem.empty()) {
      out << p << ":1: " << problem << "\n";
      ++failed;
    } else if (found.empty()) {
      out << p << ": " << L("没有找到测试案例（*.textproto）", "no test cases (*.textproto) found") << "\n";
    }
    files.insert(files.end(), found.begin(), found.end());
  }

  std::map<std::string, RuleSet> rulesets;
  RuleCoverage cover(g_en);
  std::set<std::string> coverage_bases;  // entry files whose plain rule set joined the coverage
  auto compile = [&](const std::string& entry, const google::protobuf::RepeatedPtrField<v1::ParameterValue>& params) -> RuleSet& {
    std::map<std::string, std::string> overrides;
    for (const v1::ParameterValue& p : params) overrides[p.name()] = p.value();
    std::string key = NormalPath(entry);
    for (const auto& [n, v] : overrides) absl::StrAppend(&key, "\n", n, "=", v);
    auto it = rulesets.find(key);
    if (it != rulesets.end()) return it->second;
    RuleSet& rs = rulesets[key];
    rs.key = key;
    rs.entry = entry;
    CompileOptions options;
    options.parameter_overrides = overrides;
    for (const auto& [n, v] : overrides) rs.overridden.insert(n);
    absl::StatusOr<CompileResult> r = CompileFile(entry, options);
    if (!r.ok()) {
      rs.status = std::string(r.status().message());
    } else {
      rs.program = r->program;
      rs.diagnostics = r->diagnostics;
    }
    return rs;
  };

  for (const std::string& file : files) {
    Case c;
    c.path = file;
    LoadCase(&c);
    const std::string name = c.test.name().empty() ? fs::path(file).stem().string() : c.test.name();
    if (!c.errors.empty()) {
      ++failed;
      out << L("失败  ", "FAIL  ") << file << L("  （无法读取）\n", "  (cannot be read)\n");
      for (const LineError& e : c.errors) out << "    " << file << ":" << e.line << ": " << e.message << "\n";
      continue;
    }
    const int rules_line = std::max(1, LineOf(c.locations.get(), v1::TestCase::descriptor(), "rules"));
    const std::string entry = (fs::path(file).parent_path() / c.test.rules()).lexically_normal().generic_string();
    std::error_code ec;
    if (!fs::is_regular_file(entry, ec)) {
      ++failed;
      out << L("失败  ", "FAIL  ") << file << "  " << name << "\n    " << file << ":" << rules_line << ": "
          << L("找不到规则文件 ", "no such rule file ") << entry << "\n";
      continue;
    }
    if (coverage && !coverage_bases.count(NormalPath(entry))) {
      coverage_bases.insert(NormalPath(entry));
      RuleSet& base = compile(entry, {});
      if (base.program) cover.AddProgram(*base.program);
    }
    RuleSet& rs = compile(entry, c.test.parameters());
    if (!rs.program) {
      ++failed;
      int line = rules_line;
      for (const Diagnostic& d : rs.diagnostics) {
        if (absl::StartsWith(d.file, "<")) line = std::max(1, LineOf(c.locations.get(), v1::TestCase::descriptor(), "parameters"));
      }
      out << L("失败  ", "FAIL  ") << file << "  " << name << "\n    " << file << ":" << line << ": "
          << L("规则集无法编译：", "the rule set does not compile: ") << entry << "\n";
      if (!rs.status.empty()) out << "    " << rs.status << "\n";
      for (const Diagnostic& d : rs.diagnostics) {
        std::istringstream lines(FormatDiagnostic(d, g_en ? Language::kEnglish : Language::kChinese));
        for (std::string l; std::getline(lines, l);) out << "    " << l << "\n";
      }
      continue;
    }
    if (coverage) cover.AddProgram(*rs.program);

    Registries registries;
    absl::Status registry_error = AddCaseRegistries(c.test, file, &registries);
    EvalOptions options;
    options.as_of = c.test.as_of();
    options.trace = true;
    v1::Decision decision;
    absl::Status s = registry_error;
    if (s.ok() && c.test.has_records()) {
      // 核对结果: exactly what a county system would send for this household.
      v1::VerificationRequest request;
      *request.mutable_application() = c.test.application();
      *request.mutable_records() = c.test.records();
      s = rs.program->Evaluate(request, registries, options, &decision);
    } else if (s.ok()) {
      s = rs.program->Evaluate(c.test.application(), registries, options, &decision);
    }
    if (!s.ok()) {
      ++failed;
      out << L("失败  ", "FAIL  ") << file << "  " << name << "\n    " << file << ":"
          << std::max(1, LineOf(c.locations.get(), v1::TestCase::descriptor(), "as_of")) << ": "
          << L("无法核验：", "cannot evaluate: ") << s.message() << "\n";
      continue;
    }
    if (coverage) cover.AddTrace(*rs.program, decision, rs.overridden);
    std::vector<Row> rows = Check(c, decision);
    if (show_trace) PrintTrace(decision, out);
    if (rows.empty()) {
      ++passed;
      out << L("通过  ", "PASS  ") << file << "  " << name << "\n";
      if (verbose) PrintDecision(decision, out);
      continue;
    }
    ++failed;
    out << L("失败  ", "FAIL  ") << file << "  " << name << "\n";
    PrintRows(rows, out);
    PrintDecision(decision, out);
  }

  if (coverage) cover.Report(out);
  if (files.empty()) {
    out << L("没有找到任何测试案例。\n", "no test cases found.\n");
    ++failed_empty;
  }
  if (g_en) {
    out << passed << " passed, " << failed << " failed\n";
  } else {
    out << "通过 " << passed << " 个，失败 " << failed << " 个\n";
  }
  return failed > 0 || failed_empty > 0 ? 1 : 0;
}

}  // namespace heyan::cli
