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

std::string Normal(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  if (ec) p = fs::path(path).lexically_normal();
  return p.generic_string();
}

std::string Shown(const std::string& path) {
  std::error_code ec;
  fs::path rel = fs::relative(fs::path(Normal(path)), fs::current_path(ec), ec);
  if (ec || rel.empty() || absl::StartsWith(rel.generic_string(), "../../..")) return Normal(path);
  return rel.generic_string();
}

// ---- coverage -----------------------------------------------------------------------------

struct CoverItem {
  std::string label;  // what is covered, as shown
  bool covered = false;
};

struct DeclCoverage {
  DeclarationInfo info;
  std::vector<std::string> exceptions;      // rules: exception titles, in order
  std::vector<CoverItem> items;             // rule: [applies, exceptions...]; parameter: values; table: rows
  std::vector<std::string> dates;           // parameters: effective dates (empty: constant)
  bool constant_list = false;               // parameters: one value for all dates, a list
  bool table_otherwise = false;
};

class Coverage {
 public:
  // Registers the declarations of a compiled rule set.
  void AddProgram(const Program& program) {
    const auto& decls = program.declarations();
    for (const DeclarationInfo& d : decls) {
      if (d.kind != "rule" && d.kind != "parameter" && d.kind != "table") continue;
      const std::string key = Key(d);
      if (decls_.count(key)) continue;
      DeclCoverage c;
      c.info = d;
      if (d.kind == "rule") {
        c.items.push_back({absl::StrCat(L("规则 ", "rule "), d.name, " “", d.title, "”", L("：没有案例使它适用", ": no case makes it apply")), false});
        c.exceptions = d.exception_titles;
        while (static_cast<int>(c.exceptions.size()) < d.branches) c.exceptions.push_back(absl::StrCat("#", c.exceptions.size() + 1));
        for (const std::string& e : c.exceptions) {
          c.items.push_back({absl::StrCat(L("规则 ", "rule "), d.name, L(" 的例外“", " exception '"), e, L("”：没有案例用到", "': no case uses it")), false});
        }
      } else if (d.kind == "parameter") {
        c.dates = d.effective_dates;
        c.constant_list = c.dates.empty() && absl::StartsWith(d.value, "[");
        if (c.dates.empty()) {
          c.items.push_back({absl::StrCat(L("参数 ", "parameter "), d.name, L("：没有案例用到", ": no case reads it")), false});
        } else {
          for (const std::string& date : c.dates) {
            c.items.push_back({absl::StrCat(L("参数 ", "parameter "), d.name, L(" 自 ", " from "), date, L(" 起的值：没有案例用到", ": no case uses this value")), false});
          }
        }
      } else {
        c.table_otherwise = d.has_otherwise;
        const int rows = d.branches - (c.table_otherwise ? 1 : 0);
        for (int r = 1; r <= rows; ++r) {
          c.items.push_back({absl::StrCat(L("决策表 ", "table "), d.name, L(" 第 ", " row "), r, L(" 行：没有案例命中", ": no case matches it")), false});
        }
        if (c.table_otherwise) {
          c.items.push_back({absl::StrCat(L("决策表 ", "table "), d.name, L(" 的“否则”：没有案例用到", " 'otherwise': no case uses it")), false});
        }
      }
      order_.push_back(key);
      decls_.emplace(key, std::move(c));
    }
  }

  // Marks what one evaluation exercised.
  void AddTrace(const Program& program, const v1::Decision& decision, const std::set<std::string>& overridden) {
    std::map<std::pair<std::string, std::string>, const DeclarationInfo*> by_name;
    for (const DeclarationInfo& d : program.declarations()) by_name[{d.kind, d.name}] = &d;
    // Read from the trace's typed fields: the rule's status and the exceptions that held,
    // the date the parameter's value used took effect, the table row chosen.
    for (const v1::TraceStep& step : decision.trace()) {
      const v1::TraceStep::StepKind kind = step.step_kind();
      if (kind != v1::TraceStep::STEP_RULE && kind != v1::TraceStep::STEP_PARAMETER && kind != v1::TraceStep::STEP_TABLE) continue;
      auto it = by_name.find({step.kind(), step.name()});
      if (it == by_name.end()) continue;
      auto dc = decls_.find(Key(*it->second));
      if (dc == decls_.end()) continue;
      DeclCoverage& c = dc->second;
      if (kind == v1::TraceStep::STEP_RULE) {
        if (step.status() == v1::TraceStep::APPLIES) c.items[0].covered = true;
        for (int32_t e : step.exceptions()) {
          if (e >= 0 && static_cast<size_t>(e) + 1 < c.items.size()) c.items[e + 1].covered = true;
        }
      } else if (kind == v1::TraceStep::STEP_PARAMETER) {
        if (overridden.count(step.name()) || step.status() != v1::TraceStep::COMPUTED) continue;
        if (c.dates.empty()) {
          c.items[0].covered = true;
          continue;
        }
        for (size_t k = 0; k < c.dates.size(); ++k) {
          if (c.dates[k] == step.effective_from()) c.items[k].covered = true;
        }
      } else if (step.status() == v1::TraceStep::COMPUTED) {
        const size_t row = static_cast<size_t>(step.table_row());
        if (row >= 1 && row <= c.items.size()) {
          c.items[row - 1].covered = true;
        } else if (row == 0 && c.table_otherwise) {
          c.items.back().covered = true;
        }
      }
    }
  }

