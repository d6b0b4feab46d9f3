// heyan eval: decides a stream of applications with one compiled rule set.
//
//   heyan eval --rules PATH [--registry NAME=FILE ...] --in APPLICATIONS [--out DECISIONS]
//              [--threads N] [--in-format json|binary] [--out-format json|binary]
//              [--as-of YYYY-MM-DD] [--trace] [--lean] [--lang=en] [--batch-size N] [--strict-ids]
//
// Input: protobuf-JSON lines, one heyan.v1.Application per line (blank lines are skipped but
// counted), or length-delimited binary (varint size, then the message) with --in-format
// binary or a .pb/.bin file. Output: one heyan.v1.Decision per input record, in input order,
// as compact protobuf JSON lines (proto field names, enums by name) or length-delimited
// binary (--out-format binary or a .pb/.bin file). "-" is stdin / stdout.
//
// A record that cannot be read or decided becomes an error record at its place in the output
// and the run goes on:
//   JSON:   {"error":{"line":17,"field":"members[0].birth_date","message":"..."}}
//   binary: a Decision with application_id "" and one RuleFault{rule_id "<input>",
//           message "line 17: members[0].birth_date: ..."}
// (binary input numbers records instead of lines: "record" instead of "line").
//
// Memory stays constant: the input is read in batches of --batch-size records (1,000);
// --threads workers (default: the number of cores) evaluate whole batches with one shared
// Program and one shared, read-only Registries, each reusing its own parser, Application and
// Decision; a writer thread writes finished batches in input order. At most 2N+2 batches
// are in flight, so a slow output stops the reading instead of filling memory.
//
// File arguments are classified before any work (io/input_file.h): a directory, a device or a
// socket given as --in, --out or --registry is refused in plain words (exit 2); pipes are
// streams. The summary lists every registry file with the records it loaded.
//
// Exit status: 0 every record was decided; 3 some records are error records; 2 nothing was
// decided (bad options, rule-file errors, a registry file that cannot be loaded, an input or
// output that cannot be opened); 1 the run broke off (read or write failure).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/table_writer.h"
#include "absl/synchronization/mutex.h"
#include "checker/schema.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/registry_flags.h"
#include "common/date.h"
#include "common/text.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "google/protobuf/util/json_util.h"
#include "io/application_reader.h"
#include "io/household.h"
#include "simdjson.h"
#include "io/input_file.h"

namespace heyan::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Decisions as JSON lines or length-delimited binary, or one row per household for people
// (kCsv, kXlsx: cli/table_writer.h).
enum class Format { kJson, kBinary, kCsv, kXlsx };

// What one input record is: a heyan.v1.Application (batch use: registries loaded for
// everyone), or a heyan.v1.VerificationRequest (one household with its own 核对结果).
// kAuto decides per JSON line: a top-level "application" key makes it a request.
enum class InputType { kAuto, kApplication, kRequest };

bool HasNonAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Whether a JSON line has a key with a non-ASCII character (a Chinese field name): a string
// followed by ':' outside strings.
bool HasNonAsciiKey(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '"') continue;
    bool non_ascii = false;
    size_t j = i + 1;
    for (; j < s.size() && s[j] != '"'; ++j) {
      if (s[j] == '\\') ++j;
      else if (static_cast<unsigned char>(s[j]) >= 0x80) non_ascii = true;
    }
    size_t k = j + 1;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
    if (non_ascii && k < s.size() && s[k] == ':') return true;
    i = j;
  }
  return false;
}


// A JSON line or a binary record larger than this is an error record of its own (and, for
// binary input, where reading stops: nothing after a bad length prefix can be trusted).
constexpr size_t kMaxRecordBytes = size_t{64} << 20;
constexpr size_t kReadChunk = size_t{1} << 20;

struct Flags {
  std::string rules;
  RegistryFlags registries;
  std::string in;
  std::string out = "-";
  int threads = 0;
  std::optional<Format> in_format;
  std::string in_text;  // "text" (one household in text format) or "csv" (rows per member)
  InputType in_type = InputType::kAuto;
  std::optional<Format> out_format;
  std::string as_of;
  bool trace = false;
  bool lean = false;
  bool strict_ids = false;  // RegistryOptions::reject_bad_check_character
  Language lang = Language::kChinese;
  size_t batch_size = 1000;
};

bool ParseFormat(const std::string& text, std::optional<Format>* out) {
  if (text == "json" || text == "jsonl") {
    *out = Format::kJson;
  } else if (text == "binary" || text == "pb") {
    *out = Format::kBinary;
  } else if (text == "csv") {
    *out = Format::kCsv;
  } else if (text == "xlsx") {
    *out = Format::kXlsx;
  } else {
    return false;
  }
  return true;
}

Format FormatFor(const std::string& path, const std::optional<Format>& given) {
  if (given.has_value()) return *given;
  if (absl::EndsWith(path, ".pb") || absl::EndsWith(path, ".bin")) return Format::kBinary;
  if (absl::EndsWith(path, ".csv")) return Format::kCsv;
  if (absl::EndsWith(path, ".xlsx")) return Format::kXlsx;
  return Format::kJson;
}

