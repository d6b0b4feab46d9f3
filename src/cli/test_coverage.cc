// heyan test --coverage: which rules, exceptions, parameter values and table rows the test
// cases exercise, read from the typed trace of each case's decision.
#include "cli/test_coverage.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "heyan/v1/decision.pb.h"

namespace heyan::cli {

namespace fs = std::filesystem;

std::string NormalPath(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  if (ec) p = fs::path(path).lexically_normal();
  return p.generic_string();
}

std::string ShownPath(const std::string& path) {
  std::error_code ec;
  fs::path rel = fs::relative(fs::path(NormalPath(path)), fs::current_path(ec), ec);
  if (ec || rel.empty() || absl::StartsWith(rel.generic_string(), "../../..")) return NormalPath(path);
  return rel.generic_string();
}

namespace {

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

}  // namespace

class RuleCoverage::Impl {
 public:
  explicit Impl(bool english) : english_(english) {}

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
        unknown.emplace_back(absl::StrCat(ShownPath(c.info.file), ":", c.info.line), c.info.name);
        continue;
      }
      for (size_t i = 0; i < c.items.size(); ++i) {
        const bool exception = k == 0 && i > 0;
        (exception ? except_total : total[k])++;
        if (c.items[i].covered) {
          (exception ? except_hit : hit[k])++;
        } else {
          missed.emplace_back(absl::StrCat(ShownPath(c.info.file), ":", c.info.line), c.items[i].label);
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
  static std::string Key(const DeclarationInfo& d) { return absl::StrCat(NormalPath(d.file), ":", d.line, ":", d.kind, ":", d.name); }

  const char* L(const char* zh, const char* en) const { return english_ ? en : zh; }

  bool english_;
  std::map<std::string, DeclCoverage> decls_;
  std::vector<std::string> order_;
};


RuleCoverage::RuleCoverage(bool english) : impl_(std::make_unique<Impl>(english)) {}
RuleCoverage::~RuleCoverage() = default;
void RuleCoverage::AddProgram(const Program& program) { impl_->AddProgram(program); }
void RuleCoverage::AddTrace(const Program& program, const v1::Decision& decision, const std::set<std::string>& overridden) {
  impl_->AddTrace(program, decision, overridden);
}
int RuleCoverage::Report(std::ostream& out) const { return impl_->Report(out); }

}  // namespace heyan::cli
