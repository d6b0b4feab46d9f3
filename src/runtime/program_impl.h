// The concrete Program: the checked rule set plus its planned nodes. Private to the
// runtime and the planner; users see heyan/program.h.
#ifndef HEYAN_RUNTIME_PROGRAM_IMPL_H_
#define HEYAN_RUNTIME_PROGRAM_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "checker/checker.h"
#include "heyan/program.h"
#include "runtime/frame.h"
#include "runtime/nodes.h"

namespace heyan::internal {

struct CellPlan {
  ast::CellKind kind = ast::CellKind::kAny;
  ast::Op op = ast::Op::kNone;
  bool lo_closed = true, hi_closed = false;
  NodePtr a, b;
};

struct RowPlan {
  std::vector<CellPlan> cells;
  NodePtr result;
};

struct DeclPlan {
  NodePtr value;                  // values and outputs
  std::vector<NodePtr> inputs;    // tables
  std::vector<RowPlan> rows;
  NodePtr otherwise;
};

struct RulePlan {
  NodePtr each;
  NodePtr condition;
  std::vector<NodePtr> exceptions;
  std::vector<NodePtr> message;   // parallel to CheckedRule::message (null for literal text)
  std::vector<NodePtr> evidence;  // parallel to CheckedRule::evidence
};

struct ProgramParts {
  std::unique_ptr<CheckedProgram> checked;
  std::vector<DeclPlan> decls;
  std::vector<RulePlan> rules;
  std::vector<std::vector<NodePtr>> decl_evidence;  // parallel to CheckedDecl::evidence
  std::string fingerprint;
  std::vector<DeclarationInfo> declarations;
  std::vector<Diagnostic> warnings;
};

class ProgramImpl final : public Program {
 public:
  explicit ProgramImpl(ProgramParts parts);

  const std::string& name() const override { return checked_->name; }
  const std::string& version() const override { return checked_->version; }
  const std::string& fingerprint() const override { return fingerprint_; }
  const std::vector<DeclarationInfo>& declarations() const override { return declarations_; }
  const std::vector<Diagnostic>& warnings() const override { return warnings_; }

  // Value of declaration `index` in this evaluation (computed once, then cached in the frame).
  bool EvalDecl(Frame& f, int index, Value* out) const;

  const CheckedProgram& checked() const { return *checked_; }

 private:
  absl::Status EvaluateImpl(const EvalInput& input, const Registries& registries, const EvalOptions& options,
                            v1::Decision* decision) const override;
  bool ComputeDecl(Frame& f, int index, Value* out) const;
  bool EvalTable(Frame& f, int index, Value* out) const;
  // 1 applies, 0 does not apply, -1 cannot be decided (cause in f.last_cause).
  int EvalRule(Frame& f, int index, std::vector<std::string>* excepted) const;
  void AddReason(Frame& f, int index, v1::Decision* decision) const;
  // For a per-item rule (每个): adds the owner of the item bound now (the one that applied).
  void AddEachSubject(Frame& f, int index, google::protobuf::RepeatedPtrField<std::string>* subjects) const;
  // The node's value as text for an explanation. With `subjects`, also adds whose data the
  // text shows (subjects.h): the owners of the messages it read and of the items it lists.
  std::string Render(Frame& f, const Node& node, google::protobuf::RepeatedPtrField<std::string>* subjects = nullptr) const;
  // Whether `e` reads a variable bound outside it to a plain value (not a message) taken
  // from persons' data, e.g. the 每个 variable of `每个 金额 在 家庭成员.收入.金额`: whose value
  // it is cannot be told, so explanations treat it as another person's.
  bool ReadsPersonScalarSlot(const TExpr& e) const;

  std::unique_ptr<CheckedProgram> checked_;
  std::vector<DeclPlan> decls_;
  std::vector<RulePlan> rules_;
  std::vector<std::vector<NodePtr>> decl_evidence_;
  std::vector<int> ineligible_rules_, other_rules_, outputs_;
  // By slot: bound to plain values drawn from persons' data (see ReadsPersonScalarSlot).
  std::vector<bool> person_scalar_slot_;
  // Message parts and evidence for which ReadsPersonScalarSlot holds.
  absl::flat_hash_set<const TExpr*> person_scalar_texts_;
  std::string fingerprint_;
  std::vector<DeclarationInfo> declarations_;
  std::vector<Diagnostic> warnings_;
};

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_PROGRAM_IMPL_H_
