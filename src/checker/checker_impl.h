// The checker of a rule set (checker.h: Check) and what its files share. Private to the
// checker stage.
//
// Checker's methods are grouped by file:
//   checker.cc       Run: the order of the checks
//   declarations.cc  names, citations, parameters, values, rules, overrides, constant folding
//   tables.cc        decision tables and their analysis (gaps, overlaps, unreachable rows)
//   graph.cc         the dependency graph: cycles and evaluation depth
//   expressions.cc   names, fields, operators, collections and calls in expressions
#ifndef HEYAN_CHECKER_CHECKER_IMPL_H_
#define HEYAN_CHECKER_CHECKER_IMPL_H_

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ast/ast.h"
#include "checker/checker.h"
#include "common/schema.h"
#include "common/source.h"
#include "common/value.h"

namespace heyan::internal {

// Whether `s` is the Chinese or the English spelling of a built-in name.
inline bool IsName(std::string_view s, const char* zh, const char* en) {
  return s == zh || s == en;
}

// “s”: a name quoted in a Chinese message.
inline std::string Quote(const std::string& s) { return absl::StrCat("“", s, "”"); }

// "300" -> "300元": when a number written as a literal meets money, the likely fix is a unit.
inline std::string MoneyLiteralFor(const TExpr& numeric) {
  if (numeric.kind != TKind::kConst || numeric.source.empty() ||
      numeric.source.find_first_not_of("0123456789.") != std::string::npos) {
    return "";
  }
  return absl::StrCat(numeric.source, "元");
}

// A name bound to the item of a collection (每个, 其中, quantifiers, aggregates): the item is
// in evaluation slot `slot`.
struct Binding {
  std::string name;
  int slot;
  Type type;
};

class Checker {
 public:
  Checker(const SourceSet& sources, DiagnosticSink* sink)
      : sources_(sources), sink_(sink), schema_(Schema::Get()), program_(std::make_unique<CheckedProgram>()) {}

  std::unique_ptr<CheckedProgram> Run(const CheckInput& input);

 private:
  // ---- declarations ----
  struct DeclSource {
    const ast::ParamDecl* param = nullptr;
    const ast::ValueDecl* value = nullptr;
    const ast::TableDecl* table = nullptr;
    int state = 0;  // 0 unchecked, 1 checking, 2 done
    std::set<int> deps;
    bool uses_eligible = false;
  };
  void Declare(const ast::RuleFile& f);
  void CheckCitations(const ast::RuleFile& f);
  void DeclareName(const std::string& name, const Span& span, bool override_, DeclSource src,
                   ast::DeclKind kind, const ast::Citation* basis);
  void CheckDecl(int index);
  // The order to check declarations in: each after the ones it names, when that order
  // exists, so that checking one never recurses into another (a chain of a thousand
  // definitions written last-first would otherwise nest CheckDecl a thousand deep).
  std::vector<int> CheckOrder() const;
  void CheckParam(int index);
  void CheckValue(int index);
  void CheckRule(const ast::RuleDecl& r, CheckedRule* out);
  void ApplyOverride(const std::string& name, const ast::Expr& expr);
  bool FoldConstant(const TExpr& e, Value* out);
  void CollectEvidence(const TExpr& e, std::vector<const TExpr*>* out, std::set<std::string>* seen);
  Type ResolveTypeRef(const ast::TypeRef& t);

  // ---- decision tables ----
  void CheckTable(int index);
  void AnalyseTable(const CheckedDecl& d, const ast::TableDecl& t);
  // The values each input of the table is tried with (samples[c] for input c), from the
  // values its cells name; false when a cell's bound is not a constant.
  bool SampleInputs(const CheckedDecl& d, const std::vector<bool>& percent,
                    std::vector<std::vector<Value>>* samples);
  // Tries each of the `combos` combinations of samples against every row. Reports the first
  // combination no row applies to, if the table has no 否则 (E0404), and in a 命中 唯一 table
  // the first three pairs of rows that apply together (E0403). Returns, by row, whether the
  // row is the first to apply to some combination.
  std::vector<bool> ReportGapsAndOverlaps(const CheckedDecl& d, const ast::TableDecl& t,
                                          const std::vector<std::vector<Value>>& samples,
                                          const std::vector<bool>& percent, size_t combos);
  // W0401 for each row of a 命中 首个 table that is never the first to apply.
  void ReportUnreachableRows(const ast::TableDecl& t, const std::vector<bool>& row_used);