// Accepts "--name VALUE" and "--name=VALUE". Returns an error message in `lang`, empty if fine.
std::string ParseFlags(const std::vector<std::string>& args, Flags* flags, Language lang) {
  auto say = [&](const std::string& zh, const std::string& en) { return lang == Language::kEnglish ? en : zh; };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> inline_value;
    if (absl::StartsWith(name, "--")) {
      const size_t eq = name.find('=');
      if (eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else {
      return say(absl::StrCat("多余的参数“", name, "”"), absl::StrCat("unexpected argument '", name, "'"));
    }
    auto value = [&](std::string* out) -> bool {
      if (inline_value.has_value()) {
        *out = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    auto no_value = [&]() { return !inline_value.has_value(); };
    std::string v;
    if (name == "--rules") {
      if (!value(&flags->rules)) return say("--rules 后面要写规则文件或目录", "--rules needs a path");
    } else if (name == "--registry") {
      if (!value(&v)) return say("--registry 后面要写 名称=文件", "--registry needs NAME=FILE");
      if (std::string e = flags->registries.AddRegistry(v); !e.empty()) return e;
    } else if (name == "--checked-on") {
      if (!value(&v)) return say("--checked-on 后面要写 名称=YYYY-MM-DD[,批次]", "--checked-on needs NAME=YYYY-MM-DD[,REFERENCE]");
      if (std::string e = flags->registries.AddCheckedOn(v); !e.empty()) return e;
    } else if (name == "--in") {
      if (!value(&flags->in)) return say("--in 后面要写申请文件（- 表示标准输入）", "--in needs a file (- for stdin)");
    } else if (name == "--out") {
      if (!value(&flags->out)) return say("--out 后面要写输出文件（- 表示标准输出）", "--out needs a file (- for stdout)");
    } else if (name == "--threads") {
      if (!value(&v) || !absl::SimpleAtoi(v, &flags->threads) || flags->threads < 1 ||
          flags->threads > 1024) {
        return say("--threads 要写 1 到 1024 之间的数", "--threads needs a number from 1 to 1024");
      }
    } else if (name == "--batch-size") {
      if (!value(&v) || !absl::SimpleAtoi(v, &flags->batch_size) || flags->batch_size < 1 ||
          flags->batch_size > 1000000) {
        return say("--batch-size 要写 1 到 1000000 之间的数", "--batch-size needs a number from 1 to 1000000");
      }
    } else if (name == "--in-format") {
      if (!value(&v)) return say("--in-format 只能是 json、binary、text 或 csv", "--in-format is json, binary, text or csv");
      if (v == "text" || v == "textproto" || v == "csv") {
        flags->in_text = v == "csv" ? "csv" : "text";
      } else if (!ParseFormat(v, &flags->in_format)) {
        return say("--in-format 只能是 json、binary、text 或 csv", "--in-format is json, binary, text or csv");
      }
    } else if (name == "--in-type") {
      if (!value(&v)) return say("--in-type 只能是 auto、application 或 request", "--in-type is auto, application or request");
      if (v == "auto") {
        flags->in_type = InputType::kAuto;
      } else if (v == "application") {
        flags->in_type = InputType::kApplication;
      } else if (v == "request") {
        flags->in_type = InputType::kRequest;
      } else {
        return say("--in-type 只能是 auto、application 或 request", "--in-type is auto, application or request");
      }
    } else if (name == "--out-format") {
      if (!value(&v) || !ParseFormat(v, &flags->out_format)) {
        return say("--out-format 只能是 jsonl、binary、csv 或 xlsx", "--out-format is jsonl, binary, csv or xlsx");
      }
    } else if (name == "--format") {
      // Both directions at once (the spelling the top-level usage shows).
      if (!value(&v) || !ParseFormat(v, &flags->out_format) || *flags->out_format == Format::kCsv ||
          *flags->out_format == Format::kXlsx) {
        return say("--format 只能是 json 或 binary（要输出表格请用 --out-format csv 或 xlsx）",
                   "--format is json or binary (for a table of decisions use --out-format csv or xlsx)");
      }
      flags->in_format = flags->out_format;
    } else if (name == "--as-of") {
      int32_t days;
      if (!value(&flags->as_of) || !internal::ParseDate(flags->as_of, &days)) {
        return say(absl::StrCat("--as-of 要写 YYYY-MM-DD 格式的日期，而不是“", flags->as_of, "”"),
                   absl::StrCat("--as-of needs a date YYYY-MM-DD, got '", flags->as_of, "'"));
      }
    } else if (name == "--trace" && no_value()) {
      flags->trace = true;
    } else if (name == "--strict-ids" && no_value()) {
      flags->strict_ids = true;
    } else if (name == "--lean" && no_value()) {
      flags->lean = true;
    } else if (name == "--lang") {
      if (!value(&v) || (v != "en" && v != "zh")) return say("--lang 只能是 zh 或 en", "--lang is en or zh");
      flags->lang = v == "en" ? Language::kEnglish : Language::kChinese;
    } else {
      return say(absl::StrCat("未知的选项 ", args[i]), absl::StrCat("unknown option ", args[i]));
    }
  }
  if (flags->rules.empty()) return say("缺少 --rules（规则文件或目录）", "--rules is required");
  if (flags->in.empty()) return say("缺少 --in（申请文件，- 表示标准输入）", "--in is required (- for stdin)");
  return "";
}

// ---- text helpers ---------------------------------------------------------------------------

// Replaces bytes that are not UTF-8 with U+FFFD, so every output line stays valid JSON text.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && n > 1 && c < 0xC2) ok = false;  // overlong 2-byte forms
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

// 1234567 -> "1,234,567".
std::string Thousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

// Columns a terminal gives `s`: CJK and full-width characters take two.
int DisplayWidth(std::string_view s) {
  int width = 0;
  for (char32_t c : internal::DecodeUtf8(s)) width += c >= 0x2E80 ? 2 : 1;
  return width;
}

std::string PadRight(const std::string& s, int width) {
  return s + std::string(std::max(0, width - DisplayWidth(s)), ' ');
}

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// ---- input ----------------------------------------------------------------------------------

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

// One input record inside a batch: bytes [offset, offset + size) of Batch::data, or a
// problem found while reading (a line too long, a truncated binary record).
struct Record {
  size_t offset = 0;
  size_t size = 0;
  int64_t number = 0;  // line (JSON) or record (binary) number, from 1
  std::string error;
};

struct Batch {
  uint64_t sequence = 0;
  uint64_t input_bytes = 0;  // input consumed for this batch, for the progress estimate
  std::string data;          // record bytes back to back, then ApplicationReader::kPadding
  std::vector<Record> records;
  std::string output;        // the decisions, serialized

  void Reset() {
    data.clear();
    records.clear();
    output.clear();
    input_bytes = 0;
  }
};

// Reads JSON lines into batches.
class JsonLineReader {
 public:
  explicit JsonLineReader(Input* in) : in_(in) {}

  // Fills `batch` with up to `max_records` records. False when the input is exhausted and
  // nothing was added.
  bool Next(Batch* batch, size_t max_records) {
    const uint64_t start = in_->consumed();
    while (batch->records.size() < max_records && !done_) {
      if (in_->available() == 0 && !in_->Fill()) {
        done_ = true;
        if (skipping_ || !pending_.empty()) EmitPending(batch);
        break;
      }
      const char* begin = in_->data();
      const size_t available = in_->available();
      const void* nl = std::memchr(begin, '\n', available);
      if (nl != nullptr) {
        const size_t n = static_cast<const char*>(nl) - begin;
        if (pending_.empty() && !skipping_) {
          Emit(std::string_view(begin, n), batch);
        } else {
          Append(std::string_view(begin, n));
          EmitPending(batch);
        }
        in_->Consume(n + 1);
      } else {
        Append(std::string_view(begin, available));
        in_->Consume(available);
      }
    }
    batch->data.append(io::ApplicationReader::kPadding, ' ');
    batch->input_bytes = in_->consumed() - start;
    return !batch->records.empty();
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

  void EmitPending(Batch* batch) {
    if (skipping_) {
      ++line_;
      Record r;
      r.number = line_;
      r.error = absl::StrCat("line longer than ", kMaxRecordBytes >> 20, " MiB");
      batch->records.push_back(std::move(r));
      skipping_ = false;
    } else {
      Emit(pending_, batch);
    }
    pending_.clear();
  }

  void Emit(std::string_view line, Batch* batch) {
    ++line_;
    if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r\f\v") == std::string_view::npos) return;  // blank
    Record r;
    r.offset = batch->data.size();
    r.size = line.size();
    r.number = line_;
    batch->records.push_back(std::move(r));
    batch->data.append(line.data(), line.size());
    batch->data.push_back('\n');
  }

  Input* in_;
  std::string pending_;  // a line that spans buffer refills
  bool skipping_ = false;
  bool done_ = false;
  int64_t line_ = 0;
};

// Reads length-delimited binary records into batches.
class BinaryReader {
 public:
  explicit BinaryReader(Input* in) : in_(in) {}

  bool Next(Batch* batch, size_t max_records) {
    const uint64_t start = in_->consumed();
    while (batch->records.size() < max_records && !done_) ReadOne(batch);
    batch->data.append(io::ApplicationReader::kPadding, ' ');
    batch->input_bytes = in_->consumed() - start;
    return !batch->records.empty();
  }

 private:
  void ReadOne(Batch* batch) {
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      if (in_->available() == 0 && !in_->Fill()) {
        done_ = true;
        if (shift > 0) Fail(batch, "truncated length prefix at the end of the input");
        return;
      }
      const uint8_t byte = static_cast<uint8_t>(*in_->data());
      in_->Consume(1);
      if (shift >= 63 && byte > 1) {
        done_ = true;
        Fail(batch, "malformed length prefix");
        return;
      }
      size |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if (size > kMaxRecordBytes) {
      done_ = true;
      Fail(batch, absl::StrCat("length prefix ", size, " exceeds ", kMaxRecordBytes >> 20,
                               " MiB; the input is not length-delimited heyan.v1.Application "
                               "records, or it is damaged"));
      return;
    }
    ++record_;
    Record r;
    r.offset = batch->data.size();
    r.size = size;
    r.number = record_;
    size_t remaining = size;
    while (remaining > 0) {
      if (in_->available() == 0 && !in_->Fill()) {
        done_ = true;
        batch->data.resize(r.offset);
        r.error = absl::StrCat("truncated record: the input ends ", remaining,
                               " bytes before the record does");
        batch->records.push_back(std::move(r));
        return;
      }
      const size_t n = std::min(remaining, in_->available());
      batch->data.append(in_->data(), n);
      in_->Consume(n);
      remaining -= n;
    }
    batch->records.push_back(std::move(r));
  }

  void Fail(Batch* batch, std::string message) {
    Record r;
    r.number = ++record_;
    r.error = std::move(message);
    batch->records.push_back(std::move(r));
  }

  Input* in_;
  bool done_ = false;
  int64_t record_ = 0;
};

// ---- output ---------------------------------------------------------------------------------

// ---- decisions as a table ------------------------------------------------------------------

std::vector<std::string> TableHeader(bool en) {
  if (en) {
    return {"Case number", "County", "Township", "Village", "Applicant", "Outcome", "Monthly benefit (yuan)",
            "Persons covered", "Tier", "Reasons", "Missing evidence", "Error (line: problem)"};
  }
  return {"编号", "县区", "乡镇", "村居", "申请人", "结论", "保障金额（元）", "保障人数", "保障档次", "理由",
          "缺少材料", "错误（行号：原因）"};
}
std::vector<double> TableWidths() { return {16, 10, 12, 12, 10, 10, 14, 10, 10, 60, 40, 40}; }

const char* OutcomeWord(v1::Outcome o, bool en) {
  switch (o) {
    case v1::ELIGIBLE: return en ? "eligible" : "符合";
    case v1::INELIGIBLE: return en ? "ineligible" : "不符合";
    case v1::NEEDS_REVIEW: return en ? "needs review" : "需复核";
    case v1::MISSING_EVIDENCE: return en ? "missing evidence" : "缺少材料";
    default: return "";
  }
}

std::string Yuan(int64_t fen) {
  const uint64_t a = fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  return absl::StrFormat("%s%d.%02d", fen < 0 ? "-" : "", a / 100, a % 100);
}

// One household's row: where it is, who applies, what was decided, and why.
std::vector<TableCell> DecisionRow(const v1::Application& a, const v1::Decision& d, bool en) {
  std::string applicant;
  for (const v1::Member& m : a.members()) {
    if (m.relation() == v1::SELF) applicant = m.name();
  }
  if (applicant.empty() && a.members_size() > 0) applicant = a.members(0).name();
  std::vector<std::string> reasons, missing;
  for (const v1::Reason& r : d.reasons()) reasons.push_back(r.title().empty() ? r.rule_id() : absl::StrCat(r.rule_id(), " ", r.title()));
  for (const v1::MissingEvidence& m : d.missing_evidence()) missing.push_back(m.field());
  const char* sep = en ? "; " : "；";
  return {{a.id()},
          {a.county()},
          {a.township()},
          {a.village()},
          {applicant},
          {OutcomeWord(d.outcome(), en)},
          {Yuan(d.benefit_fen()), true},
          {absl::StrCat(d.covered_members_size()), true},
          {d.tier()},
          {absl::StrJoin(reasons, sep)},
          {absl::StrJoin(missing, sep)},
          {}};
}

// The case number of a record that could not be read, if it can be found: "id" (or "编号")
// as a JSON string; empty otherwise.
std::string CaseNumberIn(std::string_view bytes) {
  for (std::string_view key : {std::string_view("\"id\""), std::string_view("\"编号\"")}) {
    size_t at = bytes.find(key);
    if (at == std::string_view::npos) continue;
    at = bytes.find('"', bytes.find(':', at + key.size()));
    if (at == std::string_view::npos) continue;
    const size_t end = bytes.find('"', at + 1);
    if (end != std::string_view::npos && end - at < 100) return std::string(bytes.substr(at + 1, end - at - 1));
  }
  return "";
}

class Output {
 public:
  ~Output() {
    if (fd_ > 2) ::close(fd_);
  }
  // Decisions as a table for people (rows packed by the workers, cli/table_writer.h).
  bool OpenTable(const std::string& path, TableWriter::Kind kind, bool english, std::string* error) {
    path_ = path;
    absl::StatusOr<std::unique_ptr<TableWriter>> t =
        TableWriter::Open(path, kind, TableHeader(english), english ? "decisions" : "核验结果", TableWidths());
    if (!t.ok()) {
      *error = std::string(t.status().message());
      return false;
    }
    table_ = *std::move(t);
    return true;
  }
  bool Open(const std::string& path, std::string* error) {
    path_ = path;
    if (path == "-") {
      fd_ = STDOUT_FILENO;
      return true;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      *error = absl::StrCat(path, ": ", std::strerror(errno));
      return false;
    }
    return true;
  }
  bool Write(std::string_view data, std::string* error) {
    if (table_ != nullptr) {
      absl::Status s = WritePackedRows(data, table_.get());
      if (!s.ok()) *error = std::string(s.message());
      return s.ok();
    }
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = absl::StrCat(path_ == "-" ? "stdout" : path_, ": write error: ", std::strerror(errno));
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool Close(std::string* error) {
    if (table_ != nullptr) {
      absl::Status s = table_->Close();
      table_.reset();
      if (!s.ok()) *error = std::string(s.message());
      return s.ok();
    }
    if (fd_ > 2 && ::close(fd_) != 0) {
      fd_ = -1;
      *error = absl::StrCat(path_, ": ", std::strerror(errno));
      return false;
    }
    fd_ = -1;
    return true;
  }

 private:
  int fd_ = -1;
  std::string path_;
  std::unique_ptr<TableWriter> table_;
};

// ---- counting -------------------------------------------------------------------------------

struct ReasonCount {
  int64_t count = 0;
  std::string title;
  v1::ReasonKind kind = v1::REASON_KIND_UNSPECIFIED;
};

struct Counts {
  int64_t outcomes[5] = {0, 0, 0, 0, 0};  // by v1::Outcome
  int64_t errors = 0;
  int64_t with_faults = 0;  // decisions with at least one rule fault
  absl::flat_hash_map<std::string, ReasonCount> reasons;

  void Add(const v1::Decision& d) {
    const int o = d.outcome();
    ++outcomes[o >= 0 && o < 5 ? o : 0];
    if (d.faults_size() > 0) ++with_faults;
    for (int i = 0; i < d.reasons_size(); ++i) {
      const v1::Reason& r = d.reasons(i);
      // Count decisions, not reasons: a rule over items (每个) may apply to several.
      bool seen = false;
      for (int k = 0; k < i && !seen; ++k) seen = d.reasons(k).rule_id() == r.rule_id();
      if (seen) continue;
      ReasonCount& c = reasons[r.rule_id()];
      ++c.count;
      if (c.title.empty()) c.title = r.title();
      c.kind = r.kind();
    }
  }

  void Merge(const Counts& other) {
    for (int i = 0; i < 5; ++i) outcomes[i] += other.outcomes[i];
    errors += other.errors;
    with_faults += other.with_faults;
    for (const auto& [id, c] : other.reasons) {
      ReasonCount& mine = reasons[id];
      mine.count += c.count;
      if (mine.title.empty()) mine.title = c.title;
      mine.kind = c.kind;
    }
  }

  int64_t total() const {
    int64_t n = errors;
    for (int64_t o : outcomes) n += o;
    return n;
  }
};

// ---- evaluation -----------------------------------------------------------------------------

struct Job {
  std::shared_ptr<const Program> program;
  const Registries* registries = nullptr;
  EvalOptions options;
  Format in_format = Format::kJson;
  Format out_format = Format::kJson;
  InputType in_type = InputType::kAuto;
  bool english = false;  // messages of error records
};

// One worker's reusable state.
class Worker {
 public:
  explicit Worker(const Job& job) : job_(job) {}

  void Process(Batch* batch) {
    batch->output.clear();
    for (const Record& record : batch->records) ProcessOne(*batch, record);
  }

  const Counts& counts() const { return counts_; }

 private:
  void ProcessOne(Batch& batch, const Record& record) {
    if (!record.error.empty()) return Error(record.number, "", record.error, &batch.output);
    const std::string_view bytes(batch.data.data() + record.offset, record.size);
    const bool request = job_.in_type == InputType::kRequest ||
                         (job_.in_type == InputType::kAuto && job_.in_format == Format::kJson &&
                          io::IsVerificationRequestJson(bytes));
    if (job_.in_format == Format::kJson) {
      io::ReadError error;
      const size_t capacity = batch.data.size() - record.offset;
      if (request ? !reader_.ParseJson(bytes, capacity, &request_, &error)
                  : !reader_.ParseJson(bytes, capacity, &application_, &error)) {
        // A line with Chinese field names or values with units (as a spreadsheet or a policy
        // officer writes them) is read through io/household.h; its message is the one to show.
        if (!HasNonAscii(bytes)) return Error(record.number, error.field, error.message, &batch.output, bytes);
        io::Household household;
        if (absl::Status s = io::ReadHousehold(bytes, job_.english, &household); !s.ok()) {
          // With English keys the protobuf reader's message (field path, expected type) says more.
          return HasNonAsciiKey(bytes) ? Error(record.number, "", std::string(s.message()), &batch.output, bytes)
                                       : Error(record.number, error.field, error.message, &batch.output, bytes);
        }
        return Decide(record, household.is_request, &household.request, &batch);
      }
    } else if (request ? !request_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))
                       : !application_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Error(record.number, "",
                   request ? "not a valid heyan.v1.VerificationRequest message" : "not a valid heyan.v1.Application message",
                   &batch.output);
    } else if (io::ReadError error; !io::CheckApplication(request ? request_.application() : application_, &error)) {
      // The JSON reader's value checks, for binary input too.
      return Error(record.number, request ? "application." + error.field : error.field, error.message, &batch.output);
    }
    Decide(record, request, request ? &request_ : nullptr, &batch);
  }

  // Decides the parsed record (`request`, or application_ when is_request is false) and
  // writes its decision.
  void Decide(const Record& record, bool is_request, const v1::VerificationRequest* request, Batch* batch_ptr) {
    Batch& batch = *batch_ptr;
    const absl::Status status =
        is_request ? job_.program->Evaluate(*request, *job_.registries, job_.options, &decision_)
                   : job_.program->Evaluate(request != nullptr ? request->application() : application_,
                                            *job_.registries, job_.options, &decision_);
    if (!status.ok()) {
      const v1::Application& a = !is_request && request == nullptr ? application_ : request->application();
      return Error(record.number, "", std::string(status.message()), &batch.output,
                   a.id().empty() ? "" : absl::StrCat("{\"id\":\"", a.id(), "\"}"));
    }
    counts_.Add(decision_);
    if (job_.out_format == Format::kCsv || job_.out_format == Format::kXlsx) {
      const v1::Application& a = !is_request && request == nullptr ? application_ : request->application();
      AppendPackedRow(DecisionRow(a, decision_, job_.english), &batch.output);
    } else if (job_.out_format == Format::kJson) {
      writer_.Append(decision_, &batch.output);
      batch.output.push_back('\n');
    } else {
      AppendVarint(decision_.ByteSizeLong(), &batch.output);
      decision_.AppendToString(&batch.output);
    }
  }

  void Error(int64_t number, const std::string& field, const std::string& message,
             std::string* out, std::string_view bytes = {}) {
    ++counts_.errors;
    const char* unit = job_.in_format == Format::kJson ? "line" : "record";
    if (job_.out_format == Format::kCsv || job_.out_format == Format::kXlsx) {
      // An error row keeps its place and names the case and the line, so the sheet can be
      // corrected and run again.
      std::vector<TableCell> row(TableHeader(job_.english).size());
      row[0].text = CaseNumberIn(bytes);
      row.back().text = job_.english ? absl::StrCat(unit, " ", number, ": ", field, field.empty() ? "" : ": ", message)
                                     : absl::StrCat("第 ", number, job_.in_format == Format::kJson ? " 行：" : " 条：",
                                                    field, field.empty() ? "" : "：", message);
      AppendPackedRow(row, out);
    } else if (job_.out_format == Format::kJson) {
      absl::StrAppend(out, "{\"error\":{\"", unit, "\":", number,
                      ",\"field\":", internal::JsonQuote(ValidUtf8(field)),
                      ",\"message\":", internal::JsonQuote(ValidUtf8(message)), "}}\n");
    } else {
      decision_.Clear();
      v1::RuleFault* fault = decision_.add_faults();
      fault->set_rule_id("<input>");
      fault->set_message(ValidUtf8(absl::StrCat(unit, " ", number, ": ", field,
                                                field.empty() ? "" : ": ", message)));
      AppendVarint(decision_.ByteSizeLong(), out);
      decision_.AppendToString(out);
    }
  }

  const Job& job_;
  io::ApplicationReader reader_;
  v1::Application application_;
  v1::VerificationRequest request_;
  v1::Decision decision_;
  io::ProtoJsonWriter writer_;  // what MessageToJsonString prints, without its cost
  Counts counts_;
};

// Read -> evaluate (N workers) -> write in order, with a bounded number of batches in flight.
class Pipeline {
 public:
  Pipeline(const Job& job, int threads, size_t batch_size, Input* input, Output* output,
           bool progress, bool english)
      : job_(job),
        threads_(threads),
        batch_size_(batch_size),
        max_in_flight_(2 * static_cast<size_t>(threads) + 2),
        input_(input),
        output_(output),
        progress_(progress),
        english_(english) {}

  // Runs to the end of the input. False if reading or writing failed (error() says why).
  bool Run() {
    start_ = Clock::now();
    last_progress_ = start_;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<std::thread> threads;
    for (int i = 0; i < threads_; ++i) workers.push_back(std::make_unique<Worker>(job_));
    for (int i = 0; i < threads_; ++i) {
      threads.emplace_back([this, w = workers[i].get()] { WorkLoop(w); });
    }
    std::thread writer([this] { WriteLoop(); });
    ReadLoop();
    for (std::thread& t : threads) t.join();
    writer.join();
    for (const auto& w : workers) counts_.Merge(w->counts());
    elapsed_ = std::chrono::duration<double>(Clock::now() - start_).count();
    if (progress_) std::cerr << "\r\033[K" << std::flush;
    return error_.empty();
  }

  const Counts& counts() const { return counts_; }
  double elapsed_seconds() const { return elapsed_; }
  const std::string& error() const { return error_; }

 private:
  void ReadLoop() {
    JsonLineReader json_reader(input_);
    BinaryReader binary_reader(input_);
    uint64_t sequence = 0;
    while (true) {
      std::unique_ptr<Batch> batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Pipeline* p) { return p->in_flight_ < p->max_in_flight_ || p->failed_; }, this));
        if (failed_) break;
        if (!free_.empty()) {
          batch = std::move(free_.back());
          free_.pop_back();
        }
      }
      if (batch == nullptr) batch = std::make_unique<Batch>();
      batch->Reset();
      batch->sequence = sequence;
      const bool got = job_.in_format == Format::kJson ? json_reader.Next(batch.get(), batch_size_)
                                                       : binary_reader.Next(batch.get(), batch_size_);
      if (!got) break;
      absl::MutexLock lock(&mu_);
      ++sequence;
      ++in_flight_;
      todo_.push_back(std::move(batch));
    }
    absl::MutexLock lock(&mu_);
    if (!input_->error().empty() && error_.empty()) {
      error_ = input_->error();
      failed_ = true;
    }
    batches_ = sequence;
    input_done_ = true;
  }

  void WorkLoop(Worker* worker) {
    while (true) {
      std::unique_ptr<Batch> batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Pipeline* p) { return !p->todo_.empty() || p->input_done_ || p->failed_; }, this));
        if (failed_ || todo_.empty()) return;
        batch = std::move(todo_.front());
        todo_.pop_front();
      }
      worker->Process(batch.get());
      absl::MutexLock lock(&mu_);
      const uint64_t sequence = batch->sequence;
      done_.emplace(sequence, std::move(batch));
    }
  }

  void WriteLoop() {
    uint64_t next = 0;
    int64_t records = 0;
    uint64_t bytes = 0;
    while (true) {
      std::unique_ptr<Batch> batch;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [&]() {
          return failed_ || done_.count(next) > 0 || (input_done_ && next == batches_);
        };
        mu_.Await(absl::Condition(&ready));
        if (failed_ || done_.count(next) == 0) return;
        auto it = done_.find(next);
        batch = std::move(it->second);
        done_.erase(it);
      }
      std::string error;
      const bool ok = output_->Write(batch->output, &error);
      records += static_cast<int64_t>(batch->records.size());
      bytes += batch->input_bytes;
      ++next;
      {
        absl::MutexLock lock(&mu_);
        --in_flight_;
        if (!ok) {
          error_ = error;
          failed_ = true;
          return;
        }
        if (free_.size() < max_in_flight_) free_.push_back(std::move(batch));
      }
      if (progress_) ShowProgress(records, bytes);
    }
  }

  // "已处理 120,000 条，85,000 条/秒，剩余约 12 秒", at most five times a second.
  void ShowProgress(int64_t records, uint64_t bytes) {
    const Clock::time_point now = Clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(200)) return;
    last_progress_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::string line = english_
        ? absl::StrCat(Thousands(records), " records, ",
                       Thousands(static_cast<int64_t>(records / std::max(seconds, 1e-9))), "/s")
        : absl::StrCat("已处理 ", Thousands(records), " 条，",
                       Thousands(static_cast<int64_t>(records / std::max(seconds, 1e-9))), " 条/秒");
    if (input_->size() > 0 && bytes > 0) {
      const double left = seconds * (static_cast<double>(input_->size()) - bytes) / bytes;
      absl::StrAppend(&line, english_ ? ", about " : "，剩余约 ",
                      static_cast<int64_t>(std::max(left, 0.0) + 0.5), english_ ? " s left" : " 秒");
    }
    std::cerr << "\r\033[K" << line << std::flush;
  }

  const Job& job_;
  const int threads_;
  const size_t batch_size_;
  const size_t max_in_flight_;
  Input* input_;
  Output* output_;
  const bool progress_;
  const bool english_;

  absl::Mutex mu_;
  std::deque<std::unique_ptr<Batch>> todo_;               // read, not yet evaluated
  std::map<uint64_t, std::unique_ptr<Batch>> done_;       // evaluated, not yet written
  std::vector<std::unique_ptr<Batch>> free_;              // written, for reuse
  size_t in_flight_ = 0;                                  // read but not yet written
  bool input_done_ = false;
  uint64_t batches_ = 0;                                  // valid once input_done_
  bool failed_ = false;
  std::string error_;

  Clock::time_point start_;
  Clock::time_point last_progress_;
  Counts counts_;
  double elapsed_ = 0;
};

