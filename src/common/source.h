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
  // The UTF-8 text of a span (code-point offsets).
  std::string Slice(int begin, int end) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<int> line_starts_;       // code-point offset of each line start
  std::vector<size_t> line_byte_starts_;  // byte offset of each line start
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

class DiagnosticSink {
 public:
  explicit DiagnosticSink(const SourceSet* sources) : sources_(sources) {}
  void Error(const std::string& code, const Span& span, std::string zh, std::string en,
             std::string suggestion = "");
  void Warning(const std::string& code, const Span& span, std::string zh, std::string en,
               std::string suggestion = "");
  // A diagnostic that belongs to no span (e.g. a missing file named on the command line).
  void FileError(const std::string& code, const std::string& file, std::string zh, std::string en);
  bool has_errors() const { return errors_ > 0; }
  int error_count() const { return errors_; }
  // Sorted by file, line, column; duplicates removed.
  std::vector<Diagnostic> Take();

 private:
  void Add(Severity severity, const std::string& code, const Span& span, std::string zh,
           std::string en, std::string suggestion);
  const SourceSet* sources_;
  std::vector<Diagnostic> diagnostics_;
  int errors_ = 0;
};

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_SOURCE_H_
