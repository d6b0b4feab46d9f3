// Registries: the verification data (核对数据) that applications are checked against.
//
// Pipeline position: an input to Program::Evaluate, beside the Application.
//
// Each registry is one field of heyan.v1.Registries (see proto/heyan/v1/registry.proto),
// named in English ("public_payroll_staff") or Chinese ("财政供养人员"). Records are indexed
// by resident ID number; membership tests are hash look-ups and record fetches parse the
// stored record on demand, so a 10-million-record registry stays compact.
//
//   heyan::Registries registries;
//   absl::Status s = registries.LoadFile("财政供养人员", "data/payroll.csv");
//   // s names file, line and field if a row is malformed; nothing is skipped silently.
//
// Thread-safety: loading is not thread-safe; once loading is done, a Registries object is
// read-only and may be shared by any number of evaluating threads.
#ifndef HEYAN_REGISTRY_H_
#define HEYAN_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace heyan {

enum class RegistryFormat {
  kAuto,        // from the file extension: .jsonl/.json, .pb/.bin, .csv, .txt
  kJsonLines,   // one protobuf-JSON record per line
  kBinary,      // length-delimited protobuf records (varint size, then bytes)
  kCsv,         // header row of field names (English or Chinese), then one record per row
  kIdList,      // one ID number per line; records hold only id_number
};

class Registries {
 public:
  Registries();
  ~Registries();
  Registries(Registries&&) noexcept;
  Registries& operator=(Registries&&) noexcept;
  Registries(const Registries&) = delete;
  Registries& operator=(const Registries&) = delete;

  // Loads `path` into the registry `name`, adding to what is already loaded.
  // Errors: NotFound for an unknown registry name or file; InvalidArgument naming
  // "file:line: field: problem" for the first malformed record (nothing is loaded then).
  absl::Status LoadFile(std::string_view name, const std::string& path,
                        RegistryFormat format = RegistryFormat::kAuto);

  // Adds one record. `record` must be of the registry's record type.
  absl::Status AddRecord(std::string_view name, const google::protobuf::Message& record);
  // Adds an ID number with an otherwise empty record.
  absl::Status AddId(std::string_view name, std::string_view id_number);

  // Number of records in registry `name` (0 for unknown or empty).
  size_t size(std::string_view name) const;
  // Names (English) of the registries the catalogue defines.
  static std::vector<std::string> Names();
  // Index of registry `name` in the catalogue, or -1.
  static int IndexOf(std::string_view name);

  // Low-level access used by the evaluator. `registry` is IndexOf(name).
  bool Contains(int registry, std::string_view id_number) const;
  // Appends the records of `id_number` to `out`, parsed into new messages owned by `out`.
  void Fetch(int registry, std::string_view id_number,
             std::vector<std::unique_ptr<google::protobuf::Message>>* out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace heyan

#endif  // HEYAN_REGISTRY_H_
