// SQLite audit log (see audit_log.h).
#include "service/audit_log.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "io/application_reader.h"

namespace heyan::service {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,              -- RFC 3339 UTC, microseconds
  client TEXT NOT NULL,            -- authenticated client name
  method TEXT NOT NULL,            -- Evaluate / EvaluateStream / Explain
  request_id TEXT NOT NULL,        -- the caller's request_id
  application_id TEXT NOT NULL,
  county TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,    -- SHA-256 of the request's deterministic serialization
  ruleset TEXT NOT NULL,
  rules_fingerprint TEXT NOT NULL,
  code INTEGER NOT NULL,           -- gRPC status code, 0 when decided
  outcome TEXT NOT NULL,           -- Outcome name, or the refusal's code name
  benefit_fen INTEGER,
  reasons TEXT NOT NULL,           -- JSON array of {rule_id, kind, message}
  message TEXT NOT NULL,           -- refusal message ('' when decided)
  id_numbers TEXT NOT NULL,        -- 'clear' or 'hmac': how ID numbers are stored
  request_json TEXT NOT NULL,      -- the request, protobuf JSON
  decision_json TEXT NOT NULL      -- the decision without its trace, protobuf JSON ('' if refused)
);
CREATE INDEX IF NOT EXISTS decisions_request ON decisions(request_sha256);
CREATE INDEX IF NOT EXISTS decisions_application ON decisions(application_id);
)sql";

constexpr char kInsert[] =
    "INSERT INTO decisions (time, client, method, request_id, application_id, county, request_sha256, "
    "ruleset, rules_fingerprint, code, outcome, benefit_fen, reasons, message, id_numbers, request_json, "
    "decision_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

const char* kCodeNames[] = {"OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
                            "DEADLINE_EXCEEDED", "NOT_FOUND",   "ALREADY_EXISTS",    "PERMISSION_DENIED",
                            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                            "UNIMPLEMENTED", "INTERNAL",        "UNAVAILABLE",       "DATA_LOSS",
                            "UNAUTHENTICATED"};

bool IsIdField(const FieldDescriptor* f) {
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return false;
  const std::string& n = f->name();
  return n == "id_number" || n == "id_numbers" || n == "addressee_id_number" ||
         (n.size() > 10 && n.compare(n.size() - 10, 10, "_id_number") == 0);
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out += absl::StrCat("\\u00", absl::BytesToHexString(std::string(1, static_cast<char>(c))));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

// Protobuf JSON with proto field names: io::ProtoJsonWriter prints exactly what
// MessageToJsonString would, several times faster (one writer per thread: it keeps scratch).
std::string ToJson(const Message& m) {
  thread_local io::ProtoJsonWriter writer;
  std::string out;
  writer.Append(m, &out);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditOptions& options) {
  std::unique_ptr<AuditLog> log(new AuditLog());
  absl::Status s = log->Init(options);
  if (!s.ok()) return s;
  return log;
}

absl::Status AuditLog::Init(const AuditOptions& options) {
  absl::MutexLock lock(&mu_);
  store_pii_ = options.store_pii;
  auto fail = [&](absl::string_view what) {
    std::string m = absl::StrCat(options.path, ": 审计日志", what, "：",
                                 db_ != nullptr ? sqlite3_errmsg(db_) : "无法打开", "（audit log: ", what, "）");
    return absl::UnavailableError(m);
  };
  if (sqlite3_open_v2(options.path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    return fail("无法打开");
  }
  sqlite3_busy_timeout(db_, 5000);
  // WAL: readers (auditors) never block the service; NORMAL: a commit survives a crash of
  // the service (not of the machine's power), at a fraction of FULL's cost.
  if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr) !=
          SQLITE_OK ||
      sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("无法建表");
  }
  if (!options.key_file.empty()) {
    std::ifstream in(options.key_file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(options.key_file, ": 无法读取审计密钥文件（cannot read --audit-key）"));
    key_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (key_.size() < 16) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.key_file, ": 审计密钥太短，至少 16 字节（--audit-key needs at least 16 bytes）"));
    }
  } else {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='id_hmac_key'", -1, &st, nullptr);
    if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
      key_.assign(static_cast<const char*>(sqlite3_column_blob(st, 0)), sqlite3_column_bytes(st, 0));
    }
    sqlite3_finalize(st);
    if (key_.empty()) {
      unsigned char bytes[32];
      if (RAND_bytes(bytes, sizeof bytes) != 1) return absl::InternalError("RAND_bytes failed");
      key_.assign(reinterpret_cast<const char*>(bytes), sizeof bytes);
      sqlite3_prepare_v2(db_, "INSERT INTO meta (key, value) VALUES ('id_hmac_key', ?)", -1, &st, nullptr);
      sqlite3_bind_blob(st, 1, key_.data(), static_cast<int>(key_.size()), SQLITE_TRANSIENT);
      const int rc = st != nullptr ? sqlite3_step(st) : SQLITE_ERROR;
      sqlite3_finalize(st);
      if (rc != SQLITE_DONE) return fail("无法写入");
    }
  }
  if (sqlite3_prepare_v2(db_, kInsert, -1, &insert_, nullptr) != SQLITE_OK) return fail("无法准备语句");
  return absl::OkStatus();
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

