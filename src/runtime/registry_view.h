// The verification data one evaluation may read: the registries loaded for the whole batch
// plus the request's own checks and records (VerificationRecords). Private to the runtime.
//
// Why a view: "not checked" must never read as "no record". Every lookup first asks which
// check covers the person in that registry; only a covering check can answer "found" or
// "not found", and the evaluator reports an uncovered lookup as missing evidence.
//
// Precedence, per registry and person: a request check naming the person (or naming nobody,
// i.e. everyone) wins, and then only its records are used; otherwise the loaded registry,
// if it is checked; otherwise not checked.
#ifndef HEYAN_RUNTIME_REGISTRY_VIEW_H_
#define HEYAN_RUNTIME_REGISTRY_VIEW_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "heyan/registry.h"
#include "heyan/v1/verification.pb.h"

namespace heyan::internal {

class RegistryView {
 public:
  // Which check answers a lookup: a request check (index into records.checks), the loaded
  // registry, or none.
  static constexpr int kLoaded = -1;
  static constexpr int kUnchecked = -2;

  // Points the view at this evaluation's data. `records` may be null (batch use). Checks and
  // records are validated: InvalidArgument naming the field ("records.checks[1].checked_on:
  // …") for an unknown registry, a check without a valid date or reference, or a record
  // that no check of its registry covers. Reuses its buffers: no allocation per call in
  // steady state.
  absl::Status Reset(const Registries* loaded, const v1::VerificationRecords* records);

  // The check that covers `id` in `registry`: >= 0, kLoaded or kUnchecked. Inline for
  // batch use (no request checks), where it is asked for every lookup.
  int Covering(int registry, std::string_view id) const {
    if (any_request_checks_) return RequestCovering(registry, id);
    return loaded_ != nullptr && loaded_->check(registry) != nullptr ? kLoaded : kUnchecked;
  }

  // Whether check `check` (from Covering, not kUnchecked) holds a record of `id`.
  bool Contains(int registry, int check, std::string_view id) const;
  // Appends the records of `id` under check `check` to `out`: request records point into
  // the request; loaded records are parsed into messages of `owned` (reused: see
  // Registries::FetchInto), valid until its `used` is reset.
  void Fetch(int registry, int check, std::string_view id, std::vector<const google::protobuf::Message*>* out,
             Registries::FetchBuffer* owned) const;

  // Provenance of a check, for Decision.checks.
  struct Provenance {
    std::string_view checked_on, reference, source;
  };
  Provenance ProvenanceOf(int registry, int check) const;

 private:
  int RequestCovering(int registry, std::string_view id) const;

  const Registries* loaded_ = nullptr;
  const v1::VerificationRecords* records_ = nullptr;
  // For each registry, the indices of the request checks that name it (in request order).
  std::vector<std::vector<int>> checks_by_registry_;
  bool any_request_checks_ = false;
};

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_REGISTRY_VIEW_H_
