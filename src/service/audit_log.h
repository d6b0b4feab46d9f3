// The audit log of `heyan serve`: one SQLite row per request decided or refused.
//
// Why: a county must be able to prove, months later, what the service decided for a
// household and with which rules. Each row holds the time, the client, the SHA-256 of the
// request (its deterministic protobuf serialization, which the county can recompute from the
// request it kept), the rule set and its fingerprint, the outcome, the benefit, the reasons,
// and the request and decision themselves (protobuf JSON): with the same rules (the
// fingerprint) and the request, anyone can replay the decision and compare.
//
// Privacy: ID numbers (every field named id_number, *_id_number or id_numbers, and any
// 18-character ID-like run in messages) are stored as "hmac:" + HMAC-SHA256(key, ID) unless
// the service runs with --audit-pii. The key is --audit-key's file, else a random key kept
// in the database (then whoever holds the database can test guesses; keep the key apart to
// prevent that). The same ID always gives the same hash, so an auditor holding an ID can
// still find its rows.
//
// Thread-safety: Append may be called from any number of threads (one connection behind a
// mutex; SQLite in WAL mode). A row is committed before Append returns: the service
// answers only decisions that are recorded.
#ifndef HEYAN_SERVICE_AUDIT_LOG_H_
#define HEYAN_SERVICE_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "heyan/v1/decision.pb.h"
#include "heyan/v1/verification.pb.h"

struct sqlite3;
struct sqlite3_stmt;

namespace heyan::service {

struct AuditOptions {
  std::string path;          // the SQLite file (created if missing)
  bool store_pii = false;    // keep ID numbers in clear (--audit-pii)
  std::string key_file;      // HMAC key for ID numbers; empty: a random key kept in the database
};

// One request as the log records it.
struct AuditEntry {
  std::string client;        // authenticated client name ("anonymous" without --clients)
  std::string method;        // "Evaluate", "EvaluateStream", "Explain"
  const v1::VerificationRequest* request = nullptr;
  std::string ruleset;       // rule set name used (empty if refused before choosing)
  std::string fingerprint;   // its rules fingerprint
  // Decided: the decision. Refused: null, with the gRPC code and message.
  const v1::Decision* decision = nullptr;
  int code = 0;
  std::string message;
};

class AuditLog {
 public:
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const AuditOptions& options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends and commits one row. Unavailable if SQLite cannot write it.
  absl::Status Append(const AuditEntry& entry);

  // Hex SHA-256 of the deterministic serialization of `request`.
  static std::string RequestHash(const v1::VerificationRequest& request);
  // `id` as the log stores it: itself with store_pii, else "hmac:<hex>".
  std::string HashId(absl::string_view id) const;
  // Replaces every ID number in `message` (by field name) by HashId; no-op with store_pii.
  void HashIds(google::protobuf::Message* message) const;
  // Replaces every ID-like run (17 digits and a digit or X) in `text`.
  std::string HashIdsInText(absl::string_view text) const;

  int64_t rows() const;

 private:
  AuditLog() = default;
  absl::Status Init(const AuditOptions& options);

  bool store_pii_ = false;
  std::string key_;
  mutable absl::Mutex mu_;
  sqlite3* db_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace heyan::service

#endif  // HEYAN_SERVICE_AUDIT_LOG_H_
