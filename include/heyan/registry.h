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
//   heyan::RegistryCheckInfo check;            // optional: when and under which reference
//   check.checked_on = "2024-03-01";           //   the data set was produced
//   check.reference = "财政局 2024-03 批次";
//   absl::Status s = registries.LoadFile("财政供养人员", "data/payroll.csv",
//                                        heyan::RegistryFormat::kAuto, check);
//   // s names file, line and field if a row is malformed; nothing is skipped silently.
//
// Checked versus "no record": a registry counts as checked for everyone only once it has a
// RegistryCheckInfo (LoadFile gives it one; records added one by one need MarkChecked).
// The evaluator treats a lookup in an unchecked registry as missing evidence
// ("财政供养人员 未核对"), never as "no record", and lists the check it used in
// Decision.checks. Per-household checks travel in a VerificationRequest instead
// (proto/heyan/v1/verification.proto).
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

// Provenance of a registry loaded for the whole batch: what Decision.checks cites.
struct RegistryCheckInfo {
  // Date of the data set, "YYYY-MM-DD". LoadFile: empty means the file's modification date.
  std::string checked_on;
  // Batch reference (核对批次). LoadFile: empty means "<file name>（<size> 字节）".
  std::string reference;
  // Department or system that supplied it (数据来源); may be empty.
  std::string source;
};

class Registries {
 public:
  Registries();
  ~Registries();
  Registries(Registries&&) noexcept;
  Registries& operator=(Registries&&) noexcept;
  Registries(const Registries&) = delete;
  Registries& operator=(const Registries&) = delete;

  // Loads `path` into the registry `name`, adding to what is already loaded, and marks the
  // registry checked for everyone with `check` (its empty fields filled from the file, see
  // RegistryCheckInfo). Loading a second file into a registry joins the references with
  // "；" and keeps the earlier date: the oldest data a decision may rest on.
  // Errors: NotFound for an unknown registry name or file; InvalidArgument naming
  // "file:line: field: problem" for the first malformed record (nothing is loaded then);
  // InvalidArgument for a check date that is not YYYY-MM-DD.
  absl::Status LoadFile(std::string_view name, const std::string& path,
                        RegistryFormat format = RegistryFormat::kAuto,
                        const RegistryCheckInfo& check = {});

  // Adds one record. `record` must be of the registry's record type. Does not mark the
  // registry checked: call MarkChecked once the registry is complete.
  absl::Status AddRecord(std::string_view name, const google::protobuf::Message& record);
  // Adds an ID number with an otherwise empty record (same as AddRecord).
  absl::Status AddId(std::string_view name, std::string_view id_number);

  // States that registry `name` was checked for everyone, when and under which reference:
  // from now on a person without records in it has "no record" rather than "not checked".
  // `check.checked_on` must be a date YYYY-MM-DD and `check.reference` non-empty
  // (InvalidArgument otherwise); NotFound for an unknown name. Replaces an earlier check.
  absl::Status MarkChecked(std::string_view name, const RegistryCheckInfo& check);
  // The check of registry `index` (IndexOf), or null when it was never checked.
  const RegistryCheckInfo* check(int index) const;

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
