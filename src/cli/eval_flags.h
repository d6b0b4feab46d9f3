// `heyan eval`'s options (cli/eval_command.cc): what it reads, what it writes, and how.
#ifndef HEYAN_CLI_EVAL_FLAGS_H_
#define HEYAN_CLI_EVAL_FLAGS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cli/registry_flags.h"
#include "heyan/diagnostic.h"

namespace heyan::cli {

// Decisions as JSON lines or length-delimited binary, or one row per household for people
// (kCsv, kXlsx: cli/table_writer.h).
enum class Format { kJson, kBinary, kCsv, kXlsx };

// What one input record is: a heyan.v1.Application (batch use: registries loaded for
// everyone), or a heyan.v1.VerificationRequest (one household with its own 核对结果).
// kAuto decides per JSON line: a top-level "application" key makes it a request.
enum class InputType { kAuto, kApplication, kRequest };


struct Flags {
  std::string rules;
  RegistryFlags registries;
  std::string in;
  std::string out = "-";
  int threads = 0;
  std::optional<Format> in_format;
  std::string in_text;  // "text" (one household in text format) or "csv" (rows per member)
  InputType in_type = InputType::kAuto;
  std::optional<Format> out_format;
  std::string as_of;
  bool trace = false;
  bool lean = false;
  bool strict_ids = false;  // RegistryOptions::reject_bad_check_character
  Language lang = Language::kChinese;
  size_t batch_size = 1000;
};

// The format of `path`: `given` if set, else by its extension (.pb/.bin binary, .csv, .xlsx;
// anything else JSON lines).
Format FormatFor(const std::string& path, const std::optional<Format>& given);

// Accepts "--name VALUE" and "--name=VALUE". Returns an error message in `lang`, empty if fine.
std::string ParseFlags(const std::vector<std::string>& args, Flags* flags, Language lang);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_EVAL_FLAGS_H_
