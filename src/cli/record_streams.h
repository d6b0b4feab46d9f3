// Reading `heyan eval`'s input (cli/eval_command.cc): a file descriptor with a read buffer,
// and the records in it, JSON lines or length-delimited binary, handed to the batch
// evaluator (heyan/batch.h) as views into the buffer. Input that is neither (a household in
// text format, a CSV export, one JSON document) is converted to JSON lines first.
#ifndef HEYAN_CLI_RECORD_STREAMS_H_
#define HEYAN_CLI_RECORD_STREAMS_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "heyan/batch.h"

namespace heyan::cli {

// A JSON line or a binary record larger than this is an error record of its own (and, for
// binary input, where reading stops: nothing after a bad length prefix can be trusted).
constexpr size_t kMaxRecordBytes = size_t{64} << 20;
constexpr size_t kReadChunk = size_t{1} << 20;

// A file descriptor with a read buffer. Counts the bytes consumed, for progress.
class Input {
 public:
  static constexpr int kMemory = -2;
  ~Input() {
    if (fd_ > 0) ::close(fd_);
  }

  // Reads from `content` instead of a file (input converted beforehand: a text-format
  // household, a CSV export). `path` names it in messages.
  void OpenMemory(const std::string& path, std::string content) {
    fd_ = kMemory;
    path_ = path;
    buffer_.assign(content.begin(), content.end());
    end_ = buffer_.size();
    size_ = static_cast<int64_t>(buffer_.size());
  }

  bool Open(const std::string& path, std::string* error) {
    if (path == "-") {
      fd_ = STDIN_FILENO;
    } else {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) {
        *error = absl::StrCat(path, ": ", std::strerror(errno));
        return false;
      }
    }
    struct stat st;
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = st.st_size;
    path_ = path;
    buffer_.resize(kReadChunk);
    return true;
  }

  // Reads more input into the buffer. False at the end of the input or on a read error
  // (then error() is set).
  bool Fill() {
    if (fd_ == kMemory) return false;  // all of it is in the buffer already
    if (pos_ == end_) {
      pos_ = end_ = 0;
    } else if (pos_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == buffer_.size()) return true;
    while (true) {
      const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
      if (n > 0) {
        end_ += static_cast<size_t>(n);
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      error_ = absl::StrCat(path_ == "-" ? "stdin" : path_, ": read error: ", std::strerror(errno));
      return false;
    }
  }

  const char* data() const { return buffer_.data() + pos_; }
  size_t available() const { return end_ - pos_; }
  void Consume(size_t n) {
    pos_ += n;
    consumed_ += n;
  }
  uint64_t consumed() const { return consumed_; }
  int64_t size() const { return size_; }  // -1 unless a regular file
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string path_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t consumed_ = 0;
  int64_t size_ = -1;
  std::string error_;
};

// Reads JSON lines, one record per call. The record's bytes are a view into the read buffer
// (or into pending_ for a line that spans refills), valid until the next call.
class JsonLineReader {
 public:
  explicit JsonLineReader(Input* in) : in_(in) {}

  // Fills `record` with the next line that is not blank. False at the end of the input.
  bool Next(InputRecord* record) {
    if (pending_emitted_) {
      pending_.clear();
      pending_emitted_ = false;
    }
    while (!done_) {
      if (in_->available() == 0 && !in_->Fill()) {
        done_ = true;
        if ((skipping_ || !pending_.empty()) && EmitPending(record)) return true;
        break;
      }
      const char* begin = in_->data();
      const size_t available = in_->available();
      const void* nl = std::memchr(begin, '\n', available);
      if (nl == nullptr) {
        Append(std::string_view(begin, available));
        in_->Consume(available);
        continue;
      }
      const size_t n = static_cast<const char*>(nl) - begin;
      // Consuming only moves the read position: the bytes stay until the next Fill.
      in_->Consume(n + 1);
      if (pending_.empty() && !skipping_) {
        if (Emit(std::string_view(begin, n), record)) return true;
      } else {
        Append(std::string_view(begin, n));
        if (EmitPending(record)) return true;
      }
    }
    return false;
  }

