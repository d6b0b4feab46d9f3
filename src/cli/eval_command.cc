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
// The evaluation is the library's BatchEvaluator (heyan/batch.h): this file reads records
// (lines or length-delimited messages) and writes results. Memory stays constant: records
// go in batches of --batch-size (1,000) to --threads workers (default: the number of cores)
// that parse, decide and serialize them; finished batches are written in input order. At
// most 2N+2 batches are in flight, so a slow output stops the reading instead of filling
// memory.
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
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/table_writer.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/registry_flags.h"
#include "common/date.h"
#include "common/text.h"
#include "heyan/batch.h"
#include "heyan/compiler.h"
#include "heyan/diagnostic.h"
#include "heyan/program.h"
#include "heyan/registry.h"
#include "heyan/v1/application.pb.h"
#include "heyan/v1/decision.pb.h"
#include "google/protobuf/util/json_util.h"
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

// ---- writing the results -------------------------------------------------------------------

// Writes each batch's results: the decisions the workers serialized, and an error record in
// the place of each record that was not decided.
class ResultWriter {
 public:
  ResultWriter(Output* output, Format in_format, Format out_format, bool english)
      : output_(output), in_format_(in_format), out_format_(out_format), english_(english) {}

  absl::Status Write(std::span<const RecordResult> results) {
    if (out_format_ == Format::kCsv || out_format_ == Format::kXlsx) {
      buffer_.clear();
      for (const RecordResult& r : results) {
        if (r.ok()) {
          AppendPackedRow(DecisionRow(*r.application, *r.decision, english_), &buffer_);
        } else {
          AppendError(r, &buffer_);
        }
      }
      return WriteBytes(buffer_);
    }
    if (results.empty()) return absl::OkStatus();
    // Decisions lie back to back: without error records the batch is one piece.
    const bool errors = std::any_of(results.begin(), results.end(), [](const RecordResult& r) { return !r.ok(); });
    if (!errors) {
      const char* begin = results.front().output.data();
      const std::string_view& last = results.back().output;
      return WriteBytes(std::string_view(begin, last.data() + last.size() - begin));
    }
    buffer_.clear();
    for (const RecordResult& r : results) {
      if (r.ok()) {
        buffer_.append(r.output);
      } else {
        AppendError(r, &buffer_);
      }
    }
    return WriteBytes(buffer_);
  }

 private:
  absl::Status WriteBytes(std::string_view data) {
    std::string error;
    if (!output_->Write(data, &error)) return absl::UnavailableError(error);
    return absl::OkStatus();
  }

  // An error record, in the output format:
  //   JSON:   {"error":{"line":17,"field":"members[0].birth_date","message":"..."}}
  //   binary: a Decision with application_id "" and one RuleFault "<input>"
  //   table:  a row with the case number (when it can be found) and "第 17 行：..."
  void AppendError(const RecordResult& result, std::string* out) {
    const RecordError& e = *result.error;
    const std::string& field = e.field;
    const char* unit = in_format_ == Format::kJson ? "line" : "record";
    if (out_format_ == Format::kCsv || out_format_ == Format::kXlsx) {
      // An error row keeps its place and names the case and the line, so the sheet can be
      // corrected and run again.
      std::vector<TableCell> row(TableHeader(english_).size());
      if (e.kind == RecordError::Kind::kNotDecided) {
        row[0].text = e.application_id.empty() ? "" : CaseNumberIn(absl::StrCat("{\"id\":\"", e.application_id, "\"}"));
      } else if (e.kind == RecordError::Kind::kInvalidJson || e.kind == RecordError::Kind::kInvalidHousehold) {
        row[0].text = CaseNumberIn(result.data);
      }
      row.back().text = english_ ? absl::StrCat(unit, " ", e.number, ": ", field, field.empty() ? "" : ": ", e.message)
                                 : absl::StrCat("第 ", e.number, in_format_ == Format::kJson ? " 行：" : " 条：",
                                                field, field.empty() ? "" : "：", e.message);
      AppendPackedRow(row, out);
    } else if (out_format_ == Format::kJson) {
      absl::StrAppend(out, "{\"error\":{\"", unit, "\":", e.number,
                      ",\"field\":", internal::JsonQuote(ValidUtf8(field)),
                      ",\"message\":", internal::JsonQuote(ValidUtf8(e.message)), "}}\n");
    } else {
      error_decision_.Clear();
      v1::RuleFault* fault = error_decision_.add_faults();
      fault->set_rule_id("<input>");
      fault->set_message(ValidUtf8(absl::StrCat(unit, " ", e.number, ": ", field,
                                                field.empty() ? "" : ": ", e.message)));
      internal::AppendVarint(error_decision_.ByteSizeLong(), out);
      error_decision_.AppendToString(out);
    }
  }

  Output* output_;
  const Format in_format_;
  const Format out_format_;
  const bool english_;
  std::string buffer_;
  v1::Decision error_decision_;
};

