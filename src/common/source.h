// Rule-file sources and the collector of diagnostics. Private to the front end.
//
// Positions are code-point offsets into the file (ANTLR counts code points), so columns in
// diagnostics count characters: a Chinese character is one column.
#ifndef HEYAN_COMMON_SOURCE_H_
#define HEYAN_COMMON_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "heyan/diagnostic.h"

namespace heyan::internal {

// A span of one file: [begin, end) in code points.
struct Span {
  int file = -1;
  int begin = 0;
  int end = 0;
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // 1-based line and column of a code-point offset.
  void Locate(int offset, int* line, int* column) const;
  // Text of a 1-based line, without its newline.
  std::string LineText(int line) const;
  // The UTF-8 text of a span (code-point offsets). Cost: O(end - begin) plus at most
  // kCheckpointStride code points of scanning, whatever the position in the file (it used
  // to rescan from byte 0 on every call: quadratic in file size, issue 14).
  std::string Slice(int begin, int end) const;

 private:
  static constexpr int kCheckpointStride = 64;
  // Byte offset of code point `cp`; text_.size() for cp == the code-point count, npos beyond.
  size_t ByteOffset(int cp) const;

  std::string path_;
  std::string text_;
  int code_points_ = 0;
  std::vector<int> line_starts_;       // code-point offset of each line start
  std::vector<size_t> line_byte_starts_;  // byte offset of each line start
  std::vector<size_t> checkpoints_;    // byte offset of code point k * kCheckpointStride
};

// Every file of one compilation, indexed by Span::file.
class SourceSet {
 public:
  int Add(std::string path, std::string text);
  const SourceFile& file(int index) const { return *files_[index]; }
  int size() const { return static_cast<int>(files_.size()); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Collects diagnostics. Bounded, because a small pathological file can produce thousands
// of problems on very long lines (issue 14: an 8 KB file printed 96 MB): each source line
// is stored as an excerpt of at most max_line_columns terminal columns, each message is cut
// to kMaxMessageChars characters, and Take() returns at most max_diagnostics diagnostics
// plus one E0008 "还有 N 个问题未显示". Beyond kStoredPerShown * max_diagnostics, further
// diagnostics are only counted.
class DiagnosticSink {
 public:
  static constexpr int kDefaultMaxDiagnostics = 100;
  static constexpr int kDefaultMaxLineColumns = 200;
  static constexpr int kMaxMessageChars = 1000;
  static constexpr int kStoredPerShown = 10;

  explicit DiagnosticSink(const SourceSet* sources) : sources_(sources) {}
  void SetLimits(int max_diagnostics, int max_line_columns) {
    max_diagnostics_ = max_diagnostics;
    max_line_columns_ = max_line_columns;
  }
  void Error(const std::string& code, const Span& span, std::string zh, std::string en,
             std::string suggestion = "");
  void Warning(const std::string& code, const Span& span, std::string zh, std::string en,
               std::string suggestion = "");
  // A diagnostic that belongs to no span (e.g. a missing file named on the command line).
  void FileError(const std::string& code, const std::string& file, std::string zh, std::string en);
  bool has_errors() const { return errors_ > 0; }
  int error_count() const { return errors_; }
  // Sorted by file, line, column; duplicates removed; at most max_diagnostics of them
  // (errors kept before warnings), then E0008 saying how many were left out.
  std::vector<Diagnostic> Take();

 private:
  void Add(Severity severity, const std::string& code, const Span& span, std::string zh,
           std::string en, std::string suggestion);
  // Stores `d` unless the store is full; counts it either way.
  void Keep(Diagnostic d);
  const SourceSet* sources_;
  std::vector<Diagnostic> diagnostics_;
  int errors_ = 0;
  int max_diagnostics_ = kDefaultMaxDiagnostics;
  int max_line_columns_ = kDefaultMaxLineColumns;
  int dropped_errors_ = 0;    // counted, not stored (store full)
  int dropped_warnings_ = 0;
};

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_SOURCE_H_