// ---- summary --------------------------------------------------------------------------------

const char* KindLabel(v1::ReasonKind kind, bool en) {
  switch (kind) {
    case v1::REASON_INELIGIBLE: return en ? "ineligible" : "不符合";
    case v1::REASON_NEEDS_REVIEW: return en ? "review" : "需复核";
    case v1::REASON_FLAG: return en ? "flag" : "标记";
    case v1::REASON_MISSING_EVIDENCE: return en ? "missing" : "缺少材料";
    default: return "";
  }
}

std::string Summary(const Program& program, const Registries& registries, const RegistryFlags& registry_flags,
                    const Counts& counts,
                    double seconds, int threads, bool en) {
  const int64_t total = counts.total();
  const int64_t rate = static_cast<int64_t>(total / std::max(seconds, 1e-9));
  std::string out;
  auto percent = [&](int64_t n) {
    return total == 0 ? std::string() : absl::StrFormat("%5.1f%%", 100.0 * n / total);
  };
  if (en) {
    absl::StrAppend(&out, "heyan eval: ", program.name(), " ", program.version(), ": ",
                    Thousands(total), " records in ", absl::StrFormat("%.2f", seconds), " s (",
                    Thousands(rate), " records/s, ", threads, threads == 1 ? " thread" : " threads",
                    ")\n");
  } else {
    absl::StrAppend(&out, "heyan eval：", program.name(), " ", program.version(), "，共 ",
                    Thousands(total), " 条，用时 ", absl::StrFormat("%.2f", seconds), " 秒（",
                    Thousands(rate), " 条/秒，", threads, " 个线程）\n");
  }
  // What the decisions were checked against: a registry that loaded nothing is visible here.
  out += registry_flags.Lines(registries, en);
  struct Row {
    const char* zh;
    const char* en;
    int64_t n;
  };
  const Row rows[] = {
      {"符合", "eligible", counts.outcomes[v1::ELIGIBLE]},
      {"不符合", "ineligible", counts.outcomes[v1::INELIGIBLE]},
      {"需复核", "needs review", counts.outcomes[v1::NEEDS_REVIEW]},
      {"缺少材料", "missing evidence", counts.outcomes[v1::MISSING_EVIDENCE]},
      {"输入错误", "input errors", counts.errors},
  };
  for (const Row& row : rows) {
    absl::StrAppend(&out, "  ", PadRight(en ? row.en : row.zh, 28),
                    absl::StrFormat("%10s", Thousands(row.n)), "  ", percent(row.n), "\n");
  }
  if (counts.outcomes[v1::OUTCOME_UNSPECIFIED] > 0) {
    absl::StrAppend(&out, "  ", PadRight(en ? "no outcome" : "无结论", 28),
                    absl::StrFormat("%10s", Thousands(counts.outcomes[v1::OUTCOME_UNSPECIFIED])),
                    "\n");
  }
  if (counts.with_faults > 0) {
    absl::StrAppend(&out, "  ", PadRight(en ? "with rule faults" : "有规则故障", 28),
                    absl::StrFormat("%10s", Thousands(counts.with_faults)), "\n");
  }
  if (counts.reasons.empty()) return out;

  // Titles come from the decisions; --lean decisions have none, so fall back to the rule
  // set's declarations (the last one of an id wins: an override follows what it replaces).
  std::map<std::string, std::string> declared;
  for (const DeclarationInfo& d : program.declarations()) {
    if (d.kind == "rule") declared[d.name] = d.title;
  }
  struct Line {
    std::string id;
    const ReasonCount* count;
  };
  std::vector<Line> lines;
  for (const auto& [id, c] : counts.reasons) lines.push_back({id, &c});
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.count->count != b.count->count) return a.count->count > b.count->count;
    return a.id < b.id;
  });
  absl::StrAppend(&out, en ? "reasons (rule, title, kind: records):\n" : "原因（规则、标题、结论：条数）：\n");
  for (const Line& line : lines) {
    std::string title = line.count->title;
    if (title.empty()) {
      auto it = declared.find(line.id);
      if (it != declared.end()) title = it->second;
    }
    const std::string label = absl::StrCat(line.id, " ", title, " [",
                                           KindLabel(line.count->kind, en), "]");
    absl::StrAppend(&out, "  ", PadRight(label, 64),
                    absl::StrFormat("%10s", Thousands(line.count->count)), "  ",
                    percent(line.count->count), "\n");
  }
  return out;
}