// "已处理 120,000 条，85,000 条/秒，剩余约 12 秒" on stderr, at most five times a second.
class ProgressLine {
 public:
  ProgressLine(const Input& input, bool english) : input_(input), english_(english) {}

  void Show(const BatchCounts& counts) {
    const Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const int64_t records = counts.records;
    const uint64_t bytes = counts.input_bytes;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::string line = english_
        ? absl::StrCat(Thousands(records), " records, ",
                       Thousands(static_cast<int64_t>(records / std::max(seconds, 1e-9))), "/s")
        : absl::StrCat("已处理 ", Thousands(records), " 条，",
                       Thousands(static_cast<int64_t>(records / std::max(seconds, 1e-9))), " 条/秒");
    if (input_.size() > 0 && bytes > 0) {
      const double left = seconds * (static_cast<double>(input_.size()) - bytes) / bytes;
      absl::StrAppend(&line, english_ ? ", about " : "，剩余约 ",
                      static_cast<int64_t>(std::max(left, 0.0) + 0.5), english_ ? " s left" : " 秒");
    }
    std::cerr << "\r\033[K" << line << std::flush;
  }

  void Clear() { std::cerr << "\r\033[K" << std::flush; }

 private:
  const Input& input_;
  const bool english_;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
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
                    const BatchCounts& counts,
                    double seconds, int threads, bool en) {
  const int64_t total = counts.records;
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
    const BatchCounts::Reason* count;
  };
  std::vector<Line> lines;
  for (const auto& [id, c] : counts.reasons) lines.push_back({id, &c});
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.count->decisions != b.count->decisions) return a.count->decisions > b.count->decisions;
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
                    absl::StrFormat("%10s", Thousands(line.count->decisions)), "  ",
                    percent(line.count->decisions), "\n");
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

  Format in_format = FormatFor(flags.in, flags.in_format);
  const Format out_format = FormatFor(flags.out, flags.out_format);

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
    in_format = Format::kJson;
  } else if (!input.Open(flags.in, &error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 2;
  }
  const bool table = out_format == Format::kCsv || out_format == Format::kXlsx;
  if (table ? !output.OpenTable(flags.out, out_format == Format::kCsv ? TableWriter::Kind::kCsv : TableWriter::Kind::kXlsx,
                                en, &error)
            : !output.Open(flags.out, &error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 2;
  }
  const int threads =
      flags.threads > 0 ? flags.threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

  // The library does the rest (heyan/batch.h): read records here, decide them on `threads`
  // workers, write them here in input order.
  BatchOptions options;
  options.eval.as_of = flags.as_of;
  options.eval.trace = flags.trace;
  options.eval.explain = !flags.lean;
  options.decisions = table                          ? DecisionFormat::kMessage
                      : out_format == Format::kJson ? DecisionFormat::kJsonLine
                                                    : DecisionFormat::kDelimited;
  options.threads = threads;
  options.batch_size = flags.batch_size;
  options.language = flags.lang;
  absl::StatusOr<std::unique_ptr<const BatchEvaluator>> evaluator =
      BatchEvaluator::Create(compiled->program, &registries, options);
  if (!evaluator.ok()) {
    std::cerr << "heyan eval: " << evaluator.status().message() << "\n";
    return 2;
  }
  const RecordFormat record_format = in_format == Format::kJson ? RecordFormat::kJson : RecordFormat::kBinary;
  const RecordType record_type = flags.in_type == InputType::kRequest       ? RecordType::kRequest
                                 : flags.in_type == InputType::kApplication ? RecordType::kApplication
                                                                            : RecordType::kAuto;
  JsonLineReader json_reader(&input);
  BinaryReader binary_reader(&input);
  uint64_t consumed = 0;
  auto source = [&](InputRecord* record) -> absl::StatusOr<bool> {
    const bool more = record_format == RecordFormat::kJson ? json_reader.Next(record) : binary_reader.Next(record);
    if (!more) {
      if (!input.error().empty()) return absl::UnavailableError(input.error());
      return false;
    }
    record->format = record_format;
    record->type = record_type;
    record->input_bytes = input.consumed() - consumed;
    consumed = input.consumed();
    return true;
  };
  ResultWriter writer(&output, in_format, out_format, en);
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  ProgressLine progress(input, en);
  const Clock::time_point start = Clock::now();
  absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
      source, [&](std::span<const RecordResult> results) { return writer.Write(results); },
      show_progress ? ProgressCallback([&](const BatchCounts& c) { progress.Show(c); }) : nullptr);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (show_progress) progress.Clear();
  if (!counts.ok()) {
    std::cerr << "heyan eval: " << counts.status().message() << "\n";
    return 1;
  }
  if (!output.Close(&error)) {
    std::cerr << "heyan eval: " << error << "\n";
    return 1;
  }
  const std::string summary =
      Summary(*compiled->program, registries, flags.registries, *counts, seconds, threads, en);
  if (flags.out == "-") {
    std::cerr << summary;
  } else {
    std::cout << summary << std::flush;
  }
  return counts->errors > 0 ? 3 : 0;
}

}  // namespace heyan::cli