  // Prints the report; returns the number of items nobody exercised.
  int Report(std::ostream& out) const {
    int total[3] = {0, 0, 0}, hit[3] = {0, 0, 0};  // rules (+exceptions), parameter values, table rows
    int except_total = 0, except_hit = 0;
    std::vector<std::pair<std::string, std::string>> missed;  // location, label
    std::vector<std::pair<std::string, std::string>> unknown;  // constant lists the trace does not show
    for (const std::string& key : order_) {
      const DeclCoverage& c = decls_.at(key);
      const int k = c.info.kind == "rule" ? 0 : c.info.kind == "parameter" ? 1 : 2;
      // Workaround: the evaluator folds a constant list of enum values on the right of
      // 属于/不属于 into a bit set and never reads the parameter, so the trace cannot show
      // that it was used. Such parameters are listed apart instead of as not exercised.
      if (k == 1 && c.constant_list && !c.items[0].covered) {
        unknown.emplace_back(absl::StrCat(Shown(c.info.file), ":", c.info.line), c.info.name);
        continue;
      }
      for (size_t i = 0; i < c.items.size(); ++i) {
        const bool exception = k == 0 && i > 0;
        (exception ? except_total : total[k])++;
        if (c.items[i].covered) {
          (exception ? except_hit : hit[k])++;
        } else {
          missed.emplace_back(absl::StrCat(Shown(c.info.file), ":", c.info.line), c.items[i].label);
        }
      }
    }
    out << L("覆盖情况：", "coverage: ") << L("规则 ", "rules ") << hit[0] << "/" << total[0] << L("，例外 ", ", exceptions ")
        << except_hit << "/" << except_total << L("，参数取值 ", ", parameter values ") << hit[1] << "/" << total[1]
        << L("，决策表行 ", ", table rows ") << hit[2] << "/" << total[2] << "\n";
    if (!unknown.empty()) {
      out << L("  以下常量列表参数只在“属于/不属于”判断中使用，引擎的核验过程记录不显示它们是否被读取，无法判断覆盖情况（不计入上面的统计）：\n",
               "  constant list parameters used only on the right of 'in'/'not in': the trace does not show whether they were read, so coverage cannot tell (not counted above):\n");
      for (const auto& [where, name] : unknown) out << "    " << where << "  " << L("参数 ", "parameter ") << name << "\n";
    }
    if (missed.empty()) {
      out << L("  全部规则、例外、参数取值和决策表行都有案例覆盖。\n", "  every rule, exception, parameter value and table row is exercised.\n");
      return 0;
    }
    out << L("  没有案例覆盖的项目：\n", "  not exercised by any case:\n");
    for (const auto& [where, label] : missed) out << "    " << where << "  " << label << "\n";
    return static_cast<int>(missed.size());
  }

 private:
  static std::string Key(const DeclarationInfo& d) { return absl::StrCat(Normal(d.file), ":", d.line, ":", d.kind, ":", d.name); }

  std::map<std::string, DeclCoverage> decls_;
  std::vector<std::string> order_;
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
  Coverage cover;
  std::set<std::string> coverage_bases;  // entry files whose plain rule set joined the coverage
  auto compile = [&](const std::string& entry, const google::protobuf::RepeatedPtrField<v1::ParameterValue>& params) -> RuleSet& {
    std::map<std::string, std::string> overrides;
    for (const v1::ParameterValue& p : params) overrides[p.name()] = p.value();
    std::string key = Normal(entry);
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
    if (coverage && !coverage_bases.count(Normal(entry))) {
      coverage_bases.insert(Normal(entry));
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
