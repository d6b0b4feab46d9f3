// File arguments: classification, streaming reads and text decoding. See the header.
#include "io/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"

namespace heyan::io {
namespace {

constexpr size_t kChunk = size_t{1} << 20;

std::string Said(const std::string& path, bool english, std::string_view zh, std::string_view en) {
  const std::string_view text = english ? en : zh;
  return absl::StrCat(path, ": ", std::string(text));
}

std::string Errno(int error) { return std::strerror(error); }

// The problem with a path that stat() or open() refused, or whose type is wrong.
absl::Status StatError(const std::string& path, const FileRole& role, bool english, int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(Said(path, english, absl::StrCat("找不到", role.zh),
                                      absl::StrCat("no such ", role.en)));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(Said(path, english, "没有读取权限", "no permission to read"));
    default:
      return absl::UnavailableError(Said(path, english, absl::StrCat("无法打开：", Errno(error)),
                                         absl::StrCat("cannot open: ", Errno(error))));
  }
}

// A type of file that is not a readable stream of bytes (or not the right one).
absl::Status WrongType(const std::string& path, const FileRole& role, bool english, mode_t mode) {
  if (S_ISDIR(mode)) {
    return absl::FailedPreconditionError(Said(path, english, absl::StrCat("是目录，不是", role.zh),
                                              absl::StrCat("is a directory, not a ", role.en)));
  }
  if (S_ISSOCK(mode)) {
    return absl::FailedPreconditionError(Said(path, english, absl::StrCat("是套接字，不是", role.zh),
                                              absl::StrCat("is a socket, not a ", role.en)));
  }
  // Character and block devices: /dev/zero never ends, /dev/null is no evidence that a
  // registry is empty, a terminal waits for typing. An empty registry is an empty file.
  return absl::FailedPreconditionError(Said(path, english, absl::StrCat("是设备文件，不是", role.zh),
                                            absl::StrCat("is a device, not a ", role.en)));
}

bool Readable(mode_t mode) { return S_ISREG(mode) || S_ISFIFO(mode); }

// Offset of the first byte that breaks UTF-8 (strict: no overlong forms, no surrogates, at
// most U+10FFFF), or npos.
size_t InvalidUtf8At(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t chunk;
      std::memcpy(&chunk, s.data() + i, 8);
      if (chunk & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// "16 MiB", "4096 字节".
std::string Bytes(size_t n) {
  return n >= (size_t{1} << 20) && n % (size_t{1} << 20) == 0 ? absl::StrCat(n >> 20, " MiB")
                                                               : absl::StrCat(n, " 字节");
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// ---- InputFile ------------------------------------------------------------------------------

absl::StatusOr<InputFile> InputFile::Open(const std::string& path, const FileRole& role,
                                          bool english) {
  // stat() first: open() would block on a FIFO without a writer only after we know it is
  // one, and it fails on a socket with an unhelpful "No such device or address".
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return StatError(path, role, english, errno);
  if (!Readable(st.st_mode)) return WrongType(path, role, english, st.st_mode);
  InputFile file;
  file.path_ = path;
  file.english_ = english;
  do {
    file.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (file.fd_ < 0 && errno == EINTR);
  if (file.fd_ < 0) return StatError(path, role, english, errno);
  // What was opened is what counts (the path may have changed since the stat).
  if (::fstat(file.fd_, &st) != 0) return StatError(path, role, english, errno);
  if (!Readable(st.st_mode)) return WrongType(path, role, english, st.st_mode);
  if (S_ISREG(st.st_mode)) file.size_ = st.st_size;
  return file;
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(other.size_),
      bytes_read_(other.bytes_read_),
      english_(other.english_) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    size_ = other.size_;
    bytes_read_ = other.bytes_read_;
    english_ = other.english_;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<size_t> InputFile::Read(char* buffer, size_t n) {
  while (true) {
    const ssize_t got = ::read(fd_, buffer, n);
    if (got >= 0) {
      bytes_read_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
    if (errno == EINTR) continue;
    const int error = errno;
    return absl::DataLossError(Said(path_, english_, absl::StrCat("读取失败：", Errno(error)),
                                    absl::StrCat("read error: ", Errno(error))));
  }
}

absl::Status InputFile::ReadRest(std::string* out, size_t max_bytes) {
  const size_t start = out->size();
  if (size_ > 0 && static_cast<uint64_t>(size_) <= max_bytes) out->reserve(start + static_cast<size_t>(size_));
  while (true) {
    const size_t old = out->size();
    out->resize(old + kChunk);
    absl::StatusOr<size_t> n = Read(out->data() + old, kChunk);
    if (!n.ok()) {
      out->resize(old);
      return n.status();
    }
    out->resize(old + *n);
    if (*n == 0) return absl::OkStatus();
    if (out->size() - start > max_bytes) {
      out->resize(start);
      return absl::InvalidArgumentError(
          Said(path_, english_, absl::StrCat("文件超过 ", max_bytes >> 20, " MiB"),
               absl::StrCat("larger than ", max_bytes >> 20, " MiB")));
    }
  }
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, const FileRole& role,
                                          size_t max_bytes, bool english) {
  absl::StatusOr<InputFile> file = InputFile::Open(path, role, english);
  if (!file.ok()) return file.status();
  std::string text;
  absl::Status s = file->ReadRest(&text, max_bytes);
  if (!s.ok()) return s;
  return text;
}

absl::Status CheckInputPath(const std::string& path, const FileRole& role, bool english) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return StatError(path, role, english, errno);
  if (!Readable(st.st_mode)) return WrongType(path, role, english, st.st_mode);
  if (S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) != 0) {
    return absl::PermissionDeniedError(Said(path, english, "没有读取权限", "no permission to read"));
  }
  return absl::OkStatus();
}

absl::Status CheckOutputPath(const std::string& path, const FileRole& role, bool english) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode)) return WrongType(path, role, english, st.st_mode);
    if (::access(path.c_str(), W_OK) != 0) {
      return absl::PermissionDeniedError(Said(path, english, "没有写入权限", "no permission to write"));
    }
    return absl::OkStatus();
  }
  if (errno != ENOENT) return StatError(path, role, english, errno);
  // A new file: its directory must exist and take new files.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(Said(path, english, absl::StrCat("目录“", dir, "”不存在"),
                                    absl::StrCat("directory '", dir, "' does not exist")));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::PermissionDeniedError(Said(path, english, absl::StrCat("没有在目录“", dir, "”中写入的权限"),
                                            absl::StrCat("no permission to write in '", dir, "'")));
  }
  return absl::OkStatus();
}

