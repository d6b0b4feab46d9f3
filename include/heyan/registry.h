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
//   // registries.files() says how many records each file added.
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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "heyan/export.h"

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

// How strictly loading checks resident ID numbers (see Registries::LoadFile).
struct RegistryOptions {
  // The 18th character of a resident ID is an ISO 7064 MOD 11-2 check character. A wrong
  // one is accepted by default (registries copied by hand do hold such IDs, and the ID
  // still names the person the application names) and counted in
  // RegistryFile::bad_check_characters; true refuses the file instead, naming file:line.
  bool reject_bad_check_character = false;
};

// One file LoadFile loaded.
struct RegistryFile {
  std::string registry;  // English registry name, e.g. "public_payroll_staff"
  std::string path;      // as given to LoadFile
  size_t records = 0;    // records this file added
  // IDs whose check character is wrong (accepted; see RegistryOptions), and "file:line"
  // (binary: "file: record N") of the first of them, or "".
  size_t bad_check_characters = 0;
  std::string first_bad_check_character;
};

class HEYAN_EXPORT Registries {
 public:
  Registries();
  explicit Registries(const RegistryOptions& options);
  ~Registries();
  Registries(Registries&&) noexcept;
  Registries& operator=(Registries&&) noexcept;
  Registries(const Registries&) = delete;
  Registries& operator=(const Registries&) = delete;

  // Loads `path` into the registry `name`, adding to what is already loaded, and marks the
  // registry checked for everyone with `check` (its empty fields filled from the file, see
  // RegistryCheckInfo). Loading a second file into a registry joins the references with
  // "；" and keeps the earlier date: the oldest data a decision may rest on.
  //
  // The file is read once, front to back, as a stream: a pipe (`<(cat ids.txt)`, /dev/stdin
  // from a pipe) or a FIFO reads like a regular file. Text formats may be UTF-8 (with or
  // without a byte order mark) or UTF-16 (LE/BE; converted). Every record is checked:
  //  * id_number must be a resident ID of 18 characters (17 digits, then a digit or X); an
  //    ID list line may wrap it as "…", '…', ="…" or '… (spreadsheet exports). A wrong
  //    check character is accepted and counted, or refused (RegistryOptions);
  //  * money, areas and counts must not be negative, enum numbers must be declared, dates
  //    must be YYYY-MM-DD; a CSV header must not name a field twice.
  // A 0-byte file is an empty registry ("checked, nobody on it"); a file with content but no
  // record (blank lines, a header only) is an error.
  //
  // Errors (messages in Chinese, starting with the path):
  //   NotFound            unknown registry name; no such file ("找不到登记册文件")
  //   FailedPrecondition  a directory, a device or a socket ("是目录，不是登记册文件")
  //   PermissionDenied    the file cannot be read ("没有读取权限")
  //   DataLoss            a read error
  //   InvalidArgument     "file:line: field: problem" (binary: "file: record N: ...") for the
  //                       first malformed record, or content without records; a check date
  //                       that is not YYYY-MM-DD.
  // On any error nothing of the file is loaded.
  absl::Status LoadFile(std::string_view name, const std::string& path,
                        RegistryFormat format = RegistryFormat::kAuto,
                        const RegistryCheckInfo& check = {});

  // Adds one record. `record` must be of the registry's record type. Unlike LoadFile, the
  // ID's form and the record's values are the caller's responsibility (any non-empty ID is
  // indexed, and matched exactly). Does not mark the registry checked: call MarkChecked
  // once the registry is complete.
  absl::Status AddRecord(std::string_view name, const google::protobuf::Message& record);
  // Adds an ID number with an otherwise empty record (as AddRecord: any non-empty text).
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
  // The files loaded so far, in load order (failed loads are not listed).
  const std::vector<RegistryFile>& files() const;
  // Names (English) of the registries the catalogue defines.
  static std::vector<std::string> Names();
  // Index of registry `name` in the catalogue, or -1.
  static int IndexOf(std::string_view name);

  // Low-level access used by the evaluator. `registry` is IndexOf(name).
  bool Contains(int registry, std::string_view id_number) const;
  // Appends the records of `id_number` to `out`, parsed into new messages owned by `out`.
  void Fetch(int registry, std::string_view id_number,
             std::vector<std::unique_ptr<google::protobuf::Message>>* out) const;
  // Storage that FetchInto reuses from one fetch to the next.
  struct FetchBuffer {
    std::vector<std::unique_ptr<google::protobuf::Message>> messages;
    size_t used = 0;   // messages[0, used) hold the records fetched so far
    std::string wire;  // scratch: one record's bytes with its ID number
  };
  // As Fetch, parsing into buffer->messages[used...] and advancing `used`: messages left
  // there by earlier fetches from the same registry are reused, so fetching allocates
  // nothing once the buffer has grown (the evaluator sets used = 0 between households).
  void FetchInto(int registry, std::string_view id_number, FetchBuffer* buffer) const;
  // Calls `visit` once for every distinct ID number in registry `registry` (IndexOf), in no
  // particular order; nothing for an invalid index. For list comparisons that run the other
  // way (who is in the registry but not on the roll); IDs are formatted on the fly, so the
  // registry's memory does not grow.
  void ForEachId(int registry, const std::function<void(std::string_view id_number)>& visit) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace heyan

#endif  // HEYAN_REGISTRY_H_