std::string AuditLog::RequestHash(const v1::VerificationRequest& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string AuditLog::HashId(absl::string_view id) const {
  if (store_pii_ || id.empty()) return std::string(id);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(id.data()),
       id.size(), mac, &len);
  return absl::StrCat("hmac:", absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), len)));
}

void AuditLog::HashIds(Message* message) const {
  if (store_pii_) return;
  const Reflection* r = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*message, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*message, f); ++i) HashIds(r->MutableRepeatedMessage(message, f, i));
      } else {
        HashIds(r->MutableMessage(message, f));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      const bool id = IsIdField(f);
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*message, f); ++i) {
          const std::string v = r->GetRepeatedString(*message, f, i);
          r->SetRepeatedString(message, f, i, id ? HashId(v) : HashIdsInText(v));
        }
      } else {
        const std::string v = r->GetString(*message, f);
        r->SetString(message, f, id ? HashId(v) : HashIdsInText(v));
      }
    }
  }
}

std::string AuditLog::HashIdsInText(absl::string_view text) const {
  if (store_pii_) return std::string(text);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    // An ID-like run: 17 digits, then a digit or X, not inside a longer run of digits.
    if (digit(text[i]) && (i == 0 || !digit(text[i - 1])) && i + 18 <= text.size()) {
      size_t j = i;
      while (j < i + 17 && digit(text[j])) ++j;
      if (j == i + 17 && (digit(text[j]) || text[j] == 'X' || text[j] == 'x') &&
          (j + 1 == text.size() || !digit(text[j + 1]))) {
        out += HashId(text.substr(i, 18));
        i += 18;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

absl::Status AuditLog::Append(const AuditEntry& e) {
  v1::VerificationRequest request;
  if (e.request != nullptr) request = *e.request;
  const std::string hash = RequestHash(request);
  HashIds(&request);
  std::string reasons = "[";
  std::string decision_json, outcome;
  bool has_benefit = false;
  int64_t benefit = 0;
  if (e.decision != nullptr) {
    v1::Decision d = *e.decision;
    d.clear_trace();
    HashIds(&d);
    for (const v1::Reason& r : d.reasons()) {
      if (reasons.size() > 1) reasons += ",";
      absl::StrAppend(&reasons, "{\"rule_id\":", JsonString(r.rule_id()), ",\"kind\":",
                      JsonString(v1::ReasonKind_Name(r.kind())), ",\"message\":", JsonString(r.message()), "}");
    }
    decision_json = ToJson(d);
    outcome = v1::Outcome_Name(d.outcome());
    has_benefit = true;
    benefit = d.benefit_fen();
  } else {
    outcome = e.code >= 0 && e.code < 17 ? kCodeNames[e.code] : absl::StrCat(e.code);
  }
  reasons += "]";
  const std::string request_json = ToJson(request);
  const std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  const std::string message = HashIdsInText(e.message);

  absl::MutexLock lock(&mu_);
  sqlite3_stmt* st = insert_;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  int k = 0;
  auto text = [&](absl::string_view s) {
    sqlite3_bind_text(st, ++k, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  text(time);
  text(e.client);
  text(e.method);
  text(request.request_id());
  text(request.application().id());
  text(request.application().county());
  text(hash);
  text(e.ruleset);
  text(e.fingerprint);
  sqlite3_bind_int(st, ++k, e.code);
  text(outcome);
  if (has_benefit) {
    sqlite3_bind_int64(st, ++k, benefit);
  } else {
    sqlite3_bind_null(st, ++k);
  }
  text(reasons);
  text(message);
  text(store_pii_ ? "clear" : "hmac");
  text(request_json);
  text(decision_json);
  if (sqlite3_step(st) != SQLITE_DONE) {
    return absl::UnavailableError(absl::StrCat("审计日志写入失败：", sqlite3_errmsg(db_),
                                               "（audit log write failed; nothing was decided）"));
  }
  return absl::OkStatus();
}

int64_t AuditLog::rows() const {
  absl::MutexLock lock(&mu_);
  sqlite3_stmt* st = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM decisions", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return n;
}

}  // namespace heyan::service
