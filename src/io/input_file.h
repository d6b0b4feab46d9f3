// File arguments: opening a path named on a command line or passed to Registries::LoadFile,
// and reading it as a stream of text lines whatever encoding a spreadsheet saved it in.
//
// Pipeline position: the edge of every reader (registry files, application files, rule
// files, test cases) and of the `heyan` command's output files. Private to the library and
// the CLI; no public header includes it.
//
// One place decides what a path is and says so in the user's words:
//
//   not found             "payroll.csv: 找不到登记册文件"             NotFound
//   a directory           "SOMEDIR: 是目录，不是登记册文件"           FailedPrecondition
//   a device, a socket    "/dev/zero: 是设备文件，不是登记册文件"     FailedPrecondition
//   no read permission    "payroll.csv: 没有读取权限"                 PermissionDenied
//   a FIFO or pipe        read as a stream: `<(cat ids.txt)`, /dev/stdin from a pipe
//   a regular file        read as a stream, with its size known (for pre-sizing)
//
// Readers never seek: a pipe reads exactly like a file.
//
//   HEYAN_ASSIGN_OR_RETURN(io::InputFile file, io::InputFile::Open(path, io::kRegistryFile));
//   io::LineReader lines(&file);
//   for (std::string_view line; lines.Next(&line);) { ... lines.line_number() ... }
//   HEYAN_RETURN_IF_ERROR(lines.status());   // "payroll.csv:17: 不是 UTF-8 文本 ..."
//
// Thread-safety: an InputFile or LineReader belongs to one thread at a time.
#ifndef HEYAN_IO_INPUT_FILE_H_
#define HEYAN_IO_INPUT_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace heyan::io {

// What a file argument is for, as messages name it.
struct FileRole {
  const char* zh;  // "登记册文件"
  const char* en;  // "registry file"
};
inline constexpr FileRole kRegistryFile{"登记册文件", "registry file"};
inline constexpr FileRole kApplicationFile{"申请文件", "application file"};
inline constexpr FileRole kRuleFile{"规则文件", "rule file"};
inline constexpr FileRole kTestCaseFile{"测试案例文件", "test case file"};
inline constexpr FileRole kOutputFile{"输出文件", "output file"};

// A file opened for reading from the start to the end, once.
class InputFile {
 public:
  // Opens `path` (see the table above for the errors; each message is "PATH: problem",
  // Chinese unless `english`). Opening a FIFO waits for its writer, as any reader does.
  static absl::StatusOr<InputFile> Open(const std::string& path, const FileRole& role,
                                        bool english = false);

  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  // Reads up to `n` bytes into `buffer`: the number read, 0 at the end of the input.
  // DataLoss "PATH: 读取失败：..." on a read error.
  absl::StatusOr<size_t> Read(char* buffer, size_t n);
  // Reads everything that is left and appends it to `out`; refuses more than `max_bytes`.
  absl::Status ReadRest(std::string* out, size_t max_bytes = SIZE_MAX);

  const std::string& path() const { return path_; }
  // Size of a regular file when it was opened; -1 for a pipe.
  int64_t size() const { return size_; }
  // Bytes read so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  InputFile() = default;

  int fd_ = -1;
  std::string path_;
  int64_t size_ = -1;
  uint64_t bytes_read_ = 0;
  bool english_ = false;
};

// Reads the whole of `path` (a file argument, classified as by InputFile::Open); refuses
// more than `max_bytes` with InvalidArgument "PATH: 文件超过 N MiB".
absl::StatusOr<std::string> ReadWholeFile(const std::string& path, const FileRole& role,
                                          size_t max_bytes, bool english = false);

// The classification of InputFile::Open without opening (a FIFO opened twice would lose
// data to the first opening): OK for a regular file or a FIFO, else the same errors.
absl::Status CheckInputPath(const std::string& path, const FileRole& role, bool english = false);

// Checks, before anything is computed, that `path` can be written as an output file: not a
// directory, in a directory that exists, writable if it exists. Devices (/dev/null, a
// terminal) and FIFOs are fine outputs. Errors as for InputFile::Open.
absl::Status CheckOutputPath(const std::string& path, const FileRole& role, bool english = false);

// What a path is, for callers that take either a file or a directory (`heyan check DIR`,
// `heyan test DIR`): kMissing also covers a path whose directory cannot be searched.
enum class PathKind { kMissing, kDirectory, kReadable, kOther };
PathKind KindOfPath(const std::string& path);

// The text lines of an InputFile, decoded:
//  * UTF-8, with or without a byte order mark (EF BB BF, dropped);
//  * UTF-16 little or big endian with a byte order mark, or without one when the text starts
//    with an ASCII character (as Windows "Unicode" text does): converted to UTF-8, so
//    line_number() and the lines are those an editor shows.
// A line ends at "\n"; a "\r" before it is dropped; the last line needs no "\n".
// Errors (status(), each "PATH:LINE: problem"): text that is not UTF-8 (a GBK/GB18030 file,
// the default of spreadsheets on Chinese Windows, says so), a NUL byte, a broken UTF-16
// surrogate pair, a line longer than max_line_bytes.
// Splits one CSV line (RFC 4180 quoting, no embedded newlines) into `cells`. False on a
// quote that is not closed.
bool SplitCsvLine(std::string_view line, std::vector<std::string>* cells);

class LineReader {
 public:
  static constexpr size_t kDefaultMaxLineBytes = size_t{16} << 20;

  explicit LineReader(InputFile* file, size_t max_line_bytes = kDefaultMaxLineBytes);

  // The next line, valid until the next call. False at the end of the input or on an error.
  bool Next(std::string_view* line);
  // 1-based number of the line Next returned last.
  int64_t line_number() const { return line_; }
  // OK at the end of the input; the error otherwise.
  const absl::Status& status() const { return status_; }
  // The input held at least one byte (a byte order mark counts).
  bool saw_bytes() const { return file_->bytes_read() > 0; }

  enum class Encoding { kUtf8, kUtf16Le, kUtf16Be };
  Encoding encoding() const { return encoding_; }

 private:
  bool Fill();
  void Decode(const char* data, size_t n, bool at_end);
  bool Fail(int64_t line, std::string problem);

  InputFile* file_;
  const size_t max_line_bytes_;
  std::string raw_;           // bytes read, not yet decoded (UTF-16, and the first few bytes)
  std::string text_;          // UTF-8 text; lines are cut from [pos_, text_.size())
  size_t pos_ = 0;
  size_t scanned_ = 0;        // no '\n' in [pos_, scanned_)
  bool started_ = false;      // encoding detected
  bool eof_ = false;
  Encoding encoding_ = Encoding::kUtf8;
  uint32_t high_surrogate_ = 0;
  std::string decode_error_;  // a UTF-16 error after the decoded text, reported at its line
  int64_t line_ = 0;
  absl::Status status_;
};

}  // namespace heyan::io

#endif  // HEYAN_IO_INPUT_FILE_H_
