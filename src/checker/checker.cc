// Check stage implementation: Run orders the checks. Checker (checker_impl.h) is spread over
// declarations.cc, tables.cc, graph.cc and expressions.cc.
#include "checker/checker.h"

#include <memory>

#include "checker/checker_impl.h"

namespace heyan::internal {

std::unique_ptr<CheckedProgram> Checker::Run(const CheckInput& input) {
  if (input.files.empty()) return nullptr;
  const ast::RuleFile& entry = *input.files.back();
  evaluation_limit_ = kEvaluationDepthPerNesting * input.max_nesting_depth;
  program_->name = entry.name;
  program_->version = entry.version;
  program_->basis = entry.basis.text;
  for (const ast::RuleFile* f : input.files) {
    unparsed_names_.insert(f->unparsed_names.begin(), f->unparsed_names.end());
    unparsed_rule_ids_.insert(f->unparsed_rule_ids.begin(), f->unparsed_rule_ids.end());
  }
  for (const ast::RuleFile* f : input.files) Declare(*f);
  for (int i : CheckOrder()) CheckDecl(i);
  for (const auto& [name, expr] : input.parameter_overrides) ApplyOverride(name, *expr);
  rule_deps_.resize(program_->rules.size());
  rule_uses_eligible_.assign(program_->rules.size(), false);
  for (size_t r = 0; r < program_->rules.size(); ++r) {
    bool uses = false;
    current_deps_ = &rule_deps_[r];
    current_uses_eligible_ = &uses;
    current_rule_ = static_cast<int>(r);
    CheckRule(*rule_sources_[r], &program_->rules[r]);
    rule_uses_eligible_[r] = uses;
  }
  current_deps_ = nullptr;
  current_uses_eligible_ = nullptr;
  if (!sink_->has_errors()) CheckCycles();
  if (!sink_->has_errors()) CheckEvaluationDepth();
  if (sink_->has_errors()) return nullptr;
  return std::move(program_);
}

std::unique_ptr<CheckedProgram> Check(const CheckInput& input, const SourceSet& sources, DiagnosticSink* sink) {
  Checker checker(sources, sink);
  return checker.Run(input);
}

}  // namespace heyan::internal