  // ---- dependency graph ----
  void CheckCycles();
  // Dependency graph: decls, then rules, then 符合条件 (which depends on every live 不符合
  // rule). Shared by CheckCycles and CheckEvaluationDepth.
  std::vector<std::vector<int>> DependencyEdges() const;
  void CheckEvaluationDepth();
  int ExprEvalDepth(const TExpr& e, const std::vector<int>& node_depth) const;

  // ---- expressions ----
  // Checks one expression. Recursion nests through named values (a name is checked when
  // first used), so it is bounded by evaluation_limit_: beyond it, E0004 and an error node.
  std::unique_ptr<TExpr> CheckExpr(const ast::Expr& e, const Type* hint = nullptr);
  std::unique_ptr<TExpr> CheckExprImpl(const ast::Expr& e, const Type* hint);
  std::unique_ptr<TExpr> CheckName(const ast::Expr& e, const Type* hint);
  std::unique_ptr<TExpr> CheckField(const ast::Expr& e);
  std::unique_ptr<TExpr> CheckBinary(const ast::Expr& e);
  std::unique_ptr<TExpr> CheckCall(const ast::Expr& e);
  std::unique_ptr<TExpr> CheckCollection(const ast::Expr& e, TKind kind);
  std::unique_ptr<TExpr> CheckBool(const ast::Expr& e);
  // Binds the item of collection `coll` (already checked) under `name`; returns the slot.
  int PushBinding(const std::string& name, const TExpr& coll);
  std::string DefaultItemName(const ast::Expr& coll) const;
  std::vector<std::string> VisibleNames() const;

  // ---- helpers ----
  std::unique_ptr<TExpr> Make(TKind kind, const Type& type, const ast::Expr& e) {
    auto t = std::make_unique<TExpr>();
    t->kind = kind;
    t->type = type;
    t->span = e.span;
    t->source = sources_.file(e.span.file).Slice(e.span.begin, e.span.end);
    return t;
  }
  std::unique_ptr<TExpr> ErrorExpr(const ast::Expr& e) { return Make(TKind::kConst, Type(), e); }
  void TypeError(const std::string& code, const Span& span, const std::string& zh, const std::string& en) {
    sink_->Error(code, span, zh, en);
  }
  std::string FileOf(const Span& s) const { return s.file >= 0 ? sources_.file(s.file).path() : ""; }
  int LineOf(const Span& s) const {
    if (s.file < 0) return 0;
    int line, col;
    sources_.file(s.file).Locate(s.begin, &line, &col);
    return line;
  }

  const SourceSet& sources_;
  DiagnosticSink* sink_;
  const Schema& schema_;
  std::unique_ptr<CheckedProgram> program_;

  std::vector<DeclSource> decl_sources_;
  absl::flat_hash_map<std::string, int> names_;  // live declaration by name
  absl::flat_hash_map<std::string, int> rule_ids_;
  std::vector<const ast::RuleDecl*> rule_sources_;
  std::vector<std::set<int>> rule_deps_;
  std::vector<bool> rule_uses_eligible_;

  std::vector<Binding> bindings_;
  int current_decl_ = -1;      // declaration being checked (for dependencies)
  int current_rule_ = -1;
  std::set<int>* current_deps_ = nullptr;
  bool* current_uses_eligible_ = nullptr;
  std::vector<int> checking_;  // declarations being checked, outermost first (for E0206)
  // Names and rule ids defined by declarations the parser left out after a syntax error
  // (already reported): using them is not a second error.
  std::set<std::string> unparsed_names_;
  std::set<std::string> unparsed_rule_ids_;
  int evaluation_limit_ = 64 * kEvaluationDepthPerNesting;
  int check_depth_ = 0;             // current CheckExpr nesting, across named values
  bool check_depth_reported_ = false;
};

}  // namespace heyan::internal

#endif  // HEYAN_CHECKER_CHECKER_IMPL_H_
