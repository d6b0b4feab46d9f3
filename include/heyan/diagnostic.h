// Diagnostics: what Heyan tells a rule author about a rule file.
//
// Pipeline position: produced by every front-end stage (parse, check), consumed by the
// `heyan check` command, editors (JSON) and the Python bindings (RuleError).
//
// A Diagnostic is for something the author can fix in the rule file. Failures that are not
// the author's (bad options, internal invariants) are absl::Status values instead.
//
//   heyan::CompileResult r = heyan::CompileFile("rules/zhengzhou.heyan").value();
//   for (const auto& d : r.diagnostics) std::cerr << heyan::FormatDiagnostic(d);
#ifndef HEYAN_DIAGNOSTIC_H_
#define HEYAN_DIAGNOSTIC_H_

#include <string>
#include <vector>

#include "heyan/export.h"

namespace heyan {

// Language of messages meant for people. Chinese is the default: rule authors are
// policy staff who read Chinese.
enum class Language { kChinese, kEnglish };

enum class Severity {
  kError,    // the rule set cannot be compiled
  kWarning,  // compiles, but probably not what the author meant
};

struct Diagnostic {
  Severity severity = Severity::kError;
  // Stable code, e.g. "E0201"; documented in docs/reference.md. Never reused for
  // another meaning, so CI scripts and editors may match on it.
  std::string code;
  // Where: file path as given, 1-based line, 1-based column (in characters, not bytes),
  // and the number of characters the problem spans (at least 1).
  std::string file;
  int line = 0;
  int column = 0;
  int length = 1;
  // The message in both languages; FormatDiagnostic picks one.
  std::string message_zh;
  std::string message_en;
  // Optional "did you mean" suggestion (a name or keyword), empty if none.
  std::string suggestion;
  // The source line, for the caret display. A line wider than
  // CompileOptions::max_source_line_columns is an excerpt around the problem, its cut ends
  // marked "…"; source_column then gives the caret's 1-based character position in it.
  std::string source_line;
  // 1-based character position of `column` within source_line; 0 means the same as column.
  int source_column = 0;
};

// "file:line:column: 错误 E0201: message" followed by the source line and a caret line.
HEYAN_EXPORT std::string FormatDiagnostic(const Diagnostic& d, Language lang = Language::kChinese);

// One JSON object per diagnostic (fields as in the struct, plus "message" in `lang`).
HEYAN_EXPORT std::string DiagnosticToJson(const Diagnostic& d, Language lang = Language::kChinese);

// True if any diagnostic is an error.
HEYAN_EXPORT bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace heyan

#endif  // HEYAN_DIAGNOSTIC_H_