PathKind KindOfPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return PathKind::kMissing;
  if (S_ISDIR(st.st_mode)) return PathKind::kDirectory;
  return Readable(st.st_mode) ? PathKind::kReadable : PathKind::kOther;
}

// ---- LineReader -----------------------------------------------------------------------------

LineReader::LineReader(InputFile* file, size_t max_line_bytes)
    : file_(file), max_line_bytes_(max_line_bytes) {}

bool LineReader::Fail(int64_t line, std::string problem) {
  status_ = absl::InvalidArgumentError(absl::StrCat(file_->path(), ":", line, ": ", problem));
  eof_ = true;
  return false;
}

// Decodes `n` bytes (UTF-16 in the encoding found) into text_. A broken surrogate pair stops
// decoding: the text before it is kept, the error waits in decode_error_ for its line.
void LineReader::Decode(const char* data, size_t n, bool at_end) {
  if (encoding_ == Encoding::kUtf8) {
    text_.append(data, n);
    return;
  }
  raw_.append(data, n);
  const bool big = encoding_ == Encoding::kUtf16Be;
  size_t i = 0;
  for (; i + 2 <= raw_.size(); i += 2) {
    const unsigned char a = static_cast<unsigned char>(raw_[i]);
    const unsigned char b = static_cast<unsigned char>(raw_[i + 1]);
    const uint32_t unit = big ? (a << 8 | b) : (b << 8 | a);
    if (high_surrogate_ != 0) {
      if (unit < 0xDC00 || unit > 0xDFFF) {
        decode_error_ = "UTF-16 文本中有不成对的代理项（半个字符）";
        break;
      }
      AppendUtf8(0x10000 + ((high_surrogate_ - 0xD800) << 10) + (unit - 0xDC00), &text_);
      high_surrogate_ = 0;
    } else if (unit >= 0xD800 && unit <= 0xDBFF) {
      high_surrogate_ = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      decode_error_ = "UTF-16 文本中有不成对的代理项（半个字符）";
      break;
    } else {
      AppendUtf8(unit, &text_);
    }
  }
  if (!decode_error_.empty()) {
    raw_.clear();
    eof_ = true;
    return;
  }
  raw_.erase(0, i);
  if (at_end && (!raw_.empty() || high_surrogate_ != 0)) {
    decode_error_ = "UTF-16 文本在半个字符处结束";
  }
}

