#include "compiler/planner.h"

namespace heyan::internal {
namespace {

class Planner {
 public:
  explicit Planner(CheckedProgram* program) : program_(program) {}

  NodePtr Build(const TExpr& e) {
    switch (e.kind) {
      case TKind::kConst:
        return MakeConstNode(&e);
      case TKind::kList: {
        // A list of constants is folded once here instead of being rebuilt per evaluation.
        bool constant = std::all_of(e.args.begin(), e.args.end(),
                                    [](const auto& a) { return a->kind == TKind::kConst; });
        if (constant) {
          ListValue& list = program_->pool->lists.emplace_back();
          for (size_t k = 0; k < e.args.size(); ++k) {
            Value v = e.args[k]->constant;
            v.index = static_cast<int32_t>(k);
            list.items.push_back(v);
          }
          TExpr& folded = FoldedConst(e);
          folded.constant.kind = TypeKind::kList;
          folded.constant.list = &list;
          return MakeConstNode(&folded);
        }
        std::vector<NodePtr> items;
        for (const auto& a : e.args) items.push_back(Build(*a));
        return MakeListNode(&e, std::move(items));
      }
      case TKind::kRoot:
        return MakeRootNode(&e);
      case TKind::kField:
        return MakeFieldNode(&e, Build(*e.args[0]));
      case TKind::kSlot:
        return MakeSlotNode(&e);
      case TKind::kDecl: {
        const Value* constant = ConstantParam(e);
        return constant != nullptr ? MakeConstantParamNode(&e, *constant) : MakeDeclNode(&e);
      }
      case TKind::kAsOf:
        return MakeAsOfNode(&e);
      case TKind::kEligible:
        return MakeEligibleNode(&e);
      case TKind::kRegistryRef:
        return MakeConstNode(&e);  // never evaluated on its own
      case TKind::kRegistryContains:
        return MakeRegistryContainsNode(&e, Build(*e.args[0]));
      case TKind::kRegistryFetch:
        return MakeRegistryFetchNode(&e, Build(*e.args[0]));
      case TKind::kUnary:
        return MakeUnaryNode(&e, Build(*e.args[0]));
      case TKind::kArith:
        return MakeArithNode(&e, Build(*e.args[0]), Build(*e.args[1]));
      case TKind::kCompare:
        return MakeCompareNode(&e, Build(*e.args[0]), Build(*e.args[1]));
      case TKind::kIn: {
        const TExpr& list = *e.args[1];
        const Value* constant = list.kind == TKind::kDecl ? ConstantParam(list) : nullptr;
        NodePtr list_node = Build(list);
        if (constant == nullptr && list_node->expr().kind == TKind::kConst) constant = &list_node->expr().constant;
        return MakeInNode(&e, Build(*e.args[0]), std::move(list_node), constant);
      }
      case TKind::kAnd:
      case TKind::kOr:
        return MakeLogicNode(&e, Build(*e.args[0]), Build(*e.args[1]));
      case TKind::kIf:
        return MakeIfNode(&e, Build(*e.args[0]), Build(*e.args[1]), Build(*e.args[2]));
      case TKind::kFilter:
        return MakeFilterNode(&e, Build(*e.args[0]), Build(*e.args[1]));
      case TKind::kQuant:
        return MakeQuantNode(&e, Build(*e.args[0]), Build(*e.args[1]));
      case TKind::kAggregate:
        return MakeAggregateNode(&e, Build(*e.args[0]), e.args.size() > 1 ? Build(*e.args[1]) : nullptr);
      case TKind::kCall: {
        std::vector<NodePtr> args;
        for (const auto& a : e.args) args.push_back(Build(*a));
        return MakeCallNode(&e, std::move(args));
      }
    }
    return MakeConstNode(&e);
  }

 private:
  // The value of a parameter that has a single value for all dates, else null.
  const Value* ConstantParam(const TExpr& e) const {
    const CheckedDecl& d = program_->decls[e.decl];
    if (d.kind != ast::DeclKind::kParameter || d.dated.size() != 1 || d.dated[0].from != INT32_MIN) return nullptr;
    return &d.dated[0].value;
  }

  // A constant copy of `e` owned by the program (the checked tree itself stays untouched).
  TExpr& FoldedConst(const TExpr& e) {
    auto copy = std::make_unique<TExpr>();
    copy->kind = TKind::kConst;
    copy->type = e.type;
    copy->span = e.span;
    copy->source = e.source;
    folded_.push_back(std::move(copy));
    return *folded_.back();
  }

  CheckedProgram* program_;

 public:
  std::vector<std::unique_ptr<TExpr>> folded_;
};

}  // namespace

void Plan(ProgramParts* parts) {
  CheckedProgram& program = *parts->checked;
  Planner planner(&program);
  parts->decls.resize(program.decls.size());
  parts->decl_evidence.resize(program.decls.size());
  for (size_t d = 0; d < program.decls.size(); ++d) {
    const CheckedDecl& decl = program.decls[d];
    DeclPlan& plan = parts->decls[d];
    if (decl.expr) plan.value = planner.Build(*decl.expr);
    for (const auto& in : decl.inputs) plan.inputs.push_back(planner.Build(*in));
    for (const auto& row : decl.rows) {
      RowPlan rp;
      for (const auto& cell : row.cells) {
        CellPlan cp;
        cp.kind = cell.kind;
        cp.op = cell.op;
        cp.lo_closed = cell.lo_closed;
        cp.hi_closed = cell.hi_closed;
        if (cell.a) cp.a = planner.Build(*cell.a);
        if (cell.b) cp.b = planner.Build(*cell.b);
        rp.cells.push_back(std::move(cp));
      }
      rp.result = planner.Build(*row.result);
      plan.rows.push_back(std::move(rp));
    }
    if (decl.otherwise) plan.otherwise = planner.Build(*decl.otherwise);
    for (const TExpr* e : decl.evidence) parts->decl_evidence[d].push_back(planner.Build(*e));
  }
  parts->rules.resize(program.rules.size());
  for (size_t r = 0; r < program.rules.size(); ++r) {
    const CheckedRule& rule = program.rules[r];
    RulePlan& plan = parts->rules[r];
    if (rule.each) plan.each = planner.Build(*rule.each);
    plan.condition = planner.Build(*rule.condition);
    for (const auto& ex : rule.exceptions) plan.exceptions.push_back(planner.Build(*ex.condition));
    for (const auto& part : rule.message) plan.message.push_back(part.expr ? planner.Build(*part.expr) : nullptr);
    for (const TExpr* e : rule.evidence) plan.evidence.push_back(planner.Build(*e));
  }
  // Folded constants must live as long as the program: hand them to the checked program.
  for (auto& f : planner.folded_) program.folded.push_back(std::move(f));
}

}  // namespace heyan::internal
