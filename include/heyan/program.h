// Program: a compiled, immutable rule set that decides applications.
//
// Pipeline position: the output of heyan::CompileFile (compiler.h); evaluation is the last
// stage before explanation (explain.h).
//
//   std::shared_ptr<const heyan::Program> program = ...;  // from CompileFile
//   heyan::v1::Decision decision;
//   // Batch use: registries loaded for everyone (Registries::LoadFile).
//   absl::Status s = program->Evaluate(application, registries, {}, &decision);
//   // Online use: one household with its own verification results (核对结果).
//   heyan::v1::VerificationRequest request;  // application + records + as_of
//   s = program->Evaluate(request, registries, {}, &decision);
//
// Failure tiers:
//  * non-ok Status (InvalidArgument, naming the field): the call could not run: an
//    unparsable as-of date (options, request or application), or a request whose records
//    are inconsistent (a check of an unknown registry, without date or reference, or a
//    record no check covers).
//  * Everything about the application is in the Decision: rules that applied, missing
//    evidence (a field the rules need but the application lacks), and per-rule faults such
//    as arithmetic overflow. A fault in one rule never stops the others.
//
// Thread-safety: a Program is immutable; Evaluate is const and keeps its working state in a
// frame private to the calling thread (reused by that thread's next call), so one Program
// may be evaluated by any number of threads at once.
// Copying is disabled: share it through std::shared_ptr<const Program>.
#ifndef HEYAN_PROGRAM_H_
#define HEYAN_PROGRAM_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "heyan/diagnostic.h"
#include "heyan/export.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "heyan/v1/verification.pb.h"

namespace heyan {

class Registries;

// Engine version, part of every rules fingerprint.
inline constexpr char kEngineVersion[] = "heyan 0.2.0";

struct EvalOptions {
  // Evaluation date "YYYY-MM-DD". Empty: the application's as_of, else its
  // application_date; if both are empty the decision reports missing evidence.
  std::string as_of;
  // Record every rule, value and parameter with its inputs in Decision.trace.
  // Costs nothing when false.
  bool trace = false;
  // Fill each reason's title, citation, location, message and values, and the text of
  // every amount. Screening runs that need only outcomes, rule ids and amounts in fen may
  // turn this off; nothing else in the Decision changes.
  bool explain = true;
};

// What a rule set declares, for tools (coverage, assumptions, documentation).
struct DeclarationInfo {
  std::string kind;      // "rule", "parameter", "value", "output", "table"
  std::string name;      // rule id or declared name
  std::string title;     // rule title; empty for others
  std::string citation;  // 依据
  std::string file;
  int line = 0;
  bool assumption = false;       // parameter marked 假设
  std::string assumption_reason; // its 理由
  std::string value;             // parameters: values by date, rendered
  int branches = 0;              // tables: rows (+1 for 否则); parameters: dated values
  // Parameters: the dates ("YYYY-MM-DD") its dated values take effect, in order (a value
  // that holds from the beginning has none); TraceStep.effective_from names one of them.
  std::vector<std::string> effective_dates;
  std::vector<std::string> exception_titles;  // rules: titles of their 例外 clauses, in order
  bool has_otherwise = false;    // tables: whether there is an 否则 row
};

class HEYAN_EXPORT Program {
 public:
  virtual ~Program() = default;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Decides one application against the registries loaded for the whole batch: a registry
  // that `registries` has no check for is "not checked" for everyone. `decision` is
  // cleared first; reusing one Decision across calls avoids allocations.
  absl::Status Evaluate(const v1::Application& application, const Registries& registries,
                        const EvalOptions& options, v1::Decision* decision) const {
    return EvaluateImpl(EvalInput{&application, nullptr, {}, {}}, registries, options, decision);
  }
  absl::StatusOr<v1::Decision> Evaluate(const v1::Application& application,
                                        const Registries& registries,
                                        const EvalOptions& options = {}) const;

  // Decides one household with its own verification results. For each registry and person,
  // a check in `request.records` wins over the loaded `registries` (its records alone are
  // used); a person no check covers is looked up in `registries` if that registry is
  // checked there, else "not checked" (missing evidence). Decision.request_id is copied.
  absl::Status Evaluate(const v1::VerificationRequest& request, const Registries& registries,
                        const EvalOptions& options, v1::Decision* decision) const {
    return EvaluateImpl(EvalInput{&request.application(), &request.records(), request.as_of(),
                                  request.request_id()},
                        registries, options, decision);
  }
  absl::StatusOr<v1::Decision> Evaluate(const v1::VerificationRequest& request,
                                        const Registries& registries,
                                        const EvalOptions& options = {}) const;

  // Rule set name, version and the document it encodes.
  virtual const std::string& name() const = 0;
  virtual const std::string& version() const = 0;
  // Hex SHA-256 over the rule sources, the resolved parameter values and kEngineVersion.
  virtual const std::string& fingerprint() const = 0;
  // Every declaration, imported ones included, in file order.
  virtual const std::vector<DeclarationInfo>& declarations() const = 0;
  // Warnings the compiler reported (errors prevent a Program from existing).
  virtual const std::vector<Diagnostic>& warnings() const = 0;

 protected:
  Program() = default;

  // What one evaluation decides: the application, the per-household records (null for
  // batch use), and the request's as-of date and id (empty if none).
  struct EvalInput {
    const v1::Application* application;
    const v1::VerificationRecords* records;
    std::string_view as_of;
    std::string_view request_id;
  };

 private:
  virtual absl::Status EvaluateImpl(const EvalInput& input, const Registries& registries,
                                    const EvalOptions& options, v1::Decision* decision) const = 0;
};

}  // namespace heyan

#endif  // HEYAN_PROGRAM_H_
