// The concrete Program: the checked rule set plus its flat plan (runtime/plan.h). Private
// to the runtime and the planner; users see heyan/program.h.
#ifndef HEYAN_RUNTIME_PROGRAM_IMPL_H_
#define HEYAN_RUNTIME_PROGRAM_IMPL_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "checker/checker.h"
#include "heyan/program.h"
#include "runtime/frame.h"
#include "runtime/plan.h"

namespace heyan::internal {

struct ProgramParts {
  std::unique_ptr<CheckedProgram> checked;
  Plan plan;
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
  const Plan& plan() const { return plan_; }

 private:
  // What one evaluation decided so far, for the outcome.
  struct Tally {
    bool ineligible = false, review = false, missing = false, fault = false;
  };

  absl::Status EvaluateImpl(const EvalInput& input, const Registries& registries, const EvalOptions& options,
                            v1::Decision* decision) const override;
  // Points the thread's frame at this program and this evaluation's input.
  absl::Status BeginEvaluation(Frame& f, const EvalInput& input, const Registries& registries,
                               const EvalOptions& options) const;
  // Decides every live rule: the 不符合 rules, then 符合条件, then the others.
  void DecideRules(Frame& f) const;
  RuleResult DecideRule(Frame& f, int index) const;
  // Decision.reasons (rule-file order) and the missing-evidence entries of 缺少材料 rules.
  void AddReasons(Frame& f, const EvalOptions& options, v1::Decision* decision, Tally* tally) const;
  // Missing evidence and faults of the rules that could not be decided, then the outputs.
  void AddUndecidedAndOutputs(Frame& f, const EvalOptions& options, v1::Decision* decision, Tally* tally) const;
  void AddTrace(Frame& f, v1::Decision* decision) const;

  bool ComputeDecl(Frame& f, int index, Value* out) const;
  bool EvalTable(Frame& f, int index, Value* out) const;
  // Writes the reason of rule `index` (which applied) into `reason`; with `explain` its
  // title, citation, location, message and values too.
  void AddReason(Frame& f, int index, v1::Reason* reason, bool explain) const;
  static void ResetDecision(v1::Decision* decision);
  // For a per-item rule (每个): adds the owner of the item bound now (the one that applied).
  void AddEachSubject(Frame& f, int index, google::protobuf::RepeatedPtrField<std::string>* subjects) const;
  // The function's value as text for an explanation. With `subjects`, also adds whose data
  // the text shows (subjects.h): the owners of the messages it read and of the items it lists.
  std::string Render(Frame& f, const Function& fn, google::protobuf::RepeatedPtrField<std::string>* subjects = nullptr) const;
  // Computes the function's value for an explanation (see Render); false if it cannot be.
  bool RenderValue(Frame& f, const Function& fn, google::protobuf::RepeatedPtrField<std::string>* subjects, Value* out) const;
  // Writes an input of a reason or trace step (the evidence expression `fn`) into `nv`: its
  // source text, the value as text and typed, whose data it shows and the named values it
  // reads (NamedValue.declarations); the last two only when `typed`.
  void RenderInput(Frame& f, const Function& fn, v1::NamedValue* nv, bool typed = true) const;
  // Whether `e` reads a variable bound outside it to a plain value (not a message) taken
  // from persons' data, e.g. the 每个 variable of `每个 金额 在 家庭成员.收入.金额`: whose value
  // it is cannot be told, so explanations treat it as another person's.
  bool ReadsPersonScalarSlot(const TExpr& e) const;

  const uint64_t id_;  // unique per Program, so a frame knows whose constants it holds
  std::unique_ptr<CheckedProgram> checked_;
  Plan plan_;
  std::vector<int> ineligible_rules_, other_rules_, outputs_;
  // The well-known Decision field each declaration fills (记为), by declaration.
  enum class OutputKey : uint8_t { kNone, kCountedIncome, kPerCapitaIncome, kBenefit, kStandard, kTier, kCoveredMembers };
  std::vector<OutputKey> output_keys_;
  std::vector<std::string> rule_locations_;  // "file:line", by rule
  // By slot: bound to plain values drawn from persons' data (see ReadsPersonScalarSlot).
  std::vector<bool> person_scalar_slot_;
  // Message parts and evidence for which ReadsPersonScalarSlot holds.
  absl::flat_hash_set<const TExpr*> person_scalar_texts_;
  std::string fingerprint_;
  std::vector<DeclarationInfo> declarations_;
  // Indices into declarations_ (Program::declarations()), by checked declaration and by
  // checked rule; -1 for one that is overridden (not live).
  std::vector<int32_t> decl_info_index_, rule_info_index_;
  // The named values each evidence expression reads, as indices into declarations_, in the
  // order it names them (NamedValue.declarations).
  absl::flat_hash_map<const TExpr*, std::vector<int32_t>> declarations_read_;
  std::vector<Diagnostic> warnings_;
};

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_PROGRAM_IMPL_H_
