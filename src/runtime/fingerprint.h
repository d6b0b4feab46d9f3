// SHA-256 fingerprints of rule sets. Private to the compiler and runtime.
#ifndef HEYAN_RUNTIME_FINGERPRINT_H_
#define HEYAN_RUNTIME_FINGERPRINT_H_

#include <string>

namespace heyan::internal {

// Incremental SHA-256 (OpenSSL) producing lowercase hex.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  // Adds a length-prefixed field, so ("ab","c") and ("a","bc") hash differently.
  void AddField(const std::string& data);
  std::string HexDigest();

 private:
  void* ctx_;
};

}  // namespace heyan::internal

#endif  // HEYAN_RUNTIME_FINGERPRINT_H_