// Reads more text. False at the end of the input (eof_) or on a read error (status_).
bool LineReader::Fill() {
  if (eof_) return false;
  if (!started_) {
    // Enough bytes to see a byte order mark or a UTF-16 NUL byte: a pipe may deliver
    // fewer in one read.
    std::string head;
    while (head.size() < 4) {
      char buffer[4];
      absl::StatusOr<size_t> n = file_->Read(buffer, 4 - head.size());
      if (!n.ok()) {
        status_ = n.status();
        eof_ = true;
        return false;
      }
      if (*n == 0) {
        eof_ = true;
        break;
      }
      head.append(buffer, *n);
    }
    started_ = true;
    std::string_view h = head;
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(h[k]); };
    if (h.substr(0, 3) == "\xEF\xBB\xBF") {
      h.remove_prefix(3);
    } else if (h.size() >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) {
      encoding_ = Encoding::kUtf16Le;
      h.remove_prefix(2);
    } else if (h.size() >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) {
      encoding_ = Encoding::kUtf16Be;
      h.remove_prefix(2);
    } else if (h.size() >= 2 && byte(0) != 0 && byte(0) < 0x80 && byte(1) == 0) {
      encoding_ = Encoding::kUtf16Le;  // no BOM: an ASCII character, then its zero high byte
    } else if (h.size() >= 2 && byte(0) == 0 && byte(1) != 0 && byte(1) < 0x80) {
      encoding_ = Encoding::kUtf16Be;
    }
    Decode(h.data(), h.size(), eof_);
    return true;
  }
  if (encoding_ == Encoding::kUtf8) {
    // Straight into the text buffer: no copy for UTF-8, the common case.
    const size_t old = text_.size();
    text_.resize(old + kChunk);
    absl::StatusOr<size_t> n = file_->Read(text_.data() + old, kChunk);
    text_.resize(old + (n.ok() ? *n : 0));
    if (!n.ok()) {
      status_ = n.status();
      eof_ = true;
      return false;
    }
    if (*n == 0) eof_ = true;
    return *n > 0;
  }
  std::string chunk(kChunk, '\0');
  absl::StatusOr<size_t> n = file_->Read(chunk.data(), chunk.size());
  if (!n.ok()) {
    status_ = n.status();
    eof_ = true;
    return false;
  }
  if (*n == 0) eof_ = true;
  Decode(chunk.data(), *n, eof_);
  return *n > 0;
}

bool LineReader::Next(std::string_view* line) {
  if (!status_.ok()) return false;
  while (true) {
    const size_t end = text_.size();
    const void* nl =
        scanned_ < end ? std::memchr(text_.data() + scanned_, '\n', end - scanned_) : nullptr;
    if (nl != nullptr) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - text_.data());
      *line = std::string_view(text_.data() + pos_, at - pos_);
      pos_ = scanned_ = at + 1;
      break;
    }
    scanned_ = end;
    if (end - pos_ > max_line_bytes_) {
      return Fail(line_ + 1, absl::StrCat("一行超过 ", Bytes(max_line_bytes_), "（不是文本文件？）"));
    }
    if (eof_) {
      // A decoding error belongs to the line it cut short: report it there.
      if (!decode_error_.empty()) return Fail(line_ + 1, decode_error_);
      if (pos_ == end) return false;
      *line = std::string_view(text_.data() + pos_, end - pos_);
      pos_ = scanned_ = end;
      break;
    }
    if (pos_ > 0) {
      text_.erase(0, pos_);
      scanned_ -= pos_;
      pos_ = 0;
    }
    Fill();
    if (!status_.ok()) return false;
  }
  if (line->size() > max_line_bytes_) {
    return Fail(line_ + 1, absl::StrCat("一行超过 ", Bytes(max_line_bytes_), "（不是文本文件？）"));
  }
  ++line_;
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  if (std::memchr(line->data(), '\0', line->size()) != nullptr) {
    return Fail(line_, "含有 NUL 字节：这不是文本文件（或是没有字节顺序标记的 UTF-16 文本）");
  }
  if (const size_t bad = InvalidUtf8At(*line); bad != std::string_view::npos) {
    return Fail(line_, absl::StrCat("第 ", bad + 1,
                                    " 个字节起不是 UTF-8 文本；文件可能是 GBK/GB18030 编码，"
                                    "请用 UTF-8（或 UTF-16）编码另存后再导入"));
  }
  return true;
}

bool SplitCsvLine(std::string_view line, std::vector<std::string>* cells) {
  cells->clear();
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell.push_back(c);
      }
    } else if (c == '"' && cell.empty()) {
      quoted = true;
    } else if (c == ',') {
      cells->push_back(std::move(cell));
      cell.clear();
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) return false;
  cells->push_back(std::move(cell));
  return true;
}

}  // namespace heyan::io
