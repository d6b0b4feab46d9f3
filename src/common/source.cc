#include "common/source.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/text.h"

namespace heyan::internal {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  line_byte_starts_.push_back(0);
  int cp = 0;
  for (size_t i = 0; i < text_.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if ((c & 0xC0) == 0x80) continue;
    if (cp % kCheckpointStride == 0) checkpoints_.push_back(i);
    ++cp;
    if (c == '\n') {
      line_starts_.push_back(cp);
      line_byte_starts_.push_back(i + 1);
    }
  }
  code_points_ = cp;
}

size_t SourceFile::ByteOffset(int cp) const {
  if (cp < 0 || cp > code_points_) return std::string::npos;
  if (cp == code_points_) return text_.size();
  size_t i = checkpoints_[cp / kCheckpointStride];
  for (int k = cp % kCheckpointStride; k > 0; --k) {
    ++i;  // past the lead byte, then past its continuation bytes
    while (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

void SourceFile::Locate(int offset, int* line, int* column) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  int index = static_cast<int>(it - line_starts_.begin()) - 1;
  if (index < 0) index = 0;
  *line = index + 1;
  *column = offset - line_starts_[index] + 1;
}

std::string SourceFile::LineText(int line) const {
  if (line < 1 || line > static_cast<int>(line_byte_starts_.size())) return "";
  size_t begin = line_byte_starts_[line - 1];
  size_t end = line < static_cast<int>(line_byte_starts_.size()) ? line_byte_starts_[line] : text_.size();
  std::string s = text_.substr(begin, end - begin);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string SourceFile::Slice(int begin, int end) const {
  size_t b = ByteOffset(begin);
  if (b == std::string::npos) return "";
  size_t e = end >= begin ? ByteOffset(end) : b;
  if (e == std::string::npos) e = text_.size();
  return text_.substr(b, e - b);
}

int SourceSet::Add(std::string path, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return static_cast<int>(files_.size()) - 1;
}

void DiagnosticSink::Error(const std::string& code, const Span& span, std::string zh, std::string en,
                           std::string suggestion) {
  Add(Severity::kError, code, span, std::move(zh), std::move(en), std::move(suggestion));
}

void DiagnosticSink::Warning(const std::string& code, const Span& span, std::string zh,
                             std::string en, std::string suggestion) {
  Add(Severity::kWarning, code, span, std::move(zh), std::move(en), std::move(suggestion));
}

void DiagnosticSink::FileError(const std::string& code, const std::string& file, std::string zh,
                               std::string en) {
  Diagnostic d;
  d.code = code;
  d.file = file;
  d.line = 1;
  d.column = 1;
  d.message_zh = TruncateText(zh, kMaxMessageChars);
  d.message_en = TruncateText(en, kMaxMessageChars);
  Keep(std::move(d));
}

void DiagnosticSink::Add(Severity severity, const std::string& code, const Span& span,
                         std::string zh, std::string en, std::string suggestion) {
  Diagnostic d;
  d.severity = severity;
  d.code = code;
  d.message_zh = TruncateText(zh, kMaxMessageChars);
  d.message_en = TruncateText(en, kMaxMessageChars);
  d.suggestion = TruncateText(suggestion, kMaxMessageChars);
  if (span.file >= 0 && span.file < sources_->size()) {
    const SourceFile& f = sources_->file(span.file);
    d.file = f.path();
    f.Locate(span.begin, &d.line, &d.column);
    int end_line, end_column;
    f.Locate(std::max(span.begin, span.end - 1), &end_line, &end_column);
    d.length = end_line == d.line ? std::max(1, end_column - d.column + 1) : 1;
    int excerpt_column = d.column;
    d.source_line = ExcerptLine(f.LineText(d.line), d.column, max_line_columns_, &excerpt_column);
    if (excerpt_column != d.column) d.source_column = excerpt_column;
  }
  Keep(std::move(d));
}

void DiagnosticSink::Keep(Diagnostic d) {
  const bool error = d.severity == Severity::kError;
  if (error) ++errors_;
  if (static_cast<int64_t>(diagnostics_.size()) >= static_cast<int64_t>(kStoredPerShown) * max_diagnostics_) {
    ++(error ? dropped_errors_ : dropped_warnings_);
    return;
  }
  diagnostics_.push_back(std::move(d));
}

std::vector<Diagnostic> DiagnosticSink::Take() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  std::vector<Diagnostic> unique;
  for (auto& d : diagnostics_) {
    if (!unique.empty() && unique.back().file == d.file && unique.back().line == d.line &&
        unique.back().column == d.column && unique.back().code == d.code &&
        unique.back().message_zh == d.message_zh) {
      continue;
    }
    unique.push_back(std::move(d));
  }
  int omitted_errors = dropped_errors_, omitted_warnings = dropped_warnings_;
  // Where the first omitted diagnostic was (else: after the last shown one).
  std::string omitted_file;
  int omitted_line = 0, omitted_column = 0;
  std::vector<Diagnostic> out;
  if (static_cast<int>(unique.size()) <= max_diagnostics_) {
    out = std::move(unique);
  } else {
    // Errors first (they decide whether the rule set compiles), then warnings, each in
    // position order; the shown ones stay in position order.
    int errors = 0;
    for (const auto& d : unique) errors += d.severity == Severity::kError;
    int error_slots = std::min(errors, max_diagnostics_);
    int warning_slots = max_diagnostics_ - error_slots;
    for (auto& d : unique) {
      const bool error = d.severity == Severity::kError;
      int& slots = error ? error_slots : warning_slots;
      if (slots > 0) {
        --slots;
        out.push_back(std::move(d));
        continue;
      }
      ++(error ? omitted_errors : omitted_warnings);
      if (omitted_line == 0) {
        omitted_file = d.file;
        omitted_line = d.line;
        omitted_column = d.column;
      }
    }
  }
  if (omitted_errors + omitted_warnings > 0) {
    Diagnostic more;
    more.code = "E0008";
    more.severity = omitted_errors > 0 ? Severity::kError : Severity::kWarning;
    if (omitted_line == 0 && !out.empty()) {
      omitted_file = out.back().file;
      omitted_line = out.back().line;
      omitted_column = out.back().column;
    }
    more.file = omitted_file;
    more.line = std::max(1, omitted_line);
    more.column = std::max(1, omitted_column);
    const int omitted = omitted_errors + omitted_warnings;
    more.message_zh = absl::StrCat("还有 ", omitted, " 个问题未显示（其中 ", omitted_errors,
                                   " 个错误），请先改正上面的问题");
    more.message_en = absl::StrCat(omitted, " more problem(s) not shown (", omitted_errors,
                                   " error(s)); fix the ones above first");
    out.push_back(std::move(more));
  }
  diagnostics_.clear();
  errors_ = 0;
  dropped_errors_ = dropped_warnings_ = 0;
  return out;
}

}  // namespace heyan::internal