// JSON lines for input that is not JSON lines: one household in text format (an application, a
// verification request or a heyan test case), or a CSV export with one row per member.
absl::Status ConvertedInput(const std::string& path, const std::string& kind, bool en, std::string* out) {
  std::vector<std::string> lines;
  if (kind == "csv") {
    if (absl::Status s = io::ReadHouseholdsCsv(path, en, &lines); !s.ok()) return s;
  } else if (kind == "json") {
    // A .json file: one JSON document, an object (one household, possibly over many lines)
    // or an array of them; anything else is read as JSON lines.
    absl::StatusOr<std::string> text = io::ReadWholeFile(path, io::kApplicationFile, size_t{1} << 30, en);
    if (!text.ok()) return text.status();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::padded_string padded(*text);
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
      *out = *std::move(text);
      return absl::OkStatus();
    }
    simdjson::dom::array array;
    if (doc.get_array().get(array) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : array) lines.push_back(simdjson::minify(e));
    } else {
      lines.push_back(simdjson::minify(doc));
    }
  } else {
    absl::StatusOr<std::string> text = io::ReadWholeFile(path == "-" ? "/dev/stdin" : path, io::kApplicationFile,
                                                         size_t{64} << 20, en);
    if (!text.ok()) return text.status();
    io::Household household;
    if (absl::Status s = io::ReadHousehold(*text, en, &household); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
    }
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    if (household.is_request) {
      (void)google::protobuf::util::MessageToJsonString(household.request, &json, print);
    } else {
      (void)google::protobuf::util::MessageToJsonString(household.request.application(), &json, print);
    }
    lines.push_back(std::move(json));
  }
  for (const std::string& line : lines) absl::StrAppend(out, line, "\n");
  return absl::OkStatus();
}

}  // namespace

