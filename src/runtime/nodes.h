// The evaluator's instructions: an immutable tree of typed nodes built by the planner
// (compiler/planner.cc) from the checked program. Each node keeps the TExpr it came from,
// so explanations and missing-evidence reports point back at the rule text.
// Private to the runtime and the planner.
#ifndef HEYAN_RUNTIME_NODES_H_
#define HEYAN_RUNTIME_NODES_H_

#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "checker/checker.h"
#include "runtime/frame.h"

namespace heyan::internal {

enum class Step { kContinue, kStop, kFail };
using ItemFn = absl::FunctionRef<Step(const Value&)>;

class Node {
 public:
  explicit Node(const TExpr* expr) : expr_(expr) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Computes the value. False when it cannot be computed: the cause is recorded in the
  // frame (missing evidence or a fault) and `*out` is unspecified.
  virtual bool Eval(Frame& f, Value* out) const = 0;
  // For list-valued nodes: calls `fn` for each item in order, without building the list
  // where possible. False if the list cannot be computed or `fn` returned kFail.
  virtual bool ForEach(Frame& f, ItemFn fn) const;

  const TExpr& expr() const { return *expr_; }

 protected:
  const TExpr* expr_;
};

using NodePtr = std::unique_ptr<Node>;

// Factories, one per node kind (see checker.h TKind for the meaning of each).
NodePtr MakeConstNode(const TExpr* e);
NodePtr MakeRootNode(const TExpr* e);
NodePtr MakeAsOfNode(const TExpr* e);
NodePtr MakeEligibleNode(const TExpr* e);
NodePtr MakeSlotNode(const TExpr* e);
NodePtr MakeFieldNode(const TExpr* e, NodePtr base);
NodePtr MakeDeclNode(const TExpr* e);
NodePtr MakeRegistryContainsNode(const TExpr* e, NodePtr key);
NodePtr MakeRegistryFetchNode(const TExpr* e, NodePtr key);
NodePtr MakeUnaryNode(const TExpr* e, NodePtr arg);
NodePtr MakeArithNode(const TExpr* e, NodePtr a, NodePtr b);
NodePtr MakeCompareNode(const TExpr* e, NodePtr a, NodePtr b);
// `constant_list`: the list's value when it is known at plan time (else null).
NodePtr MakeInNode(const TExpr* e, NodePtr item, NodePtr list, const Value* constant_list);
NodePtr MakeConstantParamNode(const TExpr* e, const Value& value);
NodePtr MakeLogicNode(const TExpr* e, NodePtr a, NodePtr b);  // kAnd / kOr
NodePtr MakeIfNode(const TExpr* e, NodePtr c, NodePtr a, NodePtr b);
NodePtr MakeListNode(const TExpr* e, std::vector<NodePtr> items);
NodePtr MakeFilterNode(const TExpr* e, NodePtr coll, NodePtr cond);
NodePtr MakeQuantNode(const TExpr* e, NodePtr coll, NodePtr cond);
NodePtr MakeAggregateNode(const TExpr* e, NodePtr coll, NodePtr mapping);
NodePtr MakeCallNode(const TExpr* e, std::vector<NodePtr> args);

// Human-readable path of a field read for missing-evidence reports, e.g. "成员[2].出生日期".
std::string FieldPath(const Frame& f, const TExpr& field_expr);

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_NODES_H_
