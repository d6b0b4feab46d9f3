#include "common/source.h"

#include <algorithm>
#include <tuple>

namespace heyan::internal {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  line_byte_starts_.push_back(0);
  int cp = 0;
  for (size_t i = 0; i < text_.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if ((c & 0xC0) == 0x80) continue;
    ++cp;
    if (c == '\n') {
      line_starts_.push_back(cp);
      line_byte_starts_.push_back(i + 1);
    }
  }
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
  size_t b = std::string::npos, e = text_.size();
  int cp = 0;
  for (size_t i = 0; i <= text_.size(); ++i) {
    if (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) continue;
    if (cp == begin && b == std::string::npos) b = i;
    if (cp == end) {
      e = i;
      break;
    }
    ++cp;
  }
  if (b == std::string::npos) return "";
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
  d.message_zh = std::move(zh);
  d.message_en = std::move(en);
  diagnostics_.push_back(std::move(d));
  ++errors_;
}

void DiagnosticSink::Add(Severity severity, const std::string& code, const Span& span,
                         std::string zh, std::string en, std::string suggestion) {
  Diagnostic d;
  d.severity = severity;
  d.code = code;
  d.message_zh = std::move(zh);
  d.message_en = std::move(en);
  d.suggestion = std::move(suggestion);
  if (span.file >= 0 && span.file < sources_->size()) {
    const SourceFile& f = sources_->file(span.file);
    d.file = f.path();
    f.Locate(span.begin, &d.line, &d.column);
    int end_line, end_column;
    f.Locate(std::max(span.begin, span.end - 1), &end_line, &end_column);
    d.length = end_line == d.line ? std::max(1, end_column - d.column + 1) : 1;
    d.source_line = f.LineText(d.line);
  }
  if (severity == Severity::kError) ++errors_;
  diagnostics_.push_back(std::move(d));
}

std::vector<Diagnostic> DiagnosticSink::Take() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  std::vector<Diagnostic> out;
  for (auto& d : diagnostics_) {
    if (!out.empty() && out.back().file == d.file && out.back().line == d.line &&
        out.back().column == d.column && out.back().code == d.code &&
        out.back().message_zh == d.message_zh) {
      continue;
    }
    out.push_back(std::move(d));
  }
  diagnostics_.clear();
  errors_ = 0;
  return out;
}

}  // namespace heyan::internal
