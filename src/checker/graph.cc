// The dependency graph of definitions and rules: cycles (E0206) and how deep evaluation nests
// through named values (E0004).
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checker/checker_impl.h"

namespace heyan::internal {

// Cycles between definitions, including through 符合条件 (which depends on every 不符合 rule).
std::vector<std::vector<int>> Checker::DependencyEdges() const {
  const int nd = static_cast<int>(program_->decls.size());
  const int nr = static_cast<int>(program_->rules.size());
  const int eligible = nd + nr;
  std::vector<std::vector<int>> edges(nd + nr + 1);
  for (int i = 0; i < nd; ++i) {
    if (!program_->decls[i].live) continue;
    for (int dep : decl_sources_[i].deps) edges[i].push_back(dep);
    if (decl_sources_[i].uses_eligible) edges[i].push_back(eligible);
  }
  for (int r = 0; r < nr; ++r) {
    if (!program_->rules[r].live) continue;
    for (int dep : rule_deps_[r]) edges[nd + r].push_back(dep);
    if (rule_uses_eligible_[r]) edges[nd + r].push_back(eligible);
    if (program_->rules[r].outcome == ast::Outcome::kIneligible) edges[eligible].push_back(nd + r);
  }
  return edges;
}

void Checker::CheckCycles() {
  const int nd = static_cast<int>(program_->decls.size());
  const int nr = static_cast<int>(program_->rules.size());
  const int eligible = nd + nr;
  const std::vector<std::vector<int>> edges = DependencyEdges();
  auto name = [&](int node, bool english) -> std::string {
    if (node < nd) return program_->decls[node].name;
    if (node < nd + nr) return absl::StrCat(english ? "rule " : "规则 ", program_->rules[node - nd].id);
    return english ? "eligible" : "符合条件";
  };
  std::vector<int> color(edges.size(), 0), parent(edges.size(), -1);
  bool reported = false;
  for (int start = 0; start < static_cast<int>(edges.size()) && !reported; ++start) {
    if (color[start] != 0) continue;
    std::vector<std::pair<int, size_t>> stack = {{start, 0}};
    color[start] = 1;
    while (!stack.empty() && !reported) {
      auto& [node, next] = stack.back();
      if (next < edges[node].size()) {
        int to = edges[node][next++];
        if (color[to] == 0) {
          color[to] = 1;
          parent[to] = node;
          stack.push_back({to, 0});
        } else if (color[to] == 1) {
          // Back edge: the cycle is to -> ... -> node -> to.
          std::vector<int> cycle = {to};
          for (int k = node; k != to && k >= 0; k = parent[k]) cycle.push_back(k);
          std::reverse(cycle.begin() + 1, cycle.end());
          cycle.push_back(to);
          std::vector<std::string> zh, en;
          for (int k : cycle) {
            zh.push_back(name(k, false));
            en.push_back(name(k, true));
          }
          Span span;
          for (int k : cycle) {
            if (k < nd) {
              span = program_->decls[k].span;
              break;
            }
            if (k < nd + nr && span.file < 0) span = rule_sources_[k - nd]->id_span;
          }
          const bool through_eligible = std::find(cycle.begin(), cycle.end(), eligible) != cycle.end();
          sink_->Error("E0206", span,
                       absl::StrCat("定义之间循环引用：", absl::StrJoin(zh, " → "),
                                    through_eligible ? "（“符合条件”要等所有“不符合”规则算完才知道，"
                                                       "所以“不符合”规则不能直接或间接用到它）"
                                                     : ""),
                       absl::StrCat("definitions refer to each other in a cycle: ", absl::StrJoin(en, " -> "),
                                    through_eligible ? " ('eligible' depends on every 'ineligible' rule, so those "
                                                       "rules cannot use it, directly or indirectly)"
                                                     : ""));
          reported = true;
        }
      } else {
        color[node] = 2;
        stack.pop_back();
      }
    }
  }
}

int Checker::ExprEvalDepth(const TExpr& e, const std::vector<int>& node_depth) const {
  // Recursion over one expression: bounded by the parser's nesting limit.
  int d = 0;
  for (const auto& a : e.args) d = std::max(d, ExprEvalDepth(*a, node_depth));
  if (e.kind == TKind::kDecl && e.decl >= 0) d = std::max(d, node_depth[e.decl]);
  if (e.kind == TKind::kEligible) d = std::max(d, node_depth.back());
  return d + 1;
}

// How deep evaluation can nest: the evaluator computes a named value when it is first
// used, inside the expression that uses it, so its stack grows by the expression's depth
// at the use plus the depth of the value's own definition, and so on down the chain. The
// longest such path must stay within evaluation_limit_ (E0004 where it is first exceeded).
// The graph is acyclic here (CheckCycles ran), and is walked without recursion.
void Checker::CheckEvaluationDepth() {
  const int nd = static_cast<int>(program_->decls.size());
  const int nr = static_cast<int>(program_->rules.size());
  const int eligible = nd + nr;
  const std::vector<std::vector<int>> edges = DependencyEdges();
  std::vector<int> depth(edges.size(), 0);
  std::vector<char> done(edges.size(), 0);
  auto max_of = [&](const std::unique_ptr<TExpr>& e, int* d) {
    if (e) *d = std::max(*d, ExprEvalDepth(*e, depth));
  };
  auto compute = [&](int node) {
    int d = 0;
    if (node < nd) {
      const CheckedDecl& decl = program_->decls[node];
      max_of(decl.expr, &d);
      for (const auto& in : decl.inputs) max_of(in, &d);
      for (const auto& row : decl.rows) {
        for (const auto& cell : row.cells) {
          max_of(cell.a, &d);
          max_of(cell.b, &d);
        }
        max_of(row.result, &d);
      }
      max_of(decl.otherwise, &d);
    } else if (node < eligible) {
      const CheckedRule& rule = program_->rules[node - nd];
      max_of(rule.each, &d);
      max_of(rule.condition, &d);
      for (const auto& ex : rule.exceptions) max_of(ex.condition, &d);
      for (const auto& part : rule.message) max_of(part.expr, &d);
    } else {
      for (int r : edges[eligible]) d = std::max(d, depth[r]);
    }
    depth[node] = d + 1;
  };
  // Post-order: a node after everything it depends on.
  for (int start = 0; start < static_cast<int>(edges.size()); ++start) {
    if (done[start]) continue;
    std::vector<std::pair<int, size_t>> stack = {{start, 0}};
    done[start] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < edges[node].size()) {
        int to = edges[node][next++];
        if (!done[to]) {
          done[to] = 1;
          stack.push_back({to, 0});
        }
      } else {
        compute(node);
        stack.pop_back();
      }
    }
  }
  // Report where the limit is first crossed: at a definition or rule none of whose own
  // dependencies is already over it (符合条件 counts as over when one of its rules is).
  auto over = [&](int node) {
    if (node != eligible) return depth[node] > evaluation_limit_;
    for (int r : edges[eligible]) {
      if (depth[r] > evaluation_limit_) return true;
    }
    return false;
  };
  for (int node = 0; node < eligible; ++node) {
    if (depth[node] <= evaluation_limit_) continue;
    if (node < nd ? !program_->decls[node].live : !program_->rules[node - nd].live) continue;
    if (std::any_of(edges[node].begin(), edges[node].end(), over)) continue;
    std::string name = node < nd ? Quote(program_->decls[node].name)
                                 : absl::StrCat("规则 ", program_->rules[node - nd].id);
    std::string name_en = node < nd ? absl::StrCat("'", program_->decls[node].name, "'")
                                    : absl::StrCat("rule ", program_->rules[node - nd].id);
    Span span = node < nd ? program_->decls[node].span : rule_sources_[node - nd]->id_span;
    sink_->Error("E0004", span,
                 absl::StrCat("求值", name, "要嵌套 ", depth[node], " 层（包括它层层引用的计算），超过上限 ",
                              evaluation_limit_, " 层，请缩短引用链或拆分表达式"),
                 absl::StrCat("evaluating ", name_en, " nests ", depth[node],
                              " levels deep (through the named values it uses), over the limit of ",
                              evaluation_limit_, "; shorten the chain of definitions or split the expressions"));
  }
}

}  // namespace heyan::internal