int Eval(const std::vector<std::string>& args) {
  Flags flags;
  if (std::string error = ParseFlags(args, &flags, LanguageOf(args)); !error.empty()) {
    return UsageError("eval", error, LanguageOf(args));
  }
  const bool en = flags.lang == Language::kEnglish;

  // File arguments first, before minutes of loading: what each path is, in plain words.
  if (flags.in != "-") {
    if (absl::Status s = io::CheckInputPath(flags.in, io::kApplicationFile, en); !s.ok()) {
      std::cerr << "heyan eval: " << s.message() << "\n";
      return 2;
    }
  }
  if (flags.out != "-") {
    if (absl::Status s = io::CheckOutputPath(flags.out, io::kOutputFile, en); !s.ok()) {
      std::cerr << "heyan eval: " << s.message() << "\n";
      return 2;
    }
  }

  // Rules: a file, or a directory with exactly one entry rule set.
  absl::StatusOr<std::string> entry = FindEntryRuleSet({flags.rules}, flags.lang);
  if (!entry.ok()) {
    std::cerr << "heyan eval: " << entry.status().message() << "\n";
    return 2;
  }
  CompileOptions compile_options;
  absl::StatusOr<CompileResult> compiled = CompileFile(*entry, compile_options);
  if (!compiled.ok()) {
    std::cerr << "heyan eval: " << *entry << ": " << compiled.status() << "\n";
    return 2;
  }
  if (!compiled->ok()) {
    for (const Diagnostic& d : compiled->diagnostics) std::cerr << FormatDiagnostic(d, flags.lang);
    return 2;
  }

  RegistryOptions registry_options;
  registry_options.reject_bad_check_character = flags.strict_ids;
  Registries registries(registry_options);
  if (absl::Status s = flags.registries.Load(&registries); !s.ok()) {
    std::cerr << "heyan eval: " << s.message() << "\n";
    return 2;
  }

  Job job;
  job.program = compiled->program;
  job.registries = &registries;
  job.options.as_of = flags.as_of;
  job.options.trace = flags.trace;
  job.options.explain = !flags.lean;
  job.in_format = FormatFor(flags.in, flags.in_format);
  job.in_type = flags.in_type;
  job.english = en;
  job.out_format = FormatFor(flags.out, flags.out_format);

  // Writing the decisions over the applications would destroy the input before it is read.
  struct stat in_stat, out_stat;
  if (flags.in != "-" && flags.out != "-" && ::stat(flags.in.c_str(), &in_stat) == 0 &&
      ::stat(flags.out.c_str(), &out_stat) == 0 && in_stat.st_dev == out_stat.st_dev &&
      in_stat.st_ino == out_stat.st_ino) {
    std::cerr << "heyan eval: --in and --out are the same file: " << flags.out << "\n";
    return 2;
  }
  Input input;
  Output output;
  std::string error;
  // A household in text format (as `heyan test` cases are written) or a spreadsheet export:
  // converted to JSON lines first (io/household.h), then decided like any other input.
  const std::string in_text = !flags.in_text.empty()                                        ? flags.in_text
                              : absl::EndsWith(flags.in, ".csv")                            ? "csv"
                              : absl::EndsWith(flags.in, ".json")                           ? "json"
                              : absl::EndsWith(flags.in, ".textproto") || absl::EndsWith(flags.in, ".txtpb") ||
                                        absl::EndsWith(flags.in, ".pbtxt")
                                  ? "text"
                                  : "";
  if (!in_text.empty()) {
    std::string lines;
    if (absl::Status s = ConvertedInput(flags.in, in_text, en, &lines); !s.ok()) {
      std::cerr << "heyan eval: " << s.message() << "\n";
      return 2;
    }
    input.OpenMemory(flags.in, std::move(lines));
    job.in_format = Format::kJson;
  } else if (!input.Open(flags.in, &error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 2;
  }
  const bool table = job.out_format == Format::kCsv || job.out_format == Format::kXlsx;
  if (table ? !output.OpenTable(flags.out, job.out_format == Format::kCsv ? TableWriter::Kind::kCsv : TableWriter::Kind::kXlsx,
                                en, &error)
            : !output.Open(flags.out, &error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 2;
  }
  const int threads =
      flags.threads > 0 ? flags.threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  Pipeline pipeline(job, threads, flags.batch_size, &input, &output,
                    ::isatty(STDERR_FILENO) == 1, en);
  const bool ok = pipeline.Run();
  if (ok && !output.Close(&error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 1;
  }
  if (!ok) {
    std::cerr << "heyan eval: " << pipeline.error() << "\n";
    return 1;
  }
  const std::string summary =
      Summary(*job.program, registries, flags.registries, pipeline.counts(), pipeline.elapsed_seconds(), threads, en);
  if (flags.out == "-") {
    std::cerr << summary;
  } else {
    std::cout << summary << std::flush;
  }
  return pipeline.counts().errors > 0 ? 3 : 0;
}

}  // namespace heyan::cli
