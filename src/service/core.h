// The verification service without its transport: what `heyan serve` does for each call,
// callable from the gRPC glue (service/grpc_service.h), the fuzz target and the tests.
//
//   CoreOptions options;
//   options.rules = {"rules/henan"};
//   options.registries.AddRegistry("财政供养人员=payroll.csv");
//   options.audit.path = "audit.db";
//   std::unique_ptr<Core> core = Core::Create(options).value();
//   v1::Decision decision;
//   absl::Status s = core->Evaluate(caller, "Evaluate", request, &decision);
//
// Rule sets: every entry rule set (heyan::FindRuleFiles) of every --rules folder is compiled
// and held by name; a request picks one with `ruleset` (empty: the default). Reload()
// compiles everything again, with the registries, and swaps the new set in at once: a call
// uses the set it started with to its end, so no call sees half a reload, and a reload that
// fails (a rule error, a bad registry file) keeps the old set serving.
//
// Failure tiers: every refusal is an absl::Status whose message is Chinese first, then
// English in brackets; InvalidArgument messages start with the field path. Every decision
// and every refusal of an authenticated request is appended to the audit log.
//
// Thread-safety: all methods may be called from any number of threads at once.
#ifndef HEYAN_SERVICE_CORE_H_
#define HEYAN_SERVICE_CORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "cli/registry_flags.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/service.pb.h"
#include "service/audit_log.h"
#include "service/clients.h"

namespace heyan::service {

struct CoreOptions {
  // Folders (or files) of rule sets; every entry rule set in them is served.
  std::vector<std::string> rules;
  // The rule set used when a request names none; empty: the only one, if there is one.
  std::string default_ruleset;
  // Verification data loaded for every request (--registry, --checked-on).
  cli::RegistryFlags registries;
  RegistryOptions registry_options;
  AuditOptions audit;
  // Most requests in one EvaluateStream call.
  int max_batch = 10000;
};

// One compiled rule set.
struct LoadedRuleSet {
  std::string name;
  std::string file;  // entry rule file
  std::shared_ptr<const Program> program;
};

// What one (re)load produced; immutable, shared by the calls that started under it.
struct Snapshot {
  std::vector<LoadedRuleSet> rule_sets;  // sorted by name
  int default_index = -1;                // -1: requests must name a rule set
  std::shared_ptr<const Registries> registries;
  std::string loaded_at;                 // RFC 3339 UTC
  int generation = 0;
  // The files read, with their size and modification time, to notice changes (Changed()).
  std::vector<std::string> files;
  std::string files_stamp;
};

class Core {
 public:
  static absl::StatusOr<std::unique_ptr<Core>> Create(const CoreOptions& options);

  // Compiles and loads everything again and swaps it in. On error the old set stays.
  absl::Status Reload();
  // True when a file the current set was read from changed (size or time) or disappeared,
  // or a rule file appeared in a --rules folder.
  bool Changed() const;
  std::shared_ptr<const Snapshot> snapshot() const;

  // Decides `request` for `caller`: validation (field paths), the caller's 县区, the rule
  // set and its pinned fingerprint, then Program::Evaluate; audited as `method`.
  // `trace` asks for Decision.trace (Explain).
  absl::Status Evaluate(const Caller& caller, const char* method, const v1::VerificationRequest& request,
                        v1::Decision* decision, bool trace = false) const;
  absl::Status Explain(const Caller& caller, const v1::ExplainRequest& request, v1::ExplainResponse* response) const;
  // Compiles the source of `request` (never loads it).
  absl::Status Check(const v1::CheckRequest& request, v1::CheckResponse* response) const;
  void RuleSets(v1::RuleSetsResponse* response) const;

  const CoreOptions& options() const { return options_; }
  AuditLog* audit() const { return audit_.get(); }

 private:
  explicit Core(const CoreOptions& options) : options_(options) {}
  absl::StatusOr<std::shared_ptr<const Snapshot>> Load(int generation) const;
  absl::Status Decide(const Caller& caller, const Snapshot& snap, const v1::VerificationRequest& request,
                      bool trace, v1::Decision* decision, const LoadedRuleSet** used) const;

  const CoreOptions options_;
  std::unique_ptr<AuditLog> audit_;
  mutable absl::Mutex reload_mu_;  // one reload at a time
  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

// "中文（English）": how every status message of the service reads.
std::string Bilingual(absl::string_view zh, absl::string_view en);

}  // namespace heyan::service

#endif  // HEYAN_SERVICE_CORE_H_
