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

namespace {
// Display width: CJK and full-width characters take two terminal columns.
int Width(char32_t c) {
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
      (c >= 0xFFE0 && c <= 0xFFE6) || c == 0x2192 || c == 0x201C || c == 0x201D) {
    return 2;
  }
  return 1;
}

// The source line as shown: bytes that are not UTF-8 (a file saved as GBK) become U+FFFD, so
// the output stays valid UTF-8 and the carets stay aligned with what the terminal shows.
std::string Encode(const std::u32string& line) {
  std::string out;
  for (char32_t c : line) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}
}  // namespace

std::string FormatDiagnostic(const Diagnostic& d, Language lang) {
  bool en = lang == Language::kEnglish;
  const char* sev = d.severity == Severity::kError ? (en ? "error" : "错误") : (en ? "warning" : "警告");
  std::string out = absl::StrCat(d.file, ":", d.line, ":", d.column, ": ", sev, " ", d.code, ": ",
                                 en ? d.message_en : d.message_zh, "\n");
  if (!d.source_line.empty()) {
    std::u32string line = internal::DecodeUtf8(d.source_line);
    absl::StrAppend(&out, "  ", Encode(line), "\n  ");
    int col = 1;
    for (char32_t c : line) {
      if (col >= d.column) break;
      out.append(c == '\t' ? "\t" : std::string(Width(c), ' '));
      ++col;
    }
    int carets = 0;
    for (int i = d.column - 1; i < static_cast<int>(line.size()) && i < d.column - 1 + d.length; ++i) {
      carets += Width(line[i]);
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
