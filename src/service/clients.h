// Who may call `heyan serve`, and for which counties (县区): the --clients file.
//
//   # 名称        凭据                         县区（逗号分隔；* 为全部）
//   xinmi         token:3f9c…                  新密市
//   dengfeng      sha256:<SHA-256 of the token> 登封市,新郑市
//   city-office   cert                         *
//
// One client per line, three fields separated by spaces or tabs; '#' starts a comment.
//  * token:SECRET   the client sends "authorization: Bearer SECRET";
//  * sha256:HEX     the same, with only the token's SHA-256 (hex) kept in the file;
//  * cert           the client presents a TLS client certificate whose common name (CN) is
//                   the client's name (the service must run with --tls-client-ca).
// Errors name the file and line (Chinese, then English in brackets).
//
// Thread-safety: a Clients object is immutable after Parse.
#ifndef HEYAN_SERVICE_CLIENTS_H_
#define HEYAN_SERVICE_CLIENTS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace heyan::service {

// An authenticated caller.
struct Caller {
  std::string name;
  bool all_counties = false;                     // "*"
  absl::flat_hash_set<std::string> counties;     // otherwise: the 县区 it may decide
  bool MayDecide(absl::string_view county) const { return all_counties || counties.contains(county); }
};

class Clients {
 public:
  // Parses the text of a clients file; `file` names it in errors.
  static absl::StatusOr<Clients> Parse(absl::string_view text, absl::string_view file);
  static absl::StatusOr<Clients> Load(const std::string& path);

  // The client whose token is `token`, or null.
  const Caller* ByToken(absl::string_view token) const;
  // The client named `name` authenticated by certificate, or null.
  const Caller* ByCertificate(absl::string_view name) const;
  size_t size() const { return callers_.size(); }

 private:
  std::vector<std::unique_ptr<Caller>> callers_;
  absl::flat_hash_map<std::string, const Caller*> by_token_hash_;  // hex SHA-256 of the token
  absl::flat_hash_map<std::string, const Caller*> by_cert_name_;
};

// Hex SHA-256 of `text`.
std::string Sha256Hex(absl::string_view text);

}  // namespace heyan::service

#endif  // HEYAN_SERVICE_CLIENTS_H_
