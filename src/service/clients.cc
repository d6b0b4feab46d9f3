// The --clients file (see clients.h).
#include "service/clients.h"

#include <openssl/sha.h>

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace heyan::service {

std::string Sha256Hex(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

absl::StatusOr<Clients> Clients::Parse(absl::string_view text, absl::string_view file) {
  Clients clients;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    auto error = [&](absl::string_view zh, absl::string_view en) {
      return absl::InvalidArgumentError(absl::StrCat(file, ":", line_no, ": ", zh, "（", en, "）"));
    };
    if (fields.size() != 3) {
      return error("每行应为“名称 凭据 县区”三项", "expected 'NAME CREDENTIAL COUNTIES'");
    }
    auto caller = std::make_unique<Caller>();
    caller->name = std::string(fields[0]);
    if (fields[2] == "*") {
      caller->all_counties = true;
    } else {
      for (absl::string_view c : absl::StrSplit(fields[2], absl::ByAnyChar(",，"), absl::SkipEmpty())) {
        caller->counties.insert(std::string(c));
      }
      if (caller->counties.empty()) return error("县区为空", "no county");
    }
    const absl::string_view cred = fields[1];
    if (absl::StartsWith(cred, "token:")) {
      const absl::string_view token = cred.substr(6);
      if (token.size() < 16) return error("令牌太短，至少 16 个字符", "token shorter than 16 characters");
      if (!clients.by_token_hash_.emplace(Sha256Hex(token), caller.get()).second) {
        return error("令牌与前面的客户端重复", "token used by an earlier client");
      }
    } else if (absl::StartsWith(cred, "sha256:")) {
      std::string hex = absl::AsciiStrToLower(cred.substr(7));
      if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return error("sha256: 后应为 64 位十六进制数", "sha256: needs 64 hex digits");
      }
      if (!clients.by_token_hash_.emplace(hex, caller.get()).second) {
        return error("令牌与前面的客户端重复", "token used by an earlier client");
      }
    } else if (cred == "cert") {
      if (!clients.by_cert_name_.emplace(caller->name, caller.get()).second) {
        return error("证书名称与前面的客户端重复", "certificate name used by an earlier client");
      }
    } else {
      return error("凭据应为 token:…、sha256:… 或 cert", "credential must be token:…, sha256:… or cert");
    }
    clients.callers_.push_back(std::move(caller));
  }
  if (clients.callers_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": 没有任何客户端（no clients）"));
  }
  return clients;
}

absl::StatusOr<Clients> Clients::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": 无法读取客户端文件（cannot read --clients）"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Parse(text, path);
}

const Caller* Clients::ByToken(absl::string_view token) const {
  auto it = by_token_hash_.find(Sha256Hex(token));
  return it == by_token_hash_.end() ? nullptr : it->second;
}

const Caller* Clients::ByCertificate(absl::string_view name) const {
  auto it = by_cert_name_.find(absl::string_view(name.data(), name.size()));
  return it == by_cert_name_.end() ? nullptr : it->second;
}

}  // namespace heyan::service