 private:
  void Append(std::string_view piece) {
    if (skipping_) return;
    if (pending_.size() + piece.size() > kMaxRecordBytes) {
      skipping_ = true;
      pending_.clear();
      pending_.shrink_to_fit();
      return;
    }
    pending_.append(piece.data(), piece.size());
  }

  bool EmitPending(InputRecord* record) {
    if (skipping_) {
      ++line_;
      record->number = line_;
      record->unreadable = too_long_;
      skipping_ = false;
      pending_.clear();
      return true;
    }
    if (!Emit(pending_, record)) {
      pending_.clear();
      return false;
    }
    pending_emitted_ = true;  // cleared on the next call, once the record has been copied
    return true;
  }

  bool Emit(std::string_view line, InputRecord* record) {
    ++line_;
    if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r\f\v") == std::string_view::npos) return false;  // blank
    record->data = line;
    record->number = line_;
    return true;
  }

  Input* in_;
  std::string pending_;  // a line that spans buffer refills
  bool pending_emitted_ = false;
  bool skipping_ = false;
  bool done_ = false;
  int64_t line_ = 0;
  const std::string too_long_ = absl::StrCat("line longer than ", kMaxRecordBytes >> 20, " MiB");
};

// Reads length-delimited binary records, one per call. The record's bytes are a view into the
// read buffer, or into scratch_ for a record that spans refills, valid until the next call.
class BinaryReader {
 public:
  explicit BinaryReader(Input* in) : in_(in) {}

  // Fills `record` with the next record. False at the end of the input.
  bool Next(InputRecord* record) {
    if (done_) return false;
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      if (in_->available() == 0 && !in_->Fill()) {
        done_ = true;
        if (shift == 0) return false;
        return Fail(record, "truncated length prefix at the end of the input");
      }
      const uint8_t byte = static_cast<uint8_t>(*in_->data());
      in_->Consume(1);
      if (shift >= 63 && byte > 1) {
        done_ = true;
        return Fail(record, "malformed length prefix");
      }
      size |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if (size > kMaxRecordBytes) {
      done_ = true;
      return Fail(record, absl::StrCat("length prefix ", size, " exceeds ", kMaxRecordBytes >> 20,
                                       " MiB; the input is not length-delimited heyan.v1.Application "
                                       "records, or it is damaged"));
    }
    record->number = ++record_;
    if (in_->available() >= size) {
      record->data = std::string_view(in_->data(), size);
      in_->Consume(size);
      return true;
    }
    scratch_.clear();
    size_t remaining = size;
    while (remaining > 0) {
      if (in_->available() == 0 && !in_->Fill()) {
        done_ = true;
        message_ = absl::StrCat("truncated record: the input ends ", remaining, " bytes before the record does");
        record->unreadable = message_;
        return true;
      }
      const size_t n = std::min(remaining, in_->available());
      scratch_.append(in_->data(), n);
      in_->Consume(n);
      remaining -= n;
    }
    record->data = scratch_;
    return true;
  }

 private:
  bool Fail(InputRecord* record, std::string message) {
    record->number = ++record_;
    message_ = std::move(message);
    record->unreadable = message_;
    return true;
  }

  Input* in_;
  bool done_ = false;
  int64_t record_ = 0;
  std::string scratch_;  // a record that spans buffer refills
  std::string message_;  // why the last record could not be read
};

// JSON lines for input that is not JSON lines: one household in text format (an application, a
// verification request or a heyan test case), or a CSV export with one row per member.
absl::Status ConvertedInput(const std::string& path, const std::string& kind, bool en, std::string* out);

}  // namespace heyan::cli

#endif  // HEYAN_CLI_RECORD_STREAMS_H_
