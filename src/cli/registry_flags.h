// The registry options shared by the commands that load verification data (eval, explain):
//   --registry NAME=FILE                  load FILE into registry NAME (English or Chinese)
//   --checked-on NAME=YYYY-MM-DD[,批次]   when that data set was produced, and its reference
// A registry loaded without --checked-on is dated by its file's modification time (see
// heyan::RegistryCheckInfo); the summary says which. Private to the CLI.
#ifndef HEYAN_CLI_REGISTRY_FLAGS_H_
#define HEYAN_CLI_REGISTRY_FLAGS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "heyan/registry.h"

namespace heyan::cli {

struct RegistryFlags {
  std::vector<std::pair<std::string, std::string>> files;  // (NAME, FILE) in command-line order
  std::map<int, RegistryCheckInfo> checks;                   // by registry index (--checked-on)

  // Parses the value of --registry / --checked-on; returns an error message or "".
  std::string AddRegistry(const std::string& value);
  std::string AddCheckedOn(const std::string& value);
  // Loads every file, each with its --checked-on provenance. A --checked-on for a registry
  // that no --registry loads is an error (a check date with no data would cite nothing).
  // Errors start with the flag and name the file.
  absl::Status Load(Registries* registries) const;

  // One line per loaded registry file for a summary: name, records, file, check date and
  // reference ("登记册 财政供养人员：50 条（payroll.csv；核对日期 2024-03-01，批次 …）"); a
  // date taken from the file's modification time says so.
  std::string Lines(const Registries& registries, bool english) const;
};

}  // namespace heyan::cli

#endif  // HEYAN_CLI_REGISTRY_FLAGS_H_
