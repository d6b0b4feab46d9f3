// Formatting of diagnostics for people (caret display) and for tools (JSON).
#include "heyan/diagnostic.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/text.h"

namespace heyan {

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}


std::string FormatDiagnostic(const Diagnostic& d, Language lang) {
  bool en = lang == Language::kEnglish;
  const char* sev = d.severity == Severity::kError ? (en ? "error" : "错误") : (en ? "warning" : "警告");
  std::string out = absl::StrCat(d.file, ":", d.line, ":", d.column, ": ", sev, " ", d.code, ": ",
                                 en ? d.message_en : d.message_zh, "\n");
  if (!d.source_line.empty()) {
    using internal::DisplayWidth;
    std::u32string line = internal::DecodeUtf8(d.source_line);
    // The caret's column within source_line, which is an excerpt for long lines.
    const int column = d.source_column > 0 ? d.source_column : d.column;
    absl::StrAppend(&out, "  ", internal::EncodeUtf8(line), "\n  ");
    int col = 1;
    for (char32_t c : line) {
      if (col >= column) break;
      out.append(c == '\t' ? "\t" : std::string(DisplayWidth(c), ' '));
      ++col;
    }
    int carets = 0;
    for (int i = column - 1; i < static_cast<int>(line.size()) && i < column - 1 + d.length; ++i) {
      carets += DisplayWidth(line[i]);
    }
    out.append(std::max(1, carets), '^');
    out += "\n";
  }
  if (!d.suggestion.empty()) {
    absl::StrAppend(&out, en ? "  did you mean: " : "  您是不是要写：", d.suggestion, "\n");
  }
  return out;
}

std::string DiagnosticToJson(const Diagnostic& d, Language lang) {
  using internal::JsonQuote;
  return absl::StrCat(
      "{\"severity\":", JsonQuote(d.severity == Severity::kError ? "error" : "warning"),
      ",\"code\":", JsonQuote(d.code), ",\"file\":", JsonQuote(d.file), ",\"line\":", d.line,
      ",\"column\":", d.column, ",\"length\":", d.length,
      ",\"message\":", JsonQuote(lang == Language::kEnglish ? d.message_en : d.message_zh),
      ",\"message_zh\":", JsonQuote(d.message_zh), ",\"message_en\":", JsonQuote(d.message_en),
      ",\"suggestion\":", JsonQuote(d.suggestion), "}");
}

}  // namespace heyan
