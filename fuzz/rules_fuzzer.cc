// Fuzz target: the rule-language front end. The input is one rule file; it is parsed,
// checked against the data model and compiled (CompileFile from an in-memory source). Every
// outcome is fine but a crash, a hang or a sanitizer report; diagnostics are also formatted
// (text and JSON, both languages), since `heyan check` prints every one of them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "heyan/compiler.h"
#include "heyan/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  heyan::CompileOptions options;
  // The entry file lives only in memory; imports of files on disk stay confined to a folder
  // that holds no rule files, so every run depends on the input alone.
  options.sources["fuzz/input.heyan"] = std::string(reinterpret_cast<const char*>(data), size);
  options.import_roots = {"fuzz/none"};
  absl::StatusOr<heyan::CompileResult> result = heyan::CompileFile("fuzz/input.heyan", options);
  if (!result.ok()) return 0;
  for (const heyan::Diagnostic& d : result->diagnostics) {
    (void)heyan::FormatDiagnostic(d, heyan::Language::kChinese);
    (void)heyan::DiagnosticToJson(d, heyan::Language::kEnglish);
  }
  return 0;
}
